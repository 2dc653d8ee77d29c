"""AMI messages: turning actions into wire text and wire text into responses and events.

AMI is text over TCP: ``Key: Value`` lines ending with CRLF, a blank line ending each message.
Asterisk first sends one greeting line (``Asterisk Call Manager/x.y.z``). The formatting and
parsing are the PyPI package ``asterisk-ami``'s (`asterisk.ami.Action`, ``Response``,
``Event``); what it lacks is added here: values are refused when they hold CR or LF (a value
with a line break would smuggle a second action into the stream), and events become typed,
immutable `AmiEvent` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from asterisk.ami import Action, Event, Response

from telephony.errors import TelephonyError

TERMINATOR = b"\r\n\r\n"
"""End of one AMI message."""


@dataclass(frozen=True, slots=True)
class AmiEvent:
    """One AMI event: its name and its fields (``ChanVariable`` lines in ``variables``)."""

    name: str
    fields: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.fields.get(key, default)


@dataclass(frozen=True, slots=True)
class AmiResponse:
    """The answer to one action (with the events of an event list, if it started one)."""

    success: bool
    fields: Mapping[str, str]
    events: tuple[AmiEvent, ...] = ()

    @property
    def message(self) -> str:
        return self.fields.get("Message", "")

    def get(self, key: str, default: str = "") -> str:
        return self.fields.get(key, default)


def check_value(key: str, value: str) -> str:
    """A key or value that cannot break the message framing."""
    if "\r" in value or "\n" in value or "\r" in key or "\n" in key or ":" in key:
        raise TelephonyError("ami.value", f"AMI field {key!r} holds a line break or a colon")
    return value


def format_action(
    name: str, action_id: str, keys: Mapping[str, str], variables: Mapping[str, str]
) -> bytes:
    """Wire text of one action (ends with the blank line)."""
    check_value("Action", name)
    clean = {k: check_value(k, v) for k, v in keys.items()}
    for k, v in variables.items():
        check_value(k, v)
        if "=" in k:
            raise TelephonyError("ami.value", f"variable name {k!r} holds '='")
    clean["ActionID"] = check_value("ActionID", action_id)
    action = Action(name, clean, dict(variables))
    return (str(action) + "\r\n").encode("utf-8")


def parse_message(text: str) -> AmiResponse | AmiEvent | None:
    """A response or an event; None for anything else (logged by the caller)."""
    if Response.match(text):
        response = Response.read(text)
        fields = {str(k): str(v) for k, v in response.keys.items()}
        return AmiResponse(response.status.lower() == "success", fields)
    if Event.match(text):
        event = Event.read(text)
        fields = {}
        variables: dict[str, str] = {}
        for key, value in event.keys.items():
            if isinstance(value, dict):
                variables.update({str(k): str(v) for k, v in value.items()})
            else:
                fields[str(key)] = str(value)
        return AmiEvent(str(event.name), fields, variables)
    return None
