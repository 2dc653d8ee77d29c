"""The retention purge: what is older than the retention period is deleted.

Deleted: calls that started before the cut-off, with their turns (transcripts, any audio);
callback requests done before the cut-off; expired web sessions. Kept: appointments (a
booking is needed until it happens; its link to the purged call is cleared), incident tickets
(public-service records handled by agents), pending callbacks. `ivr serve` runs
`purge_periodically`: a purge when it starts, then one a day (each worker of a shared
database does; a purge finds nothing left by another's); `ivr purge` runs it by hand.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ivr.storage import options, web_sessions
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, StorageError
from ivr.storage.models import Call, CallbackRequest, Turn
from ivr.storage.types import utc_now

DAY_S = 86_400.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge deleted."""

    cutoff: datetime
    """Rows older than this instant (UTC) were deleted."""
    calls: int
    turns: int
    callbacks: int
    web_sessions: int


def purge_expired_data(
    session: Session, *, now: datetime | None = None, retention_days: int | None = None
) -> PurgeReport:
    """Delete what is older than the retention period (the `retention_days` option by default)."""
    days = options.retention_days(session) if retention_days is None else retention_days
    if days < 1:
        raise InvalidValue("retention must be at least one day")
    moment = now or utc_now()
    cutoff = moment - timedelta(days=days)
    old_calls = select(Call.id).where(Call.started_at < cutoff)
    turns = session.scalar(select(func.count()).where(Turn.call_id.in_(old_calls))) or 0
    # Explicit turn deletion: does not rely on ON DELETE CASCADE being enforced.
    session.execute(delete(Turn).where(Turn.call_id.in_(old_calls)))
    calls = session.execute(delete(Call).where(Call.started_at < cutoff))
    callbacks = session.execute(
        delete(CallbackRequest).where(
            CallbackRequest.status == "done", CallbackRequest.done_at < cutoff
        )
    )
    expired = web_sessions.purge_expired(session, moment)
    session.flush()
    return PurgeReport(
        cutoff=cutoff,
        calls=int(getattr(calls, "rowcount", 0) or 0),
        turns=int(turns),
        callbacks=int(getattr(callbacks, "rowcount", 0) or 0),
        web_sessions=expired,
    )


async def purge_periodically(
    database: Database, stop: asyncio.Event, *, interval_s: float = DAY_S
) -> list[PurgeReport]:
    """The service's daily job: purge now, then every `interval_s` seconds until `stop` is set.

    A failed purge is logged and tried again at the next interval; it never ends the loop.
    Returns the reports of the purges done (for logs and tests).
    """
    reports: list[PurgeReport] = []
    while not stop.is_set():
        try:
            report = await database.run(purge_expired_data)
        except StorageError as err:
            log.error("retention purge failed: %s (%s)", err.message, err.code)
        except Exception:  # a driver failure the repositories did not map: try again later
            log.exception("retention purge failed")
        else:
            reports.append(report)
            log.info("retention purge: %s", report)
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except TimeoutError:
            continue
    return reports
