"""Real SIP phones for the tests: SIPp does the signalling (REGISTER with digest auth, INVITE,
ringing, answer, BYE), `RtpPeer` the media, against the real Asterisk of the test suite.

Agents' phones register from 127.0.0.2 (101) and 127.0.0.3 (102): the test overlay's `sipp`
endpoint is identified by 127.0.0.1, so a REGISTER from another address is matched by its
user name to the shipped agent endpoint and challenged for its password.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.rtp import RtpPeer

SCENARIOS = Path(__file__).resolve().parent / "sipp"
AGENT_ADDRESSES = {"101": "127.0.0.2", "102": "127.0.0.3"}
TRACE_ENTRY = re.compile(
    r"^-{20,} (\S+)\nUDP message (sent|received) \[\d+\] bytes:\n\n([^\n]*)", re.MULTILINE)
"""One message of a SIPp `-trace_msg` file: its time, direction and first line."""
PASSWORDS = {"101": "change-me-101", "102": "change-me-102"}
"""The shipped placeholders of pjsip_standardiste.conf (a town hall sets its own)."""


def free_udp_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class SippRun:
    """One SIPp process of a test, with its message trace."""

    task: asyncio.Task[subprocess.CompletedProcess[str]]
    trace: Path

    async def result(self, wait_s: float = 60) -> subprocess.CompletedProcess[str]:
        return await asyncio.wait_for(asyncio.shield(self.task), wait_s)

    def messages(self) -> str:
        return self.trace.read_text(errors="replace") if self.trace.exists() else ""

    def sent_at(self, first_line: str) -> float:
        """Wall-clock time (s) at which SIPp sent the first message starting with this line
        (for instance "SIP/2.0 200 OK"), from the trace's timestamps."""
        return self._message_time("sent", first_line)

    def received_at(self, first_line: str) -> float:
        """Wall-clock time (s) at which SIPp received the first message starting so."""
        return self._message_time("received", first_line)

    def _message_time(self, direction: str, first_line: str) -> float:
        for found in TRACE_ENTRY.finditer(self.messages()):
            if found.group(2) == direction and found.group(3).startswith(first_line):
                return datetime.fromisoformat(found.group(1).replace("Z", "+00:00")).timestamp()
        raise AssertionError(f"{first_line!r} never {direction} in {self.trace.name}")

    async def asterisk_media(self, wait_s: float = 30) -> tuple[str, int]:
        """Where Asterisk wants this phone's RTP: the address of the first SDP that SIPp
        received (the INVITE to an agent's phone, the 200 OK to a caller)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while loop.time() < deadline:
            for block in self.messages().split("message received")[1:]:
                host = re.search(r"^c=IN IP4 (\S+)", block, re.MULTILINE)
                port = re.search(r"^m=audio (\d+)", block, re.MULTILINE)
                if host and port:
                    return host.group(1), int(port.group(1))
            if self.task.done():
                break
            await asyncio.sleep(0.02)
        raise AssertionError(f"no SDP from Asterisk in {self.trace.name}:\n{self.messages()}")


class Sipp:
    """Runs the scenarios of tests/telephony/sipp with SIPp from the sandbox's chroot."""

    def __init__(self, asterisk: AsteriskSandbox, folder: str) -> None:
        self.asterisk = asterisk
        self.work = asterisk.spool / folder
        self.inside = f"{asterisk.instance}/spool/{folder}"
        self.work.mkdir(parents=True, exist_ok=True)
        for scenario in SCENARIOS.glob("*.xml"):
            shutil.copy(scenario, self.work / scenario.name)
        self._runs = 0

    def start(self, scenario: str, *args: str, timeout_s: float = 60) -> SippRun:
        self._runs += 1
        trace = f"{scenario.removesuffix('.xml')}-{self._runs}.log"
        (self.work / trace).unlink(missing_ok=True)
        task = asyncio.create_task(asyncio.to_thread(
            self.asterisk.sipp, "-sf", f"{self.inside}/{scenario}", *args, "-m", "1",
            "-nostdin", "-timeout", str(int(timeout_s)), "-trace_msg",
            "-message_file", f"{self.inside}/{trace}", timeout_s=timeout_s + 10,
        ), name=f"sipp-{scenario}")
        return SippRun(task, self.work / trace)

    async def register(self, agent: str, port: int, expires: int = 300) -> None:
        """Register (or with expires=0 unregister) the agent's phone at its address:port."""
        run = self.start(
            "register.xml", "-i", AGENT_ADDRESSES[agent], "-p", str(port), "-s", agent,
            "-au", agent, "-ap", PASSWORDS[agent], "-key", "expires", str(expires),
            f"127.0.0.1:{self.asterisk.sip_port}", timeout_s=15)
        done = await run.result(25)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:] + run.messages()


