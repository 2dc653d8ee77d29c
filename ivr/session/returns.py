"""Calls the assistant put through to a person, kept for a while in case nobody takes them.

When no agent answers (the queue's timeout, every agent busy or rejecting, nobody logged in
any more), the shipped dialplan sends the caller back to the worker that transferred the call,
over AudioSocket with the same UUID (`[standardiste-return]`). That worker finds the call
here and, instead of greeting the caller again, tells them nobody could answer and offers a
callback; the call's record goes on from where it stopped. A worker restarted in between
has forgotten the call: the caller is greeted as a new call, which still loses nothing.
"""

from __future__ import annotations

from dialogs.events import Transfer
from ivr.session.kept import KeptOnce

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
