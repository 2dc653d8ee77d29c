"""Calls the assistant put through to a person, kept for a while in case nobody takes them.

When no agent answers (the queue's timeout, every agent busy or rejecting, nobody logged in
any more), the shipped dialplan sends the caller back to the worker that transferred the call,
over AudioSocket with the same UUID (`[standardiste-return]`). That worker finds the call
here and, instead of greeting the caller again, tells them nobody could answer and offers a
callback; the call's record goes on from where it stopped. A worker restarted in between
has forgotten the call: it finds it in the database instead (`recorded_transfer`: a call
recorded as transferred less than `KEEP_S` ago), so the caller is not greeted again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dialogs.events import Transfer
from ivr.session.kept import KeptOnce
from ivr.storage.records import CallRecord

KEEP_S = 3600.0
"""How long a transferred call may come back, seconds (longer than any queue wait)."""
MAX_KEPT = 1000


class TransferredCalls(KeptOnce[str, Transfer]):
    """Call id -> its transfer, the most recent `MAX_KEPT` within `KEEP_S`; `take` returns
    the transfer of a call coming back (once), None for a new call."""

    def __init__(self) -> None:
        super().__init__(KEEP_S, MAX_KEPT)

    def remember(self, call_id: str, transfer: Transfer) -> None:
        self.put(call_id, transfer)


def recorded_transfer(record: CallRecord, now: datetime) -> Transfer | None:
    """The transfer of a call that comes back, from its record (after a worker's restart):
    None unless the call ended transferred less than `KEEP_S` ago (`now` aware, UTC)."""
    if record.outcome != "transferred" or record.ended_at is None:
        return None
    if not timedelta(0) <= now - record.ended_at <= timedelta(seconds=KEEP_S):
        return None
    reason = record.transfer_reason or ""
    return Transfer(record.transfer_queue or "", reason, record.summary or reason)
