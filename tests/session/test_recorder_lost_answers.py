"""A record write whose COMMIT went through but whose answer was lost (the connection to the
server dropped right after it) is tried again by the call recorder: the retry must find its
own write instead of storing it twice. Real SQLite and real PostgreSQL behind a `Database`
whose `run` commits for real and then raises as a lost answer does (the test double is only
that wrapper around the real database call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ivr.session.recorder import CallRecorder
from ivr.storage import calls
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


async def test_a_write_committed_but_unanswered_is_stored_once_after_its_retry(
    database: Database,
) -> None:
    lossy = AnswerLostDatabase(DatabaseSettings(url=database.settings.url))
    try:
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
    finally:
        lossy.dispose()
    assert lossy.lost == 4 and lossy.answered == 4  # each write: committed, lost, tried again
    assert recorder.ok and recorder.retries == 4
    assert [(t.seq, t.speaker, t.text) for t in record.turns] == [
        (1, "assistant", "Bonjour, mairie de Saint-Aubin"), (2, "caller", "les horaires"),
        (3, "assistant", "Au revoir")]
    assert record.turns[1].intent == "horaires" and record.turns[1].confidence == 0.9
    assert record.outcome == "transferred" and record.transfer_queue == "accueil"
    # the end is the time it was queued, not the time of the retry that found it stored
    assert record.ended_at is not None and record.ended_at >= record.turns[-1].at
