"""AMI messages: turning actions into wire text and wire text into responses and events.

AMI is text over TCP: ``Key: Value`` lines ending with CRLF, a blank line ending each message.
Asterisk first sends one greeting line (``Asterisk Call Manager/x.y.z``). The formatting and
parsing are the PyPI package ``asterisk-ami``'s (`asterisk.ami.Action`, ``Response``,
``Event``); what it lacks is added here, as the last line of defence whatever the caller
cleaned before: an action is refused (``ami.value``) when any header name or value holds CR,
LF, another line break of `LINE_BREAKS` or NUL (a line break smuggles a header or a second
action into the stream; Asterisk ends a value at a lone LF and silently cuts it at NUL, both
seen on Asterisk 22.10), when a header name holds ``:`` or a variable name ``=``, when one
header line is longer than `MAX_LINE_BYTES` or an action has more than `MAX_HEADERS` lines
(Asterisk answers "line too long" / "Too many lines" and drops the whole action). Events
become typed, immutable `AmiEvent` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from asterisk.ami import Action, Event, Response

from telephony.errors import TelephonyError

TERMINATOR = b"\r\n\r\n"
"""End of one AMI message."""
MAX_LINE_BYTES = 1024
"""Longest header line Asterisk reads whole, CRLF included, bytes (main/manager.c reads a
session's lines into ``char inbuf[1025]``; on Asterisk 22.10 a 1024-byte line is taken, a
1025-byte one fails the action)."""
MAX_HEADERS = 128
"""Most lines Asterisk takes in one action (``AST_MAX_MANHEADERS``), the Action line included."""
LINE_BREAKS = {"\r": "CR", "\n": "LF", "\x0b": "VT", "\x0c": "FF", "\x1c": "FS", "\x1d": "GS",
               "\x1e": "RS", "\x85": "NEL", "\u2028": "LS", "\u2029": "PS"}
"""What Asterisk (CR, LF) or a reader splitting lines with `str.splitlines` (the others: the
``asterisk-ami`` parser does, and read back a value with U+2028 cut; `parse_message` now hides
them from it, and other AMI readers may do the same) takes for the end of a line."""
FORBIDDEN = {**LINE_BREAKS, "\x00": "NUL"}
"""Characters no header name or value may hold, with their names for the error."""


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
    """A header (name and value) that cannot break the message framing nor pass Asterisk's
    line limit; ``ami.value`` otherwise. The error names the header, never the value (it may
    be what a caller said)."""
    if not key or ":" in key or any(c in key for c in FORBIDDEN):
        raise TelephonyError("ami.value", f"AMI header name {key[:40]!r} is not a plain name")
    for char, what in FORBIDDEN.items():
        if char in value:
            raise TelephonyError("ami.value", f"AMI header {key[:40]!r} holds {what}")
    size = len(f"{key}: {value}\r\n".encode())
    if size > MAX_LINE_BYTES:
        raise TelephonyError(
            "ami.value", f"AMI header {key[:40]!r} is {size} bytes long (Asterisk takes "
            f"{MAX_LINE_BYTES})")
    return value


def format_action(
    name: str, action_id: str, keys: Mapping[str, str], variables: Mapping[str, str]
) -> bytes:
    """Wire text of one action (ends with the blank line); ``ami.value`` when any header
    could break the framing or pass Asterisk's limits (see the module's docstring)."""
    check_value("Action", name)
    clean = {k: check_value(k, v) for k, v in keys.items()}
    for k, v in variables.items():
        if not k or "=" in k:
            raise TelephonyError("ami.value", f"variable name {k[:40]!r} is empty or holds '='")
        check_value("Variable", f"{k}={v}")
    clean["ActionID"] = check_value("ActionID", action_id)
    if len(clean) + len(variables) + 1 > MAX_HEADERS:
        raise TelephonyError(
            "ami.value", f"{name}: {len(clean) + len(variables) + 1} header lines (Asterisk "
            f"takes {MAX_HEADERS})")
    action = Action(name, clean, dict(variables))
    return (str(action) + "\r\n").encode("utf-8")


HIDDEN = {char: chr(0xE000 + i) for i, char in enumerate(
    c for c in LINE_BREAKS if c not in "\r\n")}
"""Line breaks other than CR and LF, each hidden as a private-use character while the package
parses a message: its parser splits lines with `str.splitlines`, so a U+2028 in a field that
Asterisk relays (a trunk's caller name) would start a forged field of its own."""
_HIDE = str.maketrans("".join(HIDDEN), "".join(HIDDEN.values()))
_SHOW = str.maketrans("".join(HIDDEN.values()), "".join(HIDDEN))


def _hide(text: str) -> str:
    return text.translate(_HIDE)


def _show(text: object) -> str:
    return str(text).translate(_SHOW)


def parse_message(text: str) -> AmiResponse | AmiEvent | None:
    """A response or an event; None for anything else (logged by the caller). Lines end at
    CR LF (or a lone CR or LF) only."""
    text = _hide(text)
    if Response.match(text):
        response = Response.read(text)
        fields = {_show(k): _show(v) for k, v in response.keys.items()}
        return AmiResponse(response.status.lower() == "success", fields)
    if Event.match(text):
        event = Event.read(text)
        fields = {}
        variables: dict[str, str] = {}
        for key, value in event.keys.items():
            if isinstance(value, dict):
                variables.update({_show(k): _show(v) for k, v in value.items()})
            else:
                fields[_show(key)] = _show(value)
        return AmiEvent(_show(event.name), fields, variables)
    return None
