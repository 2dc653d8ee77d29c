"""Appointment slots per service: which are free, booking one, cancelling one.

Opening hours are passed in (`ServiceHours`, local wall-clock times in the town hall's time
zone); slots are aware datetimes. A slot is booked at most once: the table has a unique
constraint on (service, starts_at), so two callers booking the same slot at the same instant,
on any number of connections, get one success and one `SlotTaken`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue, NotFound, SlotTaken, SlotUnavailable
from ivr.storage.models import Appointment, Call
from ivr.storage.phone import normalise_phone
from ivr.storage.records import AppointmentRecord
from ivr.storage.savepoint import savepoint
from ivr.storage.types import utc_now


@dataclass(frozen=True, slots=True)
class OpeningPeriod:
    """One opening period of a service on one weekday."""

    weekday: int
    """0 = Monday ... 6 = Sunday."""
    start: time
    """Local time the first slot starts."""
    end: time
    """Local time by which the last slot must have ended."""


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """When a service receives people by appointment."""

    service: str
    """Service name, as the flow names it ("etat-civil", "urbanisme")."""
    periods: tuple[OpeningPeriod, ...]
    slot_minutes: int = 30
    """Length of one appointment, minutes."""
    timezone: str = "Europe/Paris"
    """IANA time zone of the town hall."""
    closed_dates: frozenset[date] = frozenset()
    """Days the service is closed (public holidays...)."""

    def __post_init__(self) -> None:
        if not 5 <= self.slot_minutes <= 480:
            raise InvalidValue("slot length must be between 5 and 480 minutes")
        for period in self.periods:
            if not 0 <= period.weekday <= 6 or period.start >= period.end:
                raise InvalidValue(f"bad opening period {period}")


def day_slots(hours: ServiceHours, day: date) -> list[datetime]:
    """Every slot of the service on that day, booked or not, as aware datetimes."""
    if day in hours.closed_dates:
        return []
    zone = ZoneInfo(hours.timezone)
    step = timedelta(minutes=hours.slot_minutes)
    slots: list[datetime] = []
    for period in sorted(hours.periods, key=lambda p: p.start):
        if period.weekday != day.weekday():
            continue
        start = datetime.combine(day, period.start, zone)
        end = datetime.combine(day, period.end, zone)
        while start + step <= end:
            slots.append(start)
            start += step
    return slots


def free_slots(
    session: Session, hours: ServiceHours, day: date, *, now: datetime | None = None
) -> list[datetime]:
    """Slots of that day not yet booked (and, when `now` is given, not already begun)."""
    slots = day_slots(hours, day)
    if not slots:
        return []
    booked = set(session.scalars(
        select(Appointment.starts_at).where(
            Appointment.service == hours.service,
            Appointment.starts_at >= slots[0],
            Appointment.starts_at <= slots[-1],
        )
    ))
    return [s for s in slots if s not in booked and (now is None or s > now)]


def record_of(row: Appointment) -> AppointmentRecord:
    return AppointmentRecord(
        id=row.id, service=row.service, starts_at=row.starts_at, duration_min=row.duration_min,
        name=row.name, phone=row.phone, call_id=row.call_id, created_at=row.created_at,
    )


def book(
    session: Session,
    hours: ServiceHours,
    starts_at: datetime,
    *,
    name: str,
    phone: str | None = None,
    call_id: str | None = None,
    now: datetime | None = None,
) -> AppointmentRecord:
    """Book a slot; SlotUnavailable if it is not one, SlotTaken if someone booked it first."""
    if starts_at.tzinfo is None:
        raise InvalidValue("slot time must carry its time zone")
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidValue("name must be 1 to 200 characters")
    local_day = starts_at.astimezone(ZoneInfo(hours.timezone)).date()
    if starts_at not in day_slots(hours, local_day):
        raise SlotUnavailable(f"{starts_at.isoformat()} is not a slot of {hours.service}")
    if now is not None and starts_at <= now:
        raise SlotUnavailable("that slot has already begun")
    if call_id is not None and session.get(Call, call_id) is None:
        raise NotFound(f"no call {call_id}")
    row = Appointment(
        service=hours.service, starts_at=starts_at, duration_min=hours.slot_minutes, name=name,
        phone=None if phone is None else normalise_phone(phone), call_id=call_id,
        created_at=utc_now(),
    )
    taken = SlotTaken(f"{hours.service} at {starts_at.isoformat()} is already booked")
    with savepoint(session, taken):
        session.add(row)
    return record_of(row)


def cancel(session: Session, appointment_id: int) -> None:
    """Cancel a booking: the slot is free again."""
    row = session.get(Appointment, appointment_id)
    if row is None:
        raise NotFound(f"no appointment {appointment_id}")
    session.delete(row)
    session.flush()


def list_appointments(
    session: Session, *, service: str | None = None, since: datetime | None = None,
    until: datetime | None = None,
) -> list[AppointmentRecord]:
    """Bookings in time order, optionally for one service, from a time on and before a time
    (`until` excluded)."""
    query = select(Appointment).order_by(Appointment.starts_at)
    if until is not None:
        query = query.where(Appointment.starts_at < until)
    if service is not None:
        query = query.where(Appointment.service == service)
    if since is not None:
        query = query.where(Appointment.starts_at >= since)
    return [record_of(row) for row in session.scalars(query)]


def booked_services(session: Session) -> list[str]:
    """Services that have bookings, sorted."""
    return list(session.scalars(select(Appointment.service).group_by(Appointment.service)
                                .order_by(Appointment.service)))
