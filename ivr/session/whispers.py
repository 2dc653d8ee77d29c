"""The whisper: what the agent alone hears when picking up a transferred call, before the
caller is connected ("Demande : carte d'identité ; rendez-vous : jeudi").

Why over AudioSocket rather than a sound file: Asterisk may run on another machine than the
assistant, and the summary is synthesised per call. When the service transfers a call of a
flow with `whisper: true`, it keeps the text under a new UUID and sets that UUID as
`STANDARDISTE_WHISPER` on the caller's channel (inherited by the agent's). When the agent
answers, the dialplan's `[standardiste-answered]` (the queue's member gosub) runs on the
agent's channel and dials the same worker over AudioSocket with that UUID; the worker plays
the text and hangs up, the gosub returns, and Asterisk bridges agent and caller. The caller
hears nothing of it (they wait in the queue meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from ivr.session.kept import KeptOnce
from speech.errors import SpeechError
from speech.prompts import PromptAudio
from telephony.audiosocket import AudioReceived, AudioSocketConnection
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

KEEP_S = 3600.0
"""How long a whisper waits for its agent, seconds (longer than any queue wait)."""
MAX_KEPT = 1000
RATE_WAIT_S = 1.0
"""Longest wait for the first audio frame, which tells the connection's rate, seconds."""
PLAY_LIMIT_S = 20.0
"""A whisper never holds the caller longer than this, seconds."""


class Whispers(KeptOnce[uuid.UUID, str]):
    """Whisper UUID -> text, the most recent `MAX_KEPT` within `KEEP_S`. `take` gives the
    text for a connection with that UUID (once), None when it is not a whisper: every agent's
    phone the queue rings may run the gosub; only the one that answers does, so a whisper is
    played once."""

    def __init__(self) -> None:
        super().__init__(KEEP_S, MAX_KEPT)

    def prepare(self, text: str) -> uuid.UUID:
        """Keep a text for the agent who will answer; the UUID the dialplan dials with."""
        key = uuid.uuid4()
        self.put(key, text)
        return key


async def play_whisper(
    connection: AudioSocketConnection, text: str, prompts: PromptAudio
) -> None:
    """Say `text` on this connection (the agent's channel), then hang up; never raises.
    What the agent's phone sends meanwhile is read and dropped (it tells the line's rate)."""
    loop = asyncio.get_running_loop()
    first_rate: asyncio.Future[int] = loop.create_future()

    async def drain() -> None:
        async for event in connection.events():
            if isinstance(event, AudioReceived) and not first_rate.done():
                first_rate.set_result(event.frame.rate)

    reader = asyncio.create_task(drain(), name=f"whisper-{connection.call_id}")
    try:
        rate = 8000
        with contextlib.suppress(TimeoutError):
            rate = await asyncio.wait_for(asyncio.shield(first_rate), RATE_WAIT_S)
        audio = await prompts.render(text, rate)
        async with asyncio.timeout(PLAY_LIMIT_S):
            await connection.play(audio).wait()
    except (SpeechError, TelephonyError, TimeoutError, ConnectionError) as err:
        log.warning("whisper on %s not played: %s", connection.call_id, err)
    except Exception:  # the agent is connected without the whisper, never left hanging
        log.exception("whisper on %s failed", connection.call_id)
    finally:
        with contextlib.suppress(TelephonyError, ConnectionError, OSError):
            await connection.hangup()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelephonyError, ConnectionError):
            await reader
