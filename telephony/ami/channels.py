"""Which Asterisk channel carries which call: AudioSocket UUID -> caller's channel name.

The dialplan sets ``STANDARDISTE_UUID`` on the caller's channel before connecting it to the
assistant and announces it with ``UserEvent(StandardisteCall,Uuid: ...)`` (AMI class "user";
the event's ``Channel`` is the caller's). An AMI user that may also read the "dialplan" class
gets the ``VarSet`` event (``Channel``, ``Variable``, ``Value``), used the same way. Channels
can be renamed (``Rename``: ``Channel`` -> ``Newname``) and end (``Hangup``). The AudioSocket
leg itself (``AudioSocket/...``, which inherits the variable) is not the caller's channel.
Pure bookkeeping: events in, a lookup out, no I/O.
"""

from __future__ import annotations

import uuid

from telephony.ami.protocol import AmiEvent

UUID_VARIABLE = "STANDARDISTE_UUID"
"""The channel variable the dialplan sets to the call's AudioSocket UUID."""


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


class ChannelMap:
    """UUID -> channel name, kept up to date from AMI events."""

    def __init__(self) -> None:
        self._by_uuid: dict[uuid.UUID, str] = {}

    def get(self, call_id: uuid.UUID) -> str | None:
        return self._by_uuid.get(call_id)

    def add(self, call_id: uuid.UUID, channel: str) -> None:
        self._by_uuid[call_id] = channel

    def _learn(self, channel: str, value: str) -> bool:
        call_id = parse_uuid(value)
        if call_id is None or not channel or is_audiosocket(channel):
            return False
        self._by_uuid[call_id] = channel
        return True

    def __len__(self) -> int:
        return len(self._by_uuid)

    def update(self, event: AmiEvent) -> bool:
        """Apply one event; True if the map changed."""
        if event.name == "UserEvent" and event.get("UserEvent") == "StandardisteCall":
            return self._learn(event.get("Channel"), event.get("Uuid"))
        if event.name == "VarSet":
            if event.get("Variable").lstrip("_") != UUID_VARIABLE:
                return False
            return self._learn(event.get("Channel"), event.get("Value"))
        if event.name == "Rename":
            old, new = event.get("Channel"), event.get("Newname")
            changed = False
            for call_id, channel in list(self._by_uuid.items()):
                if channel == old and new:
                    self._by_uuid[call_id] = new
                    changed = True
            return changed
        if event.name == "Hangup":
            gone = event.get("Channel")
            stale = [c for c, channel in self._by_uuid.items() if channel == gone]
            for call_id in stale:
                del self._by_uuid[call_id]
            return bool(stale)
        return False


def is_audiosocket(channel: str) -> bool:
    """True for the AudioSocket leg (``AudioSocket/host:port-...``)."""
    return channel.startswith("AudioSocket/")
