"""The boundary between the engine and the town hall's systems (agenda, tickets, callbacks).

The engine never books or files anything itself: it calls a `Services` object passed to it.
Dates are `datetime.date`, times "HH:MM" local time, phone numbers digits only. Each method
returns a short reference (letters and digits) that is read back to the caller. The database
implementation lives in `ivr`; `InMemoryServices` serves the simulator and the tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dialogs.errors import SlotTaken
from dialogs.hours import HoursFile


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
    def create_ticket(self, service: str, fields: Mapping[str, str]) -> str:
        """File an incident report (type, address, description, phone...)."""

    @abstractmethod
    def request_callback(self, service: str, phone: str, reason: str) -> str:
        """Ask `service` to call the caller back."""


@dataclass(frozen=True, slots=True)
class Booking:
    service: str
    day: date
    time: str
    name: str
    phone: str
    reference: str


@dataclass(slots=True)
class InMemoryServices(Services):
    """Services kept in memory: slots come from the hours file, minus what is booked."""

    hours: HoursFile
    booked: set[tuple[str, date, str]] = field(default_factory=set)
    """(service, day, "HH:MM") already taken."""
    bookings: list[Booking] = field(default_factory=list)
    tickets: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    """(reference, service, fields)."""
    callbacks: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(reference, service, phone, reason)."""

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

    def create_ticket(self, service: str, fields: Mapping[str, str]) -> str:
        reference = f"S{1001 + len(self.tickets)}"
        self.tickets.append((reference, service, dict(fields)))
        return reference

    def request_callback(self, service: str, phone: str, reason: str) -> str:
        reference = f"C{1001 + len(self.callbacks)}"
        self.callbacks.append((reference, service, phone, reason))
        return reference
