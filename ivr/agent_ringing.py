"""Which agent's phone rings for which call, from AMI events, published to the live hub so the
agent console shows the call while the phone rings (the screen-pop).

The shipped dialplan dials each queue member (and a direct `Dial` to one agent) with a
pre-dial gosub, `[standardiste-ringing]`, run on the agent's new channel before it rings:
`UserEvent(StandardisteRinging,Uuid: <call UUID>,Agent: <endpoint>)`; the event's `Channel`
is the agent's channel, named by Asterisk. Then:

- `StandardisteAnswered` (`ivr.agent_answers`; its `Channel` is the agent's): that agent took
  the call -> "answered";
- `Hangup` of a channel still ringing: that phone stopped ringing (not answered in time,
  rejected, the caller hung up, another agent took it) -> "ring_end";
- `Hangup` of an agent's channel that answered: the conversation is over -> "agent_end".

Every worker receives every event; each publishes only about the calls its own hub knows (a
call in progress on this worker), so a console shows the phone's ringing calls of the worker
it is served by. Fields are checked before use (UUID, endpoint name, channel name); the table
of channels followed is bounded (a lost `Hangup` cannot grow it).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass

from ivr.agent_answers import AGENT, answered
from ivr.live import CallEvent, LiveHub
from telephony.ami import AmiClient, AmiEvent
from telephony.ami.channels import parse_uuid

log = logging.getLogger(__name__)

EVENT = "StandardisteRinging"
CHANNEL = re.compile(r"[A-Za-z0-9_/;@.:-]{1,128}")


@dataclass(frozen=True, slots=True)
class Ringing:
    call_id: str
    agent: str
    channel: str


def ringing(event: AmiEvent) -> Ringing | None:
    """The ringing an event reports, None for any other event or a malformed one."""
    if event.name != "UserEvent" or event.get("UserEvent") != EVENT:
        return None
    call_id, agent = parse_uuid(event.get("Uuid")), event.get("Agent").strip()
    channel = event.get("Channel").strip()
    if call_id is None or not AGENT.fullmatch(agent) or not CHANNEL.fullmatch(channel):
        log.warning("malformed %s event ignored: %r", EVENT, dict(event.fields))
        return None
    return Ringing(str(call_id), agent, channel)


class RingingPhones:
    """Agent channels ringing or answered now, and the live events their AMI events make."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._ringing: OrderedDict[str, Ringing] = OrderedDict()
        self._answered: OrderedDict[str, Ringing] = OrderedDict()

    def __len__(self) -> int:
        return len(self._ringing) + len(self._answered)

    def follow(self, event: AmiEvent) -> CallEvent | None:
        """The live event an AMI event makes, None for most."""
        ring = ringing(event)
        if ring is not None:
            self._keep(self._ringing, ring)
            return CallEvent(ring.call_id, "ringing", agent=ring.agent)
        answer = answered(event)
        if answer is not None:
            call_id = str(answer.call_id)
            channel = event.get("Channel").strip()
            self._ringing.pop(channel, None)
            if CHANNEL.fullmatch(channel):
                self._keep(self._answered, Ringing(call_id, answer.agent, channel))
            return CallEvent(call_id, "answered", agent=answer.agent)
        if event.name == "Hangup":
            channel = event.get("Channel").strip()
            ended = self._ringing.pop(channel, None)
            if ended is not None:
                return CallEvent(ended.call_id, "ring_end", agent=ended.agent)
            talked = self._answered.pop(channel, None)
            if talked is not None:
                return CallEvent(talked.call_id, "agent_end", agent=talked.agent)
        return None

    def _keep(self, table: OrderedDict[str, Ringing], ring: Ringing) -> None:
        table[ring.channel] = ring
        table.move_to_end(ring.channel)
        while len(table) > self.limit:
            table.popitem(last=False)


async def publish_agent_phones(ami: AmiClient, hub: LiveHub) -> None:
    """Publish the agents' phones ringing, answering and stopping (runs until cancelled)."""
    phones = RingingPhones()
    async for event in ami.events():
        live = phones.follow(event)
        if live is not None:
            hub.publish(live)
            log.debug("call %s: %s on phone %s", live.call_id, live.kind, live.agent)
