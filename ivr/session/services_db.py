"""The dialogs `Services` boundary over the database: appointments are booked, incident tickets
opened and callback requests stored for real (`ivr.storage`).

The engine calls these methods synchronously from a worker thread (the session runs each
dialogue step with `asyncio.to_thread`), so each opens its own short transaction. Opening
hours come from the flow's hours file (holidays and closures applied); dates and times are
the town hall's local wall-clock time ("HH:MM"), stored as aware datetimes in `timezone`.
References read back to the caller: "R<id>" (appointment), the ticket's "SIG-YYYY-NNNNNN",
"C<id>" (callback). A caller's message is a ticket of category "message:<service>" linked to
the call (whose turns hold the transcript). A satisfaction answer is kept with the call record
(`calls.record_satisfaction`); a failure to store it is a ServiceError, which the engine keeps
from the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dialogs.errors import ServiceError, SlotTaken
from dialogs.hours import HoursFile
from dialogs.services import Services, TicketKind
from dialogs.state import FeedbackAnswer
from ivr.storage import appointments, callbacks, calls, tickets
from ivr.storage import errors as storage_errors
from ivr.storage.appointments import OpeningPeriod, ServiceHours
from ivr.storage.database import Database

DESCRIPTION_FIELDS = ("description", "message", "text")
LOCATION_FIELDS = ("address", "location")
CATEGORY_FIELDS = ("problem", "type", "category")


class DatabaseServices(Services):
    """Appointments, tickets and callbacks of one call, stored in the database."""

    def __init__(
        self, database: Database, hours: HoursFile, timezone: str, call_id: str | None
    ) -> None:
        self.database = database
        self.hours = hours
        self.zone = ZoneInfo(timezone)
        self.call_id = call_id
        """The call the bookings belong to (None when the call is not recorded)."""
        self.done: list[str] = []
        """What this call obtained, in order: "appointment", "ticket", "callback"."""

    def service_hours(self, service: str, day: date) -> ServiceHours:
        """The service's appointment hours on `day`, from the flow's hours file."""
        entry = self.hours.services.get(service)
        if entry is None:
            raise ServiceError(f"no service {service!r} in the hours file", "unknown_service")
        periods = tuple(
            OpeningPeriod(day.weekday(), start, end)
            for start, end in self.hours.open_ranges(service, day)
        )
        return ServiceHours(service, periods, entry.appointment_minutes, str(self.zone))

    def free_slots(self, service: str, day: date) -> list[str]:
        hours = self.service_hours(service, day)
        try:
            with self.database.transaction() as session:
                slots = appointments.free_slots(session, hours, day)
        except storage_errors.StorageError as err:
            raise ServiceError(f"agenda unavailable: {err}", err.code) from err
        return [slot.astimezone(self.zone).strftime("%H:%M") for slot in slots]

    def book(self, service: str, day: date, time: str, name: str, phone: str) -> str:
        hours = self.service_hours(service, day)
        starts = datetime.combine(day, datetime.strptime(time, "%H:%M").time(), self.zone)
        try:
            with self.database.transaction() as session:
                record = appointments.book(session, hours, starts, name=name,
                                           phone=phone or None, call_id=self.call_id)
        except (storage_errors.SlotTaken, storage_errors.SlotUnavailable) as err:
            raise SlotTaken(str(err)) from err
        except storage_errors.StorageError as err:
            raise ServiceError(f"appointment not booked: {err}", err.code) from err
        self.done.append("appointment")
        return f"R{record.id}"

    def create_ticket(
        self,
        service: str,
        fields: Mapping[str, str],
        *,
        kind: TicketKind = "incident",
        call_id: str = "",
        transcript: Sequence[str] = (),
    ) -> str:
        # the transcript is the call's own turns, stored with the call the ticket links to
        category = _first(fields, CATEGORY_FIELDS) or service
        if kind == "message":
            category = f"message:{service}"
        description = _first(fields, DESCRIPTION_FIELDS) or "; ".join(
            f"{key} : {value}" for key, value in sorted(fields.items())
        )
        try:
            with self.database.transaction() as session:
                record = tickets.open_ticket(
                    session, category=category[:64], description=description or category,
                    location=_first(fields, LOCATION_FIELDS), phone=fields.get("phone") or None,
                    call_id=self.call_id,
                )
        except storage_errors.StorageError as err:
            raise ServiceError(f"ticket not opened: {err}", err.code) from err
        self.done.append("ticket")
        return record.reference

    def request_callback(self, service: str, phone: str, reason: str) -> str:
        try:
            with self.database.transaction() as session:
                record = callbacks.request_callback(
                    session, phone=phone, reason=reason or "Demande de rappel",
                    queue=service or None, call_id=self.call_id,
                )
        except storage_errors.StorageError as err:
            raise ServiceError(f"callback not recorded: {err}", err.code) from err
        self.done.append("callback")
        return f"C{record.id}"

    def record_feedback(self, call_id: str, feedback: FeedbackAnswer) -> None:
        if self.call_id is None:
            raise ServiceError("this call is not recorded", "feedback_not_stored")
        try:
            with self.database.transaction() as session:
                calls.record_satisfaction(session, self.call_id, feedback.scale,
                                          feedback.score, feedback.comment)
        except storage_errors.StorageError as err:
            raise ServiceError(f"satisfaction answer not stored: {err}", err.code) from err
        self.done.append("feedback")


def _first(fields: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name, "").strip()
        if value:
            return value
    return None


class UnavailableServices(Services):
    """No database: nothing can be booked or stored, and the flow is told so (it apologises
    and goes to its `on_failure` step) instead of promising what will not happen."""

    done: list[str]

    def __init__(self) -> None:
        self.done = []

    def _refuse(self) -> ServiceError:
        return ServiceError("the database is unavailable", "database_unavailable")

    def free_slots(self, service: str, day: date) -> list[str]:
        raise self._refuse()

    def book(self, service: str, day: date, time: str, name: str, phone: str) -> str:
        raise self._refuse()

    def create_ticket(
        self,
        service: str,
        fields: Mapping[str, str],
        *,
        kind: TicketKind = "incident",
        call_id: str = "",
        transcript: Sequence[str] = (),
    ) -> str:
        raise self._refuse()

    def request_callback(self, service: str, phone: str, reason: str) -> str:
        raise self._refuse()

    def record_feedback(self, call_id: str, feedback: FeedbackAnswer) -> None:
        raise self._refuse()
