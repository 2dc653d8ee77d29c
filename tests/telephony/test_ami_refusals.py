"""The last line of defence of `telephony.ami.protocol`: every action the client can send is
refused (``ami.value``) before a byte is written when a header name or value holds CR, LF or
NUL or passes Asterisk's line limit, whatever argument carries it.

The walk finds the client's action builders by themselves (every public coroutine method of
`AmiClient` but the connection's own), so one added later is walked too. The AMI server is a
loopback TCP listener that records what reaches it and answers every action with success."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from telephony.ami import AmiClient, AmiEvent, AmiSettings
from telephony.ami.protocol import (
    MAX_HEADERS,
    MAX_LINE_BYTES,
    AmiResponse,
    format_action,
    parse_message,
)
from telephony.ami.session import AmiSession
from telephony.errors import TelephonyError

POISONS = {
    "CRLF action": "x\r\nAction: Originate\r\nChannel: Local/1@x",
    "blank line": "x\r\n\r\nAction: UserEvent\r\nUserEvent: Forged",
    "lone LF": "x\nAction: UserEvent",
    "lone CR": "x\rAction: UserEvent",
    "NUL": "x\x00y",
    "too long": "x" * MAX_LINE_BYTES,
}
NOT_ACTIONS = {"start", "wait_connected", "close", "events", "channel_for"}
"""Public coroutines of AmiClient that build no action from their arguments."""
CALL = uuid.UUID(int=7)


class RecordingAmi:
    """A loopback AMI server: greets, records each message, answers Success."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                text = (await reader.readuntil(b"\r\n\r\n")).decode(errors="replace")
                self.messages.append(text)
                ids = [line for line in text.split("\r\n") if line.startswith("ActionID: ")]
                writer.write(f"Response: Success\r\n{ids[0] if ids else ''}\r\n\r\n".encode())
                await writer.drain()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        await self._server.wait_closed()


@pytest.fixture
async def client() -> AsyncIterator[tuple[AmiClient, RecordingAmi]]:
    server = RecordingAmi()
    port = await server.start()
    ami = AmiClient(AmiSettings(port=port, secret="s3cret", action_timeout_s=1.0))
    await ami.start()
    await ami.wait_connected(5)
    ami.channels.add(CALL, "Local/100@standardiste-incoming-00000001;2")
    yield ami, server
    await ami.close()
    await server.close()


def plain(annotation: str) -> Any:
    """A harmless argument of this annotation (the walk fails on one it does not know)."""
    return {"str": "x", "str | None": "x", "int": 1, "int | None": 16, "float": 1.0,
            "uuid.UUID": CALL, "Mapping[str, str]": {"A": "1"},
            "Mapping[str, str] | None": {"A": "1"}}[annotation]


def builders() -> list[str]:
    return sorted(name for name, member in inspect.getmembers(AmiClient)
                  if inspect.iscoroutinefunction(member) and not name.startswith("_")
                  and name not in NOT_ACTIONS)


def one_action_each(messages: list[str]) -> bool:
    """Every message holds one Action line, no NUL, and no line past Asterisk's limit."""
    return all(
        sum(line.startswith("Action:") for line in m.split("\r\n")) == 1 and "\x00" not in m
        and all(len(line.encode()) + 2 <= MAX_LINE_BYTES for line in m.split("\r\n"))
        for m in messages)


