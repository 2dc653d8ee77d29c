"""Calls the assistant put through to a person, kept for a while in case nobody takes them.

When no agent answers (the queue's timeout, every agent busy or rejecting, nobody logged in
any more), the shipped dialplan sends the caller back to the worker that transferred the call,
over AudioSocket with the same UUID (`[standardiste-return]`). That worker finds the call
here and, instead of greeting the caller again, tells them nobody could answer and offers a
callback; the call's record goes on from where it stopped. A worker restarted in between
has forgotten the call: the caller is greeted as a new call, which still loses nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from dialogs.events import Transfer

KEEP_S = 3600.0
"""How long a transferred call may come back, seconds (longer than any queue wait)."""
MAX_KEPT = 1000


@dataclass(frozen=True, slots=True)
class Transferred:
    transfer: Transfer
    at: float
    """`time.monotonic()` of the transfer."""


class TransferredCalls:
    """Call id -> its transfer, the most recent `MAX_KEPT` within `KEEP_S`."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, Transferred] = OrderedDict()

    def remember(self, call_id: str, transfer: Transfer) -> None:
        self._calls[call_id] = Transferred(transfer, time.monotonic())
        self._calls.move_to_end(call_id)
        while len(self._calls) > MAX_KEPT:
            self._calls.popitem(last=False)

    def take(self, call_id: str) -> Transfer | None:
        """The transfer of a call coming back (forgotten once taken), None for a new call."""
        kept = self._calls.pop(call_id, None)
        if kept is None or time.monotonic() - kept.at > KEEP_S:
            return None
        return kept.transfer
