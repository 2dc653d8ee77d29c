"""Fuzz: malformed AudioSocket streams never stop the server from serving other calls.

The small property test drives the bare server; the large one sends 10,000 generated streams
(`tests/telephony/fuzz_streams.py`, fixed seed, from another process) to the real service
while two good calls listen to their greeting, and measures those calls' pacing.
`-s` prints the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.cli.serve import SWITCH_INTERVAL_S, frozen_heap
from ivr.service import FINISHED_KEPT, Service
from telephony.audiosocket import AudioSocketServer, AudioSocketSettings, HangupReceived
from telephony.audiosocket.codec import encode
from tests.session.caller import LoopbackCaller
from tests.session.conftest import NOW, session_settings
from tests.session.doubles import RecordingSwitchboard
from tests.telephony import fuzz_streams
from tests.telephony.peers import FakeAsterisk, eventually, open_sockets
from tests.telephony.test_audiosocket_server import Recorder

# Short timeouts so that stalled peers end fast, long enough for a busy machine's hiccups.
FUZZ_SETTINGS = AudioSocketSettings(
    port=0, handshake_timeout=0.3, read_timeout=0.5, close_timeout=0.5
)

# Pieces a hostile or broken peer could send: random bytes, plausible headers with wrong
# lengths, huge announced lengths, truncated headers, valid messages in the wrong place.
pieces = st.one_of(
    st.binary(max_size=64),
    st.builds(lambda k, n: bytes([k]) + n.to_bytes(2, "big"), st.integers(0, 255),
              st.integers(0, 65535)),
    st.sampled_from([b"\x10", b"\x10\xff", b"\x01\x00\x10", b"\xff\xff\xff"]),
    st.builds(lambda n: encode(0x10, bytes(2 * n)), st.integers(0, 200)),
    st.just(encode(0x03, b"5")),
    st.just(encode(0x00)),
)


async def scenario(chunks: list[bytes], with_uuid: bool, close_early: bool) -> None:
    recorder = Recorder()
    async with AudioSocketServer(FUZZ_SETTINGS, recorder) as server:
        good = await FakeAsterisk.dial(server.port)
        talking = asyncio.create_task(good.talk(0.8))  # a call going on meanwhile
        bad = await FakeAsterisk.dial(server.port, send_uuid=with_uuid)
        for chunk in chunks:
            bad.send_raw(chunk)
        with contextlib.suppress(ConnectionError):  # the server may have dropped it already
            await bad.writer.drain()
        if close_early:
            await bad.close()
        assert await bad.closed_by_server(3.0)  # ends by error, timeout, hang-up or close
        frames = await talking
        good.send(0x03, b"9")
        good.send(0x00)
        await asyncio.wait_for(recorder.ended_event(good.call_id).wait(), 2)
        events = recorder.events[good.call_id]
        assert len(events) == frames + 2 and events[-1] == HangupReceived(True)
        # The server still takes new calls, and holds nothing of the bad one.
        late = await FakeAsterisk.dial(server.port)
        late.send(0x00)
        await asyncio.wait_for(recorder.ended_event(late.call_id).wait(), 2)
        assert await eventually(lambda: server.connections == 0)
        for peer in (good, bad, late):
            await peer.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunks=st.lists(pieces, min_size=1, max_size=6),
    with_uuid=st.booleans(),
    close_early=st.booleans(),
)
def test_malformed_streams_never_stop_the_server(
    chunks: list[bytes], with_uuid: bool, close_early: bool
) -> None:
    asyncio.run(scenario(chunks, with_uuid, close_early))


# -- The real service under 10,000 malformed streams, while two good calls go on -----------

FUZZ_SEED = 16
FUZZ_STREAMS = 10_000
MAX_GAP_S = 0.25
"""Longest gap between two frames of a prompt a good call may hear. A phone's jitter buffer
hides about 100 ms; the figures printed are usually under 85 ms with the fuzz. The bound is
wider because a loaded CI machine's scheduler alone can add 100 ms now and then, while what
this guards against, the fuzz stalling the service's loop, shows as far longer gaps."""
MIN_FRAMES_SHARE = 0.8
"""Share of a steady cadence's frames a good call must get during the fuzz. The paced writer
never catches up a late frame (it starts a new schedule), so the share lost is the sum of the
call's lateness, and on 2 cores shared with the process sending the 10,000 streams it depends
on the machine: 97.9 % alone, 96.9 % and 86.7 % in the serial part of two full runs on the
same quiet machine (2026-12-07; the second's fuzz took 43 s instead of 34). The bound catches
a service that stops sending for seconds; `MAX_GAP_S` catches a single long stall."""
PROMPT_BOUNDARY_S = 0.5
"""A longer gap is the silence between two prompts, not a stall (see `pacing`)."""
MAX_RSS_GROWTH_MB = 64
"""What the service may keep after the fuzz (mostly the allocator's pools, not leaks)."""
BASELINE_S = 5.0
"""Seconds the good calls are measured before the fuzz starts."""
ROOT = Path(__file__).resolve().parents[2]


