"""The boundary between the engine and the town hall's systems (agenda, tickets, callbacks,
satisfaction answers).

The engine never books or files anything itself: it calls a `Services` object passed to it.
Dates are `datetime.date`, times "HH:MM" local time, phone numbers digits only. Each method
but `record_feedback` returns a short reference (letters and digits) that is read back to the
caller. Tickets are of two kinds: "incident" (a problem in the street) and "message" (a
remark, complaint or suggestion left by the caller, with the call's transcript). The database
implementation lives in `ivr`; `InMemoryServices` serves the simulator and the tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from dialogs.errors import SlotTaken
from dialogs.hours import HoursFile
from dialogs.state import FeedbackAnswer

TicketKind = Literal["incident", "message"]


class Services(ABC):
    """What a flow may ask the town hall's systems to do."""

    @abstractmethod
    def free_slots(self, service: str, day: date) -> list[str]:
        """Free appointment start times ("HH:MM", sorted) of `service` on `day` (the engine
        itself leaves out the times already past)."""

    @abstractmethod
    def book(self, service: str, day: date, time: str, name: str, phone: str) -> str:
        """Book an appointment; raises `SlotTaken` when the slot is not free."""

    @abstractmethod
    def create_ticket(
        self,
        service: str,
        fields: Mapping[str, str],
        *,
        kind: TicketKind = "incident",
        call_id: str = "",
        transcript: Sequence[str] = (),
    ) -> str:
        """File a ticket for `service`: an incident report (problem, address, description,
        phone...) or a caller's message (message, phone...), with the call's id and, for a
        message, its transcript ("appelant : ..." / "assistant : ..." lines)."""

    @abstractmethod
    def request_callback(self, service: str, phone: str, reason: str) -> str:
        """Ask `service` to call the caller back."""

    @abstractmethod
    def record_feedback(self, call_id: str, feedback: FeedbackAnswer) -> None:
        """Store the caller's answer to the satisfaction question with the call."""


@dataclass(frozen=True, slots=True)
class Booking:
    service: str
    day: date
    time: str
    name: str
    phone: str
    reference: str


@dataclass(frozen=True, slots=True)
class FiledTicket:
    reference: str
    service: str
    fields: dict[str, str]
    kind: TicketKind = "incident"
    call_id: str = ""
    transcript: tuple[str, ...] = ()


@dataclass(slots=True)
class InMemoryServices(Services):
    """Services kept in memory: slots come from the hours file, minus what is booked."""

    hours: HoursFile
    booked: set[tuple[str, date, str]] = field(default_factory=set)
    """(service, day, "HH:MM") already taken."""
    bookings: list[Booking] = field(default_factory=list)
    tickets: list[FiledTicket] = field(default_factory=list)
    callbacks: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(reference, service, phone, reason)."""
    feedback: list[tuple[str, FeedbackAnswer]] = field(default_factory=list)
    """(call id, answer)."""

    @classmethod
    def with_booked(
        cls, hours: HoursFile, booked: Iterable[tuple[str, date, str]]
    ) -> InMemoryServices:
        return cls(hours=hours, booked=set(booked))

    def free_slots(self, service: str, day: date) -> list[str]:
        entry = self.hours.services.get(service)
        if entry is None:
            return []
        step = timedelta(minutes=entry.appointment_minutes)
        result: list[str] = []
        for start, end in self.hours.open_ranges(service, day):
            moment = datetime.combine(day, start)
            while moment + step <= datetime.combine(day, end):
                text = moment.strftime("%H:%M")
                if (service, day, text) not in self.booked:
                    result.append(text)
                moment += step
        return result

    def book(self, service: str, day: date, time: str, name: str, phone: str) -> str:
        if (service, day, time) in self.booked:
            raise SlotTaken(f"{service} {day} {time} is already booked")
        self.booked.add((service, day, time))
        reference = f"R{1001 + len(self.bookings)}"
        self.bookings.append(Booking(service, day, time, name, phone, reference))
        return reference

    def create_ticket(
        self,
        service: str,
        fields: Mapping[str, str],
        *,
        kind: TicketKind = "incident",
        call_id: str = "",
        transcript: Sequence[str] = (),
    ) -> str:
        prefix = "M" if kind == "message" else "S"
        reference = f"{prefix}{1001 + sum(t.kind == kind for t in self.tickets)}"
        self.tickets.append(
            FiledTicket(reference, service, dict(fields), kind, call_id, tuple(transcript))
        )
        return reference

    def request_callback(self, service: str, phone: str, reason: str) -> str:
        reference = f"C{1001 + len(self.callbacks)}"
        self.callbacks.append((reference, service, phone, reason))
        return reference

    def record_feedback(self, call_id: str, feedback: FeedbackAnswer) -> None:
        self.feedback.append((call_id, feedback))
