"""Appointment slots: free slots from opening hours, booking, and no double booking ever."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.storage import appointments, calls
from ivr.storage.appointments import OpeningPeriod, ServiceHours
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, NotFound, SlotTaken, SlotUnavailable
from ivr.storage.records import AppointmentRecord
from tests.storage.concurrency import run_together

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = date(2026, 3, 10)
HOURS = ServiceHours(
    service="etat-civil",
    periods=(
        OpeningPeriod(weekday=1, start=time(14, 0), end=time(16, 0)),
        OpeningPeriod(weekday=1, start=time(9, 0), end=time(10, 15)),
    ),
    slot_minutes=30,
    closed_dates=frozenset({date(2026, 3, 17)}),
)


def at(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def test_day_slots_follow_the_opening_hours() -> None:
    assert appointments.day_slots(HOURS, TUESDAY) == [
        at(9), at(9, 30), at(14), at(14, 30), at(15), at(15, 30)]
    assert appointments.day_slots(HOURS, TUESDAY + timedelta(days=1)) == []
    assert appointments.day_slots(HOURS, date(2026, 3, 17)) == []


def test_bad_opening_hours_are_refused() -> None:
    with pytest.raises(InvalidValue):
        ServiceHours("x", (OpeningPeriod(1, time(10), time(9)),))
    with pytest.raises(InvalidValue):
        ServiceHours("x", (OpeningPeriod(7, time(9), time(10)),))
    with pytest.raises(InvalidValue):
        ServiceHours("x", (), slot_minutes=0)


def test_booking_removes_the_slot_and_cancelling_frees_it(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c1", "0612345678")
        booked = appointments.book(s, HOURS, at(14, 30), name="Mme Martin",
                                   phone="06 12 34 56 78", call_id="c1")
    assert booked.phone == "0612345678" and booked.duration_min == 30
    assert booked.starts_at == at(14, 30)
    with database.transaction() as s:
        free = appointments.free_slots(s, HOURS, TUESDAY)
        assert at(14, 30) not in free and len(free) == 5
        assert appointments.free_slots(s, HOURS, TUESDAY, now=at(14, 45)) == [at(15), at(15, 30)]
        appointments.cancel(s, booked.id)
    with database.transaction() as s:
        assert at(14, 30) in appointments.free_slots(s, HOURS, TUESDAY)


def test_the_same_slot_cannot_be_booked_twice(database: Database) -> None:
    with database.transaction() as s:
        appointments.book(s, HOURS, at(9), name="A")
    with pytest.raises(SlotTaken), database.transaction() as s:
        appointments.book(s, HOURS, at(9).astimezone(UTC), name="B")
    other = ServiceHours("urbanisme", HOURS.periods)
    with database.transaction() as s:
        appointments.book(s, other, at(9), name="C")  # another service: its own slots
        assert [a.name for a in appointments.list_appointments(s, service="etat-civil")] == ["A"]


def test_concurrent_bookings_of_one_slot_let_exactly_one_win(database: Database) -> None:
    def book(i: int) -> AppointmentRecord:
        with database.transaction() as s:
            return appointments.book(s, HOURS, at(15), name=f"caller {i}")

    outcomes = run_together(6, book)
    winners = [o for o in outcomes if isinstance(o, AppointmentRecord)]
    losers = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(winners) == 1 and len(losers) == 5, outcomes
    with database.transaction() as s:
        stored = appointments.list_appointments(s)
    assert [a.name for a in stored] == [winners[0].name]


def test_slots_that_do_not_exist_are_refused(database: Database) -> None:
    with database.transaction() as s:
        with pytest.raises(SlotUnavailable):
            appointments.book(s, HOURS, at(9, 10), name="misaligned")
        with pytest.raises(SlotUnavailable):
            appointments.book(s, HOURS, at(10), name="ends after closing")
        with pytest.raises(SlotUnavailable):
            appointments.book(s, HOURS, at(9, day=date(2026, 3, 17)), name="closed day")
        with pytest.raises(SlotUnavailable):
            appointments.book(s, HOURS, at(9), name="past", now=at(12))
        with pytest.raises(InvalidValue):
            appointments.book(s, HOURS, datetime(2026, 3, 10, 9), name="naive")
        with pytest.raises(InvalidValue):
            appointments.book(s, HOURS, at(9), name="  ")
        with pytest.raises(InvalidValue):
            appointments.book(s, HOURS, at(9), name="x", phone="pas un numéro")
        with pytest.raises(NotFound):
            appointments.book(s, HOURS, at(9), name="x", call_id="no-such-call")
        with pytest.raises(NotFound):
            appointments.cancel(s, 999)
        assert appointments.list_appointments(s) == []