@dataclass
class AgentPhone:
    """A registered agent's desk phone: `answer_next` rings then answers one call."""

    agent: str
    port: int
    sipp: Sipp
    rtp: RtpPeer

    def ignore_next(self, timeout_s: float = 60) -> SippRun:
        """Wait for a call and let it ring until Asterisk gives up (CANCEL)."""
        return self._next("agent_ignores.xml", timeout_s=timeout_s)

    def reject_next(self, ring_ms: int = 1000, timeout_s: float = 60) -> SippRun:
        """Wait for a call, ring `ring_ms`, then reject it (486 Busy Here)."""
        return self._next("agent_rejects.xml", "-d", str(ring_ms), timeout_s=timeout_s)

    def answer_next(self, ring_ms: int = 1000, timeout_s: float = 60) -> SippRun:
        """Wait for a call, ring `ring_ms`, answer it with this phone's RTP, then wait for
        the other side's BYE."""
        return self._next(
            "agent_answers.xml", "-d", str(ring_ms), "-key", "rtp_ip", self.rtp.host,
            "-key", "rtp_port", str(self.rtp.port), timeout_s=timeout_s)

    def _next(self, scenario: str, *args: str, timeout_s: float) -> SippRun:
        """This phone (its address, port and extension) waiting for one call."""
        return self.sipp.start(
            scenario, "-i", AGENT_ADDRESSES[self.agent], "-p", str(self.port),
            "-s", self.agent, *args, timeout_s=timeout_s)


@contextlib.asynccontextmanager
async def agent_phone(sipp: Sipp, agent: str) -> AsyncIterator[AgentPhone]:
    """The agent's phone registered for the block, unregistered after it (so no other test
    finds a phone that no longer answers)."""
    host = AGENT_ADDRESSES[agent]
    port = free_udp_port(host)
    rtp = await RtpPeer.open(host)
    await sipp.register(agent, port)
    try:
        yield AgentPhone(agent, port, sipp, rtp)
    finally:
        await rtp.close()
        await sipp.register(agent, port, expires=0)


def caller(sipp: Sipp, rtp: RtpPeer, on_line_ms: int, timeout_s: float = 90,
           queue_timeout_s: int = 180, name: bytes = b"Test SIPp",
           number: bytes = b"0612345678") -> SippRun:
    """A caller on the operator trunk (the overlay's `sipp` endpoint, 127.0.0.1): calls the
    town hall, stays `on_line_ms` after the answer with `rtp` as its media, hangs up.
    `queue_timeout_s`: how long the test overlay keeps this call in the agents' queue.
    `name` and `number` are the From header's display name and user, sent byte for byte
    (invalid UTF-8 too: they reach SIPp's argv through `os.fsdecode`'s surrogate escapes)."""
    return sipp.start(
        "caller_rtp.xml", "-s", "100", "-i", "127.0.0.1", "-p",
        str(free_udp_port("127.0.0.1")), "-d", str(on_line_ms), "-key", "rtp_ip", rtp.host,
        "-key", "rtp_port", str(rtp.port), "-key", "queue_timeout", str(queue_timeout_s),
        "-key", "caller_name", os.fsdecode(name), "-key", "caller_num", os.fsdecode(number),
        f"127.0.0.1:{sipp.asterisk.sip_port}", timeout_s=timeout_s)


def invite_display_name(messages: str) -> str:
    """The display name of the From header of the first INVITE in a SIPp trace."""
    invite = messages[messages.index("INVITE sip:"):]
    found = re.search(r'^From:\s*"([^"]*)"', invite, re.MULTILINE | re.IGNORECASE)
    return found.group(1) if found else ""
