"""Invalid UTF-8 from Asterisk (a trunk's caller name or number, which Asterisk stores and
relays byte for byte) reaches the AMI reader as U+FFFD, message by message: it neither stops
the reader nor spills into the next message. A loopback manager speaking the AMI wire
framing, byte for byte, sends every bad spelling in both caller fields and in a Getvar answer:
a SIP trunk can only do part of that (Asterisk 22 drops an INVITE with raw bytes in its From
URI, unanswered, and stores %XX escapes unescaped); tests/session/test_caller_id_bytes.py is
the real call through the real Asterisk."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest

from telephony.ami.protocol import AmiEvent
from telephony.ami.session import AmiSession
from tests.telephony.peers import eventually

BAD = {
    "ff fe": b"\xff\xfe",
    "truncated": b"Ren\xc3",  # the first byte of an "é", then the end of the line
    "overlong": b"\xc0\xaf",  # "/" spelt in two bytes
    "surrogate": b"\xed\xa0\x80",  # U+D800 spelt in UTF-8
    "cut euro": b"x\xe2\x82",  # two bytes of three
}


def event(name: bytes, number: bytes) -> bytes:
    return (b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/sipp-0001\r\n"
            b"CallerIDNum: " + number + b"\r\nCallerIDName: " + name + b"\r\n"
            b"Uniqueid: 1.1\r\n\r\n")


async def manager(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Greets, accepts any login, sends one event per bad spelling, then answers a Getvar
    of CALLERID(num) with bad bytes too."""
    writer.write(b"Asterisk Call Manager/9.0.0\r\n")
    try:
        await answer(reader, writer)
    finally:
        writer.close()


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            action = (await reader.readuntil(b"\r\n\r\n")).decode()
        except asyncio.IncompleteReadError:
            return
        found = re.search(r"ActionID: (\S+)", action)
        action_id = found.group(1).encode() if found else b""
        if action.startswith("Action: Login"):
            writer.write(b"Response: Success\r\nActionID: " + action_id + b"\r\n"
                         b"Message: Authentication accepted\r\n\r\n")
            for bad in BAD.values():
                writer.write(event(b"Mme " + bad + b" Martin", b"06" + bad + b"12"))
            writer.write(event(b"Mme Martin", b"0612345678"))
        elif action.startswith("Action: Getvar"):
            writer.write(b"Response: Success\r\nActionID: " + action_id + b"\r\n"
                         b"Variable: CALLERID(num)\r\nValue: 06\xff\xfe\xc3\r\n\r\n")
        await writer.drain()


@pytest.fixture
async def session() -> AsyncIterator[tuple[AmiSession, list[AmiEvent]]]:
    server = await asyncio.start_server(manager, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    events: list[AmiEvent] = []
    ami = await AmiSession.open("127.0.0.1", port, "u", "s", events.append, wait_s=5)
    try:
        yield ami, events
    finally:
        await ami.close()
        server.close()
        await server.wait_closed()


async def test_invalid_utf8_in_caller_fields_becomes_replacement_characters(
    session: tuple[AmiSession, list[AmiEvent]],
) -> None:
    ami, events = session
    assert await eventually(lambda: len(events) == len(BAD) + 1, 5)
    names = [e.get("CallerIDName") for e in events]
    numbers = [e.get("CallerIDNum") for e in events]
    assert names == [
        "Mme \ufffd\ufffd Martin", "Mme Ren\ufffd Martin", "Mme \ufffd\ufffd Martin",
        "Mme \ufffd\ufffd\ufffd Martin", "Mme x\ufffd Martin", "Mme Martin"]
    assert numbers[-1] == "0612345678" and all("\ufffd" in n for n in numbers[:-1])
    for e in events:  # every field whole, nothing run into its neighbour
        assert e.get("Uniqueid") == "1.1" and e.get("Channel") == "PJSIP/sipp-0001"
        for value in e.fields.values():
            value.encode("utf-8")  # valid text: no lone surrogate
    response = await ami.send("Getvar", {"Channel": "PJSIP/sipp-0001",
                                         "Variable": "CALLERID(num)"})
    assert response.get("Value") == "06\ufffd\ufffd\ufffd"
    assert not ami.closed.done()  # the reader goes on
