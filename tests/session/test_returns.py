"""Transferred calls kept in case they come back unanswered (the real return, through
Asterisk, is in tests/session/test_agent_handoff.py)."""

from __future__ import annotations

from dialogs.events import Transfer
from ivr.session import returns
from ivr.session.returns import TransferredCalls


def test_a_transferred_call_comes_back_once_and_a_new_call_is_not_taken_for_one() -> None:
    kept = TransferredCalls()
    transfer = Transfer("accueil", "Le demandeur souhaite parler à un conseiller")
    kept.remember("call-1", transfer)
    assert kept.take("call-2") is None
    assert kept.take("call-1") == transfer
    assert kept.take("call-1") is None  # a second return is a new call


def test_only_the_most_recent_transfers_are_kept() -> None:
    kept = TransferredCalls()
    for n in range(returns.MAX_KEPT + 5):
        kept.remember(f"call-{n}", Transfer("accueil", "x"))
    assert kept.take("call-0") is None
    assert kept.take(f"call-{returns.MAX_KEPT + 4}") is not None
