"""Transferred calls kept in case they come back unanswered (the real return, through
Asterisk, is in tests/session/test_agent_handoff.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogs.events import Transfer
from ivr.session import returns
from ivr.session.returns import TransferredCalls
from ivr.storage.records import CallRecord

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)


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


def _record(outcome: str | None, ended_at: datetime | None) -> CallRecord:
    return CallRecord(
        id="call-1", caller_number="0612345678", started_at=NOW - timedelta(minutes=2),
        ended_at=ended_at, outcome=outcome, transfer_queue="accueil",
        transfer_reason="Le demandeur souhaite parler à un conseiller",
        summary="Carte d'identité, rendez-vous demandé.")


def test_a_worker_restarted_since_the_transfer_finds_it_in_the_record() -> None:
    back = returns.recorded_transfer(_record("transferred", NOW - timedelta(seconds=30)), NOW)
    assert back == Transfer("accueil", "Le demandeur souhaite parler à un conseiller",
                            "Carte d'identité, rendez-vous demandé.")
    # not a transfer, still in progress, too old, or from the future: a new call
    assert returns.recorded_transfer(_record("resolved", NOW), NOW) is None
    assert returns.recorded_transfer(_record("callback", NOW), NOW) is None
    assert returns.recorded_transfer(_record(None, None), NOW) is None
    old = NOW - timedelta(seconds=returns.KEEP_S + 1)
    assert returns.recorded_transfer(_record("transferred", old), NOW) is None
    later = NOW + timedelta(minutes=5)
    assert returns.recorded_transfer(_record("transferred", later), NOW) is None
