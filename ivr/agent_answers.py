"""Which agent took a transferred call: the dialplan's `StandardisteAnswered` AMI event, kept
with the call record.

When an agent's phone answers a call the assistant transferred (the queue's member gosub, or
the `U()` option of a direct `Dial`), the shipped dialplan runs `[standardiste-answered]` on
the agent's channel: `UserEvent(StandardisteAnswered,Uuid: <call UUID>,Agent: <endpoint>)`.
Every worker receives it; each stores the same value, which is harmless. The event's fields
come from Asterisk, the endpoint name from its configuration: they are still checked before
they are stored (a UUID, a short name of letters, digits, `_` and `-`).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import NotFound, StorageError
from telephony.ami import AmiClient, AmiEvent
from telephony.ami.channels import parse_uuid

log = logging.getLogger(__name__)

EVENT = "StandardisteAnswered"
AGENT = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True, slots=True)
class Answered:
    call_id: uuid.UUID
    agent: str


def answered(event: AmiEvent) -> Answered | None:
    """The answer an event reports, None for any other event or a malformed one."""
    if event.name != "UserEvent" or event.get("UserEvent") != EVENT:
        return None
    call_id, agent = parse_uuid(event.get("Uuid")), event.get("Agent").strip()
    if call_id is None or not AGENT.fullmatch(agent):
        log.warning("malformed %s event ignored: %r", EVENT, dict(event.fields))
        return None
    return Answered(call_id, agent)


async def record_agent_answers(ami: AmiClient, database: Database) -> None:
    """Keep, for each transferred call an agent answers, that agent's extension (runs until
    cancelled; a database failure loses that one answer, not the watch)."""
    async for event in ami.events():
        answer = answered(event)
        if answer is None:
            continue
        try:
            await database.run(calls.record_transfer_agent, str(answer.call_id), answer.agent)
        except NotFound:
            log.info("call %s answered by %s: no record of it here", answer.call_id,
                     answer.agent)
        except StorageError as err:
            log.warning("call %s answered by %s: not recorded (%s)", answer.call_id,
                        answer.agent, err)
        else:
            log.info("call %s answered by agent %s", answer.call_id, answer.agent)