class ErrorLog(logging.Handler):
    """Keeps what the service logs at ERROR or above (an unhandled exception, a failure)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def rss_mb() -> float:
    """This process's resident memory, MiB (from /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class LoopLag:
    """The event loop's worst lateness while in use: a sleeper wakes every 10 ms."""

    def __init__(self) -> None:
        self.worst_s = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            self.worst_s = max(self.worst_s, loop.time() - due)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@dataclass(frozen=True, slots=True)
class Pacing:
    frames: int
    expected: int
    """Frames a steady 20 ms cadence would have given over the window."""
    p99_s: float
    max_s: float
    boundaries: int
    """Gaps longer than `PROMPT_BOUNDARY_S` (the end of one prompt, the start of another)."""


def pacing(heard: list[tuple[float, bytes]], start: float, end: float) -> Pacing:
    """How steadily the assistant's frames arrived between ``start`` and ``end``."""
    times = [t for t, _ in heard if start <= t <= end]
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    inside = [g for g in gaps if g < PROMPT_BOUNDARY_S] or [0.0]
    return Pacing(frames=len(times), expected=round((end - start) / 0.02),
                  p99_s=inside[min(len(inside) - 1, int(len(inside) * 0.99))],
                  max_s=inside[-1], boundaries=len(gaps) - len(inside))


