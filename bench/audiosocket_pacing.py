"""Benchmark: how steady is the AudioSocket paced writer over a long prompt?

Runs the real server on loopback; a peer connects like Asterisk, the service plays one long
prompt (16 kHz), and the peer timestamps every frame it receives. Prints JSON:
frames, expected and measured duration (s), drift at the end (ms), inter-arrival jitter
(ms: p50, p99, max deviation from 20 ms) and the largest number of frames received within
any 20 ms (1 = no burst).

    .venv/bin/python bench/audiosocket_pacing.py --seconds 120
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import time
import uuid

from speech.frames import AudioFrame
from telephony.audiosocket import AudioSocketConnection, AudioSocketServer, AudioSocketSettings
from telephony.audiosocket.codec import HEADER, encode_uuid


async def measure(seconds: float) -> dict[str, float | int]:
    rate = 16000
    prompt = AudioFrame(bytes(int(seconds * rate) * 2), rate)

    restarts: list[int] = []

    async def service(connection: AudioSocketConnection) -> None:
        await connection.play(prompt).wait()
        restarts.append(connection.audio.restarts)
        await connection.hangup()

    arrivals: list[float] = []
    settings = AudioSocketSettings(port=0, read_timeout=seconds + 10)
    async with AudioSocketServer(settings, service) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(encode_uuid(uuid.uuid4()))
        while True:
            kind, length = HEADER.unpack(await reader.readexactly(HEADER.size))
            await reader.readexactly(length)
            if kind == 0x00:
                break
            arrivals.append(time.monotonic())
        writer.close()
        await writer.wait_closed()
    gaps = sorted(abs((b - a) - 0.02) * 1000 for a, b in itertools.pairwise(arrivals))
    burst = max(
        sum(1 for u in arrivals[i : i + 10] if u - t < 0.02) for i, t in enumerate(arrivals)
    )
    measured = arrivals[-1] - arrivals[0] + 0.02
    return {
        "frames": len(arrivals),
        "expected_s": round(len(arrivals) * 0.02, 3),
        "measured_s": round(measured, 3),
        "drift_ms": round((measured - len(arrivals) * 0.02) * 1000, 2),
        "jitter_p50_ms": round(gaps[len(gaps) // 2], 3),
        "jitter_p99_ms": round(gaps[int(len(gaps) * 0.99)], 3),
        "jitter_max_ms": round(gaps[-1], 3),
        "max_frames_in_20ms": burst,
        "schedule_restarts": restarts[0],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="prompt length, seconds")
    args = parser.parse_args()
    print(json.dumps({"benchmark": "audiosocket_pacing", **asyncio.run(measure(args.seconds))}))


if __name__ == "__main__":
    main()
