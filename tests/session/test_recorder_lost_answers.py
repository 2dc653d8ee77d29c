"""A record write whose COMMIT went through but whose answer was lost (the connection to the
server dropped right after it) is tried again by the call recorder: the retry must find its
own write instead of storing it twice. Real SQLite and real PostgreSQL behind a `Database`
whose `run` commits for real and then raises as a lost answer does (the test double is only
that wrapper around the real database call)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ivr.session.recorder import CallRecorder
from ivr.storage import callbacks, calls
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import DatabaseUnavailable

DELAYS = (0.05, 0.1, 0.2)


class AnswerLostDatabase(Database):
    """While `losing`, every other transaction commits and then fails as if the server's
    answer to COMMIT never came back (each write's first try is lost, its retry answered)."""

    losing = False
    lost = 0
    answered = 0

    async def run(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        result = await super().run(func, *args, **kwargs)  # committed
        if self.losing and self.lost == self.answered:
            self.lost += 1
            raise DatabaseUnavailable("database unavailable: server closed the connection "
                                      "unexpectedly")
        if self.losing:
            self.answered += 1
        return result


@pytest.fixture
def lossy(database: Database) -> Iterator[AnswerLostDatabase]:
    """The test's real database behind `AnswerLostDatabase`."""
    wrapped = AnswerLostDatabase(DatabaseSettings(url=database.settings.url))
    yield wrapped
    wrapped.dispose()


async def test_a_write_committed_but_unanswered_is_stored_once_after_its_retry(
    lossy: AnswerLostDatabase,
) -> None:
    recorder = CallRecorder(lossy, "call-lost", retry_delays_s=DELAYS)
    await recorder.start("0612345678")
    lossy.losing = True
    recorder.turn("assistant", "Bonjour, mairie de Saint-Aubin")
    recorder.turn("caller", "les horaires", intent="horaires", confidence=0.9)
    recorder.turn("assistant", "Au revoir")
    recorder.end("transferred", summary="Horaires", queue="accueil", reason="horaires")
    await recorder.close()
    lossy.losing = False
    record = await lossy.run(calls.get_call, "call-lost")
    assert lossy.lost == 4 and lossy.answered == 4  # each write: committed, lost, tried again
    assert recorder.ok and recorder.retries == 4
    assert [(t.seq, t.speaker, t.text) for t in record.turns] == [
        (1, "assistant", "Bonjour, mairie de Saint-Aubin"), (2, "caller", "les horaires"),
        (3, "assistant", "Au revoir")]
    assert record.turns[1].intent == "horaires" and record.turns[1].confidence == 0.9
    assert record.outcome == "transferred" and record.transfer_queue == "accueil"
    # the end is the time it was queued, not the time of the retry that found it stored
    assert record.ended_at is not None and record.ended_at >= record.turns[-1].at


async def test_a_start_committed_but_unanswered_is_recorded_once_and_the_call_goes_on(
    lossy: AnswerLostDatabase,
) -> None:
    recorder = CallRecorder(lossy, "call-start-lost", retry_delays_s=DELAYS)
    lossy.losing = True
    await recorder.start("0612345678")  # committed, its answer lost
    lossy.losing = False
    recorder.turn("assistant", "Bonjour, mairie de Saint-Aubin")
    recorder.end("resolved", summary="Accueil")
    await recorder.close()
    record = await lossy.run(calls.get_call, "call-start-lost")
    listed = await lossy.run(calls.list_calls)
    assert lossy.lost == 1
    assert recorder.ok and not recorder.started  # bookings made meanwhile did not refer to it
    assert [c.id for c in listed].count("call-start-lost") == 1
    assert record.caller_number == "0612345678" and record.outcome == "resolved"
    assert [(t.seq, t.text) for t in record.turns] == [(1, "Bonjour, mairie de Saint-Aubin")]


class DownThenBackDatabase(Database):
    """Fails its first `down` transactions without running them (the server is restarting)."""

    down = 0

    async def run(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self.down > 0:
            self.down -= 1
            raise DatabaseUnavailable("database unavailable: connection refused")
        return await super().run(func, *args, **kwargs)


@pytest.fixture
def flaky(database: Database) -> Iterator[DownThenBackDatabase]:
    """The test's real database behind `DownThenBackDatabase`."""
    wrapped = DownThenBackDatabase(DatabaseSettings(url=database.settings.url))
    yield wrapped
    wrapped.dispose()


async def test_a_call_starting_while_the_database_restarts_is_recorded_when_it_is_back(
    flaky: DownThenBackDatabase,
) -> None:
    flaky.down = 3  # the awaited first try and the next two
    recorder = CallRecorder(flaky, "call-start-down", retry_delays_s=DELAYS)
    await recorder.start(None)
    recorder.turn("caller", "les horaires", intent="horaires")
    recorder.end("resolved")
    await recorder.close()
    record = await flaky.run(calls.get_call, "call-start-down")
    assert recorder.ok and recorder.retries == 3
    assert record.outcome == "resolved" and [t.text for t in record.turns] == ["les horaires"]


async def test_a_start_tried_again_does_not_take_over_another_call_with_the_same_id(
    flaky: DownThenBackDatabase,
) -> None:
    flaky.down = 1
    recorder = CallRecorder(flaky, "call-taken", retry_delays_s=(0.3,))
    await recorder.start("0612345678")  # failed, not stored: tried again in 0.3 s...
    # ...but another call with this UUID is recorded first (a peer reusing it)
    await flaky.run(calls.start_call, "call-taken", "0499999999")
    recorder.turn("caller", "bonjour")
    await recorder.close()
    record = await flaky.run(calls.get_call, "call-taken")
    assert not recorder.ok
    assert record.caller_number == "0499999999" and record.turns == ()


async def test_a_callback_request_committed_but_unanswered_is_stored_once(
    lossy: AnswerLostDatabase,
) -> None:
    recorder = CallRecorder(lossy, "call-callback", retry_delays_s=DELAYS)
    await recorder.start("0612345678")
    lossy.losing = True
    recorder.turn("caller", "rappelez-moi")
    asked = await recorder.run(
        callbacks.request_callback, phone="0612345678", reason="Passeport",
        queue="accueil", call_id="call-callback", key="k-callback", retry_delays_s=DELAYS)
    await recorder.close()
    lossy.losing = False
    stored = await lossy.run(callbacks.list_callbacks)
    assert lossy.lost == 2 and lossy.answered == 2  # the turn's first try, the request's
    assert [(c.id, c.call_id, c.reason) for c in stored] == [
        (asked.id, "call-callback", "Passeport")]


async def test_a_callback_request_of_a_call_not_recorded_is_tried_again_too(
    flaky: DownThenBackDatabase,
) -> None:
    recorder = CallRecorder(flaky, "call-unrecorded", retry_delays_s=())
    flaky.down = 3  # the start and its one retry (given up), then the request's first try
    await recorder.start(None)
    await recorder.close()
    asked = await recorder.run(
        callbacks.request_callback, phone="0612345678", reason="Voirie", key="k-2",
        retry_delays_s=DELAYS)
    stored = await flaky.run(callbacks.list_callbacks)
    assert not recorder.ok and not recorder.started
    assert flaky.down == 0 and recorder.retries == 2  # the start's, the request's
    assert [(c.id, c.call_id) for c in stored] == [(asked.id, None)]


async def test_a_callback_request_does_not_wait_behind_a_start_being_tried_again(
    flaky: DownThenBackDatabase,
) -> None:
    flaky.down = 1
    recorder = CallRecorder(flaky, "call-pending", retry_delays_s=(3.0,))
    await recorder.start(None)  # failed: tried again in 3 s
    asked = await recorder.run(
        callbacks.request_callback, phone="0612345678", reason="Voirie", key="k-3",
        retry_delays_s=DELAYS)
    start_pending = not await flaky.run(calls.list_calls)
    stored = await flaky.run(callbacks.list_callbacks)
    await recorder.close()
    assert start_pending  # the request was stored before the start's retry
    assert [(c.id, c.call_id) for c in stored] == [(asked.id, None)]
