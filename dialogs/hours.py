"""Opening hours per service, exceptional closures, and whether a service is open.

The hours file (YAML, edited by admins) maps each service (which is also a transfer queue) to
its weekly hours: French weekday -> list of "HH:MM-HH:MM" ranges, local time. Closures are
dates (or date ranges) when some or all services are closed. Public holidays close every
service. Times are naive local datetimes; the caller of `is_open` passes the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialogs.holidays import holiday_name
from dialogs.speak import WEEKDAYS, say_list, say_time

Weekday = Literal["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
RANGE_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"


class Service(BaseModel):
    """One service of the town hall, with its transfer queue of the same name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(description="How callers hear the service: 'le service état civil'.")
    hours: dict[Weekday, list[str]] = Field(
        default_factory=dict,
        description="Weekly hours: weekday -> ranges 'HH:MM-HH:MM' (local time). "
        "A day not listed is closed.",
    )
    appointment_minutes: int = Field(
        default=30, ge=5, le=240, description="Length of one appointment slot, minutes."
    )

    @field_validator("hours")
    @classmethod
    def _ranges_are_valid(cls, value: dict[Weekday, list[str]]) -> dict[Weekday, list[str]]:
        for day, ranges in value.items():
            for item in ranges:
                if not re.match(RANGE_PATTERN, item):
                    raise ValueError(f"{day}: '{item}' is not a range like '08:30-12:00'")
                start, end = item.split("-")
                if start >= end:
                    raise ValueError(f"{day}: range '{item}' ends before it starts")
        return value

    def ranges(self, day: date) -> list[tuple[time, time]]:
        """Opening ranges on the weekday of `day` (ignores holidays and closures)."""
        items = self.hours.get(cast(Weekday, WEEKDAYS[day.weekday()]), [])
        result: list[tuple[time, time]] = []
        for item in items:
            start, end = item.split("-")
            result.append((_parse_time(start), _parse_time(end)))
        return result


class Closure(BaseModel):
    """An exceptional closure (bridge day, works, staff training...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date = Field(description="First closed day.")
    end: date | None = Field(default=None, description="Last closed day (default: start).")
    services: list[str] = Field(
        default_factory=list, description="Services closed; empty means every service."
    )
    label: str = Field(default="fermeture exceptionnelle", description="Said to callers.")

    def covers(self, service: str, day: date) -> bool:
        last = self.end or self.start
        return self.start <= day <= last and (not self.services or service in self.services)


class HoursFile(BaseModel):
    """The whole hours file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    services: dict[str, Service] = Field(description="Service (and queue) name -> service.")
    closures: list[Closure] = Field(default_factory=list, description="Exceptional closures.")

    def closed_reason(self, service: str, day: date) -> str | None:
        """Why `service` is closed all day on `day` (holiday or closure), or None."""
        name = holiday_name(day)
        if name is not None:
            return f"jour férié ({name})"
        for closure in self.closures:
            if closure.covers(service, day):
                return closure.label
        return None

    def open_ranges(self, service: str, day: date) -> list[tuple[time, time]]:
        """Opening ranges of `service` on `day`, holidays and closures applied."""
        if service not in self.services or self.closed_reason(service, day) is not None:
            return []
        return self.services[service].ranges(day)

    def is_open(self, service: str, now: datetime) -> bool:
        """Whether `service` is open at local time `now`."""
        moment = now.time()
        return any(start <= moment < end for start, end in self.open_ranges(service, now.date()))

    def describe(self, service: str) -> str:
        """French sentence giving the weekly hours of `service`."""
        entry = self.services[service]
        groups: list[tuple[list[str], tuple[str, ...]]] = []
        for day in WEEKDAYS:
            ranges = tuple(entry.hours.get(cast(Weekday, day), []))
            if groups and groups[-1][1] == ranges:
                groups[-1][0].append(day)
            else:
                groups.append(([day], ranges))
        parts = []
        for days, ranges in groups:
            if not ranges:
                continue
            when = f"le {days[0]}" if len(days) == 1 else f"du {days[0]} au {days[-1]}"
            spans = [f"de {say_time(r[:5])} à {say_time(r[6:])}" for r in ranges]
            parts.append(f"{when} {say_list(spans)}")
        if not parts:
            return f"{entry.label} ne reçoit pas de public."
        return f"{_capitalise(entry.label)} est ouvert {say_list(parts)}."


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(23, 59, 59) if hours == 24 else time(hours, minutes)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