async def fuzz(port: int, limits: AudioSocketSettings) -> dict[str, Any]:
    """Runs the stream generator in its own process (as Asterisk is); its JSON tally."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telephony.fuzz_streams", str(port), str(FUZZ_SEED),
        str(FUZZ_STREAMS), str(limits.max_calls), str(limits.max_pending),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0
    tally: dict[str, Any] = json.loads(out)
    return tally


async def reports_of(service: Service, call_ids: set[str], wait_s: float) -> dict[str, Any]:
    """The good calls' reports, skipping the fuzz's own calls in the queue."""
    found: dict[str, Any] = {}
    async with asyncio.timeout(wait_s):
        while set(found) != call_ids:
            report = await service.finished.get()
            if report.call_id in call_ids:
                found[report.call_id] = report
    return found


async def test_ten_thousand_malformed_streams_leave_the_service_and_two_calls_unharmed(
    tmp_path: Path,
) -> None:
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # the process as `ivr serve` runs it
    limits = AudioSocketSettings(port=0, read_timeout=10.0)  # the defaults otherwise
    service = Service(session_settings(tmp_path, tmp_path / "prompts", audiosocket=limits),
                      clock=lambda: NOW, switchboard=RecordingSwitchboard())
    await service.start()
    try:
        with frozen_heap():  # as `ivr serve` runs the service once started
            port = service.audiosocket_port
            async with LoopbackCaller(port) as one, LoopbackCaller(port) as two:
                await one.wait_heard(10)  # the greeting (40 s of it) plays to both
                await two.wait_heard(10)
                quiet = time.monotonic()
                with LoopLag() as quiet_lag:
                    await asyncio.sleep(BASELINE_S)  # the same calls without the fuzz, to compare
                sockets, memory = open_sockets(), rss_mb()
                start = time.monotonic()
                with LoopLag() as lag:
                    tally = await fuzz(port, limits)
                end = time.monotonic()
                memory_after = rss_mb()
                writers = [service.calls[c.call_id].audio for c in (one, two)]
                restarts = [w.restarts for w in writers]
                for caller in (one, two):
                    caller.press("1")  # the opening hours, then end the call
                await asyncio.sleep(1.0)
                for caller in (one, two):
                    caller.press("2")
                await one.wait_end(20)
                await two.wait_end(20)
                goods = [pacing(c.heard, start, end) for c in (one, two)]
                baselines = [pacing(c.heard, quiet, start) for c in (one, two)]
            reports = await reports_of(service, {str(one.call_id), str(two.call_id)}, 20)
            async with LoopbackCaller(port) as late:  # the service still answers a new call
                await late.wait_heard(1, 10)
            assert await eventually(lambda: not service.calls, 10)
            assert not service.live.snapshot()  # nothing of the fuzz's calls is held
            assert service.finished.qsize() <= FINISHED_KEPT
            assert await eventually(lambda: open_sockets() <= sockets, 10)
    finally:
        await service.close()
        sys.setswitchinterval(switch_interval)
        logging.getLogger().removeHandler(errors)

    sent = tally["sent"]
    print(f"\nAudioSocket fuzz (seed {FUZZ_SEED}): {sum(sent.values())} streams in "
          f"{end - start:.1f} s, {tally['flood_connections']} more in floods")
    for category in sorted(sent):
        print(f"  {category:20} {sent[category]:6} sent, "
              f"{tally['closed_by_server'].get(category, 0):6} closed by the service, "
              f"{tally['hangs'].get(category, 0)} left hanging")
    print(f"  strict (the error is in the bytes sent): {sum(tally['strict'].values())} streams, "
          f"{sum(tally['hangs'].values())} not closed by the service within "
          f"{fuzz_streams.STRICT_WAIT_S:.0f} s")
    print(f"  floods: {tally['flood_connections']} connections, "
          f"{tally['flood_closed_by_server']} closed at once (beyond max_calls/max_pending)")
    print(f"  crashes 0 (still serving, a new call answered); errors logged {len(errors.records)}; "
          f"memory {memory:.0f} -> {memory_after:.0f} MiB")
    print(f"  event loop lag: worst {lag.worst_s * 1000:.0f} ms during the fuzz, "
          f"{quiet_lag.worst_s * 1000:.0f} ms without")
    for name, good, base, restart, report in zip(("one", "two"), goods, baselines, restarts,
                                                 reports.values(), strict=True):
        print(f"  good call {name}: {good.frames}/{good.expected} frames during the fuzz, "
              f"gap p99 {good.p99_s * 1000:.1f} ms, max {good.max_s * 1000:.1f} ms "
              f"(without the fuzz: p99 {base.p99_s * 1000:.1f} ms, max "
              f"{base.max_s * 1000:.1f} ms), {good.boundaries} prompt boundaries, "
              f"{restart} writer restarts, outcome {report.outcome}")

    assert sum(sent.values()) >= FUZZ_STREAMS - 100 and tally["refused_connect"] == 0
    assert len(sent) == 13 and tally["flood_connections"] > 0
    assert tally["hangs"] == {} and sum(tally["strict"].values()) > 3000  # all closed
    assert sorted({r.getMessage() for r in errors.records}) == []
    assert memory_after - memory < MAX_RSS_GROWTH_MB
    for good, report in zip(goods, reports.values(), strict=True):
        assert report.outcome == "resolved" and report.errors == []
        assert good.boundaries == 0 and good.frames >= good.expected * MIN_FRAMES_SHARE
        assert good.max_s <= MAX_GAP_S