async def test_every_action_builder_refuses_what_would_break_the_framing(
    client: tuple[AmiClient, RecordingAmi]
) -> None:
    ami, server = client
    walked: dict[str, int] = {}
    for name in builders():
        method = getattr(ami, name)
        params = [p for p in inspect.signature(method).parameters.values()]
        base = {p.name: plain(str(p.annotation)) for p in params}
        for param in params:
            if not str(param.annotation).startswith(("str", "Mapping")):
                continue
            for poison in POISONS.values():
                tries = ([poison] if str(param.annotation).startswith("str")
                         else [{"A": poison}, {poison: "1"}])
                for value in tries:
                    before = len(server.messages)
                    try:
                        await method(**{**base, param.name: value})
                    except TelephonyError as err:
                        # Refused before anything was written, or refused by the server's
                        # answer to a value made safe first (transfer cleans its texts).
                        assert err.code in ("ami.value", "ami.not_found", "ami.timeout"), (
                            name, param.name, err)
                        if err.code == "ami.value":
                            assert len(server.messages) == before, (name, param.name)
                    assert one_action_each(server.messages[before:]), (name, param.name)
                    walked[name] = walked.get(name, 0) + 1
    assert set(walked) == set(builders())
    assert {"setvar", "getvar", "redirect", "hangup", "originate", "transfer"} <= set(walked)
    assert one_action_each(server.messages)


async def test_the_login_refuses_a_username_or_secret_with_a_line_break() -> None:
    server = RecordingAmi()
    port = await server.start()
    try:
        for username, secret in (("u\r\nAction: Originate", "s"), ("u", "s\nx"), ("u", "s\x00")):
            with pytest.raises(TelephonyError) as err:
                await AmiSession.open("127.0.0.1", port, username, secret, lambda e: None, 1.0)
            assert err.value.code == "ami.value"
            assert "Action: Originate" not in str(err.value) and "s\x00" not in str(err.value)
    finally:
        await server.close()
    assert server.messages == []


@pytest.mark.parametrize("poison", list(POISONS.values()), ids=list(POISONS))
def test_format_action_refuses_any_header_name_or_value_that_breaks_framing(poison: str) -> None:
    for keys, variables in (({"Value": poison}, {}), ({poison: "x"}, {}), ({}, {"A": poison}),
                            ({}, {poison: "x"})):
        with pytest.raises(TelephonyError) as err:
            format_action("Setvar", "1", keys, variables)
        assert err.value.code == "ami.value"
        assert poison not in str(err.value)  # the error never repeats what a caller said
    with pytest.raises(TelephonyError):
        format_action(poison, "1", {}, {})
    with pytest.raises(TelephonyError):
        format_action("Setvar", poison, {}, {})


def test_the_line_and_header_limits_are_asterisks() -> None:
    # Asterisk 22.10 takes a 1024-byte line (CRLF included) and fails the action at 1025.
    fits = "x" * (MAX_LINE_BYTES - len("Value: \r\n"))
    assert b"Value: " + fits.encode() + b"\r\n" in format_action("Setvar", "1", {"Value": fits}, {})
    with pytest.raises(TelephonyError):
        format_action("Setvar", "1", {"Value": fits + "x"}, {})
    with pytest.raises(TelephonyError):  # counted in bytes: 1,000 characters of "€" are 3,000
        format_action("Setvar", "1", {"Value": "€" * 400}, {})
    many = {f"H{i}": "x" for i in range(MAX_HEADERS - 2)}  # + Action and ActionID lines
    format_action("UserEvent", "1", many, {})
    with pytest.raises(TelephonyError):
        format_action("UserEvent", "1", {**many, "One": "more"}, {})


def test_a_unicode_line_separator_in_an_event_field_forges_no_field() -> None:
    # A trunk's caller name relayed by Asterisk: the package's parser alone split it into a
    # second "Channel" field, which would have unmapped another call on Hangup.
    event = parse_message("Event: Hangup\r\nChannel: PJSIP/trunk-0001\r\n"
                          "CallerIDName: x\u2028Channel: PJSIP/other-0002\u0085Uuid: forged")
    assert isinstance(event, AmiEvent)
    assert event.get("Channel") == "PJSIP/trunk-0001"
    assert event.get("CallerIDName") == "x\u2028Channel: PJSIP/other-0002\u0085Uuid: forged"
    assert "Uuid" not in event.fields
    response = parse_message("Response: Success\r\nActionID: 1\r\nValue: a\u2029b")
    assert isinstance(response, AmiResponse) and response.get("Value") == "a\u2029b"
