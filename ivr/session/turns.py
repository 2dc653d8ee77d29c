"""Pure decisions of a caller's turn: what kind of answer is expected, whether a partial
result is already a complete answer, when that complete answer has settled, and when keypad
digits complete the turn. No clock and no I/O: durations in milliseconds are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogs.flow_model import AskNode, FormNode, MenuNode
from dialogs.loader import LoadedFlow
from dialogs.state import CallState
from dialogs.understanding import Understander

QUICK_KINDS = frozenset({"yes_no", "phone"})
"""Answer kinds whose completeness can be judged from the words alone."""
PHONE_DIGITS = 10


def expected_kind(loaded: LoadedFlow, state: CallState) -> str | None:
    """The kind of answer the call waits for: a form's slot kind, 'yes_no' for a read-back
    or a question answered yes or no, None for an open question."""
    node = loaded.flow.nodes.get(state.node)
    if isinstance(node, FormNode):
        if state.form_slot == "!confirm":
            return "yes_no"
        for slot in node.slots:
            if slot.name == state.form_slot:
                return slot.kind
        return None
    if isinstance(node, AskNode | MenuNode):
        # Only a pure yes/no question: where other requests are accepted too ("oui... euh,
        # je voudrais aussi"), a "oui" must not end the caller's turn early.
        choices = node.routes if isinstance(node, AskNode) else node.choices
        replies = {choice.reply for choice in choices if choice.reply is not None}
        open_choices = node.inherit is not None or any(c.intent for c in choices)
        if replies == {"yes", "no"} and not open_choices:
            return "yes_no"
    return None


def is_complete(kind: str | None, text: str, understander: Understander, now: datetime) -> bool:
    """Whether `text` (a partial result) already answers a question of `kind` in full."""
    if kind not in QUICK_KINDS or not text.strip():
        return False
    value = understander.extract(kind, text, now)
    if value is None:
        return False
    if kind == "phone":
        return len(value) == PHONE_DIGITS
    return len(text.split()) <= 3  # "oui", "non merci": longer answers may go on


@dataclass(slots=True)
class SettleTimer:
    """Ends a turn once a complete partial result has stayed unchanged for `settle_ms`."""

    settle_ms: float
    """Audio without a change needed, milliseconds."""
    complete: bool = False
    _stable_ms: float = 0.0

    def partial(self, complete: bool) -> None:
        """A new partial result arrived; `complete` says whether it is a complete answer."""
        self.complete = complete
        self._stable_ms = 0.0

    def advance(self, ms: float) -> bool:
        """`ms` more audio went by; True when the turn should end now."""
        if not self.complete:
            return False
        self._stable_ms += ms
        return self._stable_ms >= self.settle_ms


def digits_done(digits: str, max_digits: int) -> bool:
    """Whether keypad input is a whole answer: '#' ends it, or `max_digits` digits."""
    if digits.endswith("#"):
        return True
    return len(digits) >= max(1, max_digits)
