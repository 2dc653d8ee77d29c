"""Announcements: messages an admin posts for a while ("la mairie sera fermée le 11
novembre", road works, a heat-wave or flood alert), spoken to callers and shown in a web chat.

An announcement has a validity window in local (naive) time: from `start` (included) to `end`
(excluded); in the YAML file a bare date means the whole day (`start: 2026-11-02` from
midnight, `end: 2026-11-11` until the end of the 11th). It targets every call (no `topics`)
or only callers asking about one of its topics (an intent or knowledge-base topic name).
Active ones come in this order: urgent first, then higher `priority`, then the earliest
start, then the id.

`Announcements` is the provider boundary (`active(now, topic)`); `FileAnnouncements` reads the
flow's `*.announcements.yaml`; the database can feed another implementation later.
`active_announcements` is the plain function behind them, for a web chat.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.errors import DialogsError


@dataclass(frozen=True, slots=True)
class Announcement:
    """One message to announce while it is valid."""

    id: str
    text: str
    """French text said as it is (no placeholders)."""
    start: datetime | None = None
    """First moment it is said (local time, included); None: already valid."""
    end: datetime | None = None
    """Moment it stops (local time, excluded); None: until removed."""
    priority: int = 0
    """Higher first."""
    urgent: bool = False
    """Said before anything else of the greeting (see the flow's `announce` nodes)."""
    topics: tuple[str, ...] = ()
    """Intents or knowledge topics it concerns; empty: every call."""

    def valid_at(self, now: datetime) -> bool:
        return (self.start is None or self.start <= now) and (self.end is None or now < self.end)

    def concerns(self, topic: str | None) -> bool:
        """True for a general announcement when `topic` is None, or when it targets `topic`."""
        return not self.topics if topic is None else topic in self.topics


def active_announcements(
    items: Iterable[Announcement], now: datetime, topic: str | None = None
) -> list[Announcement]:
    """The announcements valid at `now` for `topic` (None: the ones for every call), urgent
    first, then by priority (higher first), start and id."""
    chosen = [item for item in items if item.valid_at(now) and item.concerns(topic)]
    return sorted(
        chosen, key=lambda a: (not a.urgent, -a.priority, a.start or datetime.min, a.id)
    )


class Announcements(ABC):
    """Where the engine gets the announcements to say."""

    @abstractmethod
    def active(self, now: datetime, topic: str | None = None) -> list[Announcement]:
        """Announcements valid at `now` (local time) for `topic`, in the order to say them;
        `topic` None gives the ones meant for every call. A source that fails raises a
        `DialogsError` (e.g. `AnnouncementsUnavailable`): the call goes on without them."""


class AnnouncementsUnavailable(DialogsError):
    """The announcements could not be read (database down...)."""

    code = "announcements_unavailable"


class NoAnnouncements(Announcements):
    """A flow without announcements."""

    def active(self, now: datetime, topic: str | None = None) -> list[Announcement]:
        return []


def _moment(value: Any, day_end: bool) -> Any:
    """A bare date (text or date) becomes midnight of that day, or of the next one for an
    end; other values are left for pydantic to parse."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        value = date.fromisoformat(value.strip())
    if isinstance(value, date):
        day = value + timedelta(days=1) if day_end else value
        return datetime.combine(day, time())
    return value


class AnnouncementEntry(BaseModel):
    """One announcement of the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1, description="What is said, in French (said as written).")
    start: datetime | None = Field(
        default=None,
        description="From when (local time): 'YYYY-MM-DD' (that day's start) or "
        "'YYYY-MM-DDTHH:MM'.",
    )
    end: datetime | None = Field(
        default=None,
        description="Until when (local time): 'YYYY-MM-DD' (that day included) or "
        "'YYYY-MM-DDTHH:MM' (excluded).",
    )
    priority: int = Field(default=0, description="Higher is said first.")
    urgent: bool = Field(
        default=False, description="Said first, right after 'Bonjour' (alerts, closures)."
    )
    topics: list[str] = Field(
        default_factory=list,
        description="Intents or knowledge topics it concerns (said after that answer); "
        "empty: every call (said after the greeting).",
    )

    @field_validator("start", mode="before")
    @classmethod
    def _start_of_day(cls, value: Any) -> Any:
        return _moment(value, day_end=False)

    @field_validator("end", mode="before")
    @classmethod
    def _end_of_day(cls, value: Any) -> Any:
        return _moment(value, day_end=True)

    @field_validator("start", "end", mode="after")
    @classmethod
    def _local_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("write the local time without a UTC offset (2026-11-09T06:00)")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> AnnouncementEntry:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("'end' must come after 'start' (the announcement would never play)")
        return self


class AnnouncementsFile(BaseModel):
    """The announcements file (`announcements: {ID: {text, start, end, ...}}`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    announcements: dict[str, AnnouncementEntry] = Field(
        default_factory=dict, description="Announcement id -> announcement."
    )

    def items(self) -> list[Announcement]:
        return [
            Announcement(key, entry.text.strip(), entry.start, entry.end, entry.priority,
                         entry.urgent, tuple(entry.topics))
            for key, entry in self.announcements.items()
        ]


@dataclass(frozen=True, slots=True)
class FileAnnouncements(Announcements):
    """Announcements read from a flow's announcements file."""

    items: tuple[Announcement, ...]

    @classmethod
    def of(cls, data: AnnouncementsFile) -> FileAnnouncements:
        return cls(tuple(data.items()))

    def active(self, now: datetime, topic: str | None = None) -> list[Announcement]:
        return active_announcements(self.items, now, topic)
