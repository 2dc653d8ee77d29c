"""How a call ends when it does not simply hang up: a transfer to a person (with its context
in channel variables), the callback offer when nobody can take the call, and the degraded
endings (no voice, service stopping, failure) played from recorded fallback prompts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from dialogs.events import Hangup, Listen, Say, Transfer
from dialogs.understanding import Understander
from ivr.live import CallEvent
from ivr.session.callback import CallbackDialog, Submit
from ivr.session.errors import TransferUnavailable
from ivr.session.fallback_prompts import TEXTS
from ivr.session.recorder import WAITED_RETRY_DELAYS_S
from ivr.session.switchboard import LINK_LOST, Target, context_variables, plan
from ivr.session.turns import is_complete
from ivr.storage import callbacks
from ivr.storage.errors import StorageError
from ivr.storage.records import CallbackRecord

if TYPE_CHECKING:
    from ivr.session.call import CallSession

log = logging.getLogger(__name__)

NO_AGENT = "Aucun conseiller n'est disponible pour le moment."
CANNOT_TRANSFER = "Je ne peux pas vous mettre en relation avec un conseiller pour le moment."
NOBODY_ANSWERED = "Je suis désolé, aucun conseiller n'a pu prendre votre appel."
END_WAIT_S = 15.0
"""Longest wait for a goodbye to play out, seconds."""
GONE_WAIT_S = 5.0
"""Longest wait for Asterisk to take a transferred call away, seconds."""


def whisper_text(summary: str) -> str:
    """What the agent hears before the caller: the transfer's summary, as a sentence."""
    return f"Appel transféré par l'assistant. {summary.strip().rstrip('.')}."


def complete_for(kind: str | None, understander: Understander, now: datetime, text: str
                 ) -> bool:
    return is_complete(kind, text, understander, now)


class Endings:
    """The ways one call can end, beside a plain hang-up."""

    def __init__(self, session: CallSession) -> None:
        self.s = session

    async def _obstacle(self, target: Target, wait_s: float = 0.0) -> TransferUnavailable | None:
        res = self.s.res
        if not res.switchboard.up and not await res.switchboard.wait_up(wait_s):
            return TransferUnavailable("AMI is not connected", "ami_down")
        if target.asterisk_queue is None or not res.settings.transfer.check_agents:
            return None
        try:
            free = await res.switchboard.agents_available(target.asterisk_queue)
        except TransferUnavailable as err:
            return err
        if free == 0:
            return TransferUnavailable(f"no agent free in {target.asterisk_queue}", "no_agent")
        return None

    async def transfer(self, t: Transfer, says: list[Say], since: float | None) -> str:
        """Move the call to `t.queue`, or offer a callback when that cannot be done."""
        s, res = self.s, self.s.res
        target = plan(res.settings.transfer, t.queue)
        wait_s = res.settings.transfer.ami_wait_s
        if not res.switchboard.up and res.switchboard.reconnects:
            # AMI is reconnecting: the caller hears "je vous mets en relation" meanwhile.
            log.warning("call %s: AMI down at the transfer; waiting up to %.1f s for it",
                        s.call_id, wait_s)
            s.say(says, since)
            says, since = [], None
        problem = await self._obstacle(target, wait_s)
        if problem is not None:
            log.info("call %s: no transfer to %s (%s)", s.call_id, t.queue, problem)
            s.say(says[:-1], since)  # not the "I am putting you through" of the transfer
            return await self.callback(t, NO_AGENT if problem.code == "no_agent"
                                       else CANNOT_TRANSFER)
        s.say(says, since)
        state = s.state
        variables = context_variables(
            s.call_id, t, state.last_intent if state else None,
            dict(state.slots) if state else {}, res.call_url(s.call_id), target)
        if s.flow is not None and s.flow.loaded.flow.whisper:  # for the agent's ear only
            whisper = res.whispers.prepare(whisper_text(variables["STANDARDISTE_SUMMARY"]))
            variables["STANDARDISTE_WHISPER"] = str(whisper)
        await s.speaker.wait()
        try:
            await self._move(variables, target, wait_s)
        except TransferUnavailable as err:
            log.warning("call %s: transfer failed (%s)", s.call_id, err)
            s.error(err.code, err)
            return await self.callback(t, CANNOT_TRANSFER)
        s.report.transfer = {"queue": t.queue, "reason": t.reason,
                             "summary": variables["STANDARDISTE_SUMMARY"],
                             "target": f"{target.context},{target.exten}"}
        res.metrics.transfers.labels(queue=t.queue).inc()
        res.transferred.remember(s.call_id, t)  # back here if nobody answers
        res.publish(CallEvent(s.call_id, "transfer", queue=t.queue, reason=t.reason,
                              text=variables["STANDARDISTE_SUMMARY"],
                              slots=tuple(sorted(state.slots.items())) if state else ()))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(GONE_WAIT_S):
                await s.line.gone.wait()
        return "transferred"

    async def _move(self, variables: dict[str, str], target: Target, wait_s: float) -> None:
        """Set the variables and redirect; when the AMI link drops meanwhile, once more after
        it comes back (within ``wait_s``), unless the call already left the assistant (the
        redirect went through before the link dropped)."""
        s, switchboard = self.s, self.s.res.switchboard
        try:
            await switchboard.transfer(s.connection.call_id, variables, target)
        except TransferUnavailable as err:
            if err.code not in LINK_LOST or s.line.gone.is_set():
                raise
            log.warning("call %s: AMI lost during the transfer (%s); retrying once it is back",
                        s.call_id, err)
            if not await switchboard.wait_up(wait_s) or s.line.gone.is_set():
                raise
            await switchboard.transfer(s.connection.call_id, variables, target)

    async def callback(self, t: Transfer, why: str) -> str:
        """Offer a callback (or a message) and store the request for the agents."""
        s, res = self.s, self.s.res
        now = res.now()
        assert s.flow is not None, "a transfer comes from the call's flow"
        understander = s.flow.understander
        dialog = CallbackDialog(lambda kind, text: understander.extract(kind, text, now),
                                messages=not s.keypad_only)
        actions = dialog.start(why)
        stored = False
        while True:
            s.say([a for a in actions if isinstance(a, Say)])
            if any(isinstance(a, Hangup) for a in actions):
                await self._played()
                await s.hang_up()
                return "callback" if stored else "abandoned"
            submit = next((a for a in actions if isinstance(a, Submit)), None)
            if submit is not None:
                try:
                    record = await self._store(t, submit)
                except StorageError as err:
                    log.error("call %s: callback request not stored: %s", s.call_id, err)
                    s.error(err.code, err)
                    actions = list(dialog.failed())
                    continue
                stored = True
                actions = list(dialog.submitted(f"C{record.id}"))
                continue
            step = next((a for a in actions if isinstance(a, Listen)), Listen())
            kind = {"phone": "phone", "confirm": "yes_no", "offer": "yes_no"}.get(dialog.stage)
            result = await s.caller_turn(step, partial(complete_for, kind, understander, now))
            s.record_caller(result.caller, None)
            actions = list(dialog.step(result.caller))

    async def _store(self, t: Transfer, submit: Submit) -> CallbackRecord:
        s = self.s
        reason = t.reason + (f" ; message : {submit.message}" if submit.message else "")
        record: CallbackRecord = await s.recorder.run(
            callbacks.request_callback, phone=submit.phone, reason=reason, queue=t.queue,
            call_id=s.call_id if s.recorder.started else None, key=str(uuid.uuid4()),
            retry_delays_s=WAITED_RETRY_DELAYS_S)
        return record

    async def no_voice(self) -> str:
        """Synthesis failed: recorded prompts only, then a person if one can be reached."""
        s, res = self.s, self.s.res
        queue = res.settings.session.error_queue
        t = Transfer(queue, "Synthèse vocale indisponible",
                     f"La voix de l'assistant ne fonctionne pas ; dernière phrase : "
                     f"{s.state.last_text if s.state else ''}")
        target = plan(res.settings.transfer, queue)
        if await self._obstacle(target) is None:
            s.speaker.play_fallback("transfert")
            await self._played()
            variables = context_variables(s.call_id, t, None, {}, res.call_url(s.call_id),
                                          target)
            try:
                await res.switchboard.transfer(s.connection.call_id, variables, target)
            except TransferUnavailable as err:
                s.error(err.code, err)
            else:
                s.report.transfer = {"queue": queue, "reason": t.reason, "summary": t.summary,
                                     "target": f"{target.context},{target.exten}"}
                res.metrics.transfers.labels(queue=queue).inc()
                return "transferred"
        return await self.polite_end("indisponible", "rappeler", keep_playing=True)

    async def goodbye_at_shutdown(self) -> str:
        """The service stops: a recorded goodbye (ready at once, no synthesis), hang up."""
        s = self.s
        s.report.turns.append({"speaker": "assistant", "text": TEXTS["fermeture"]})
        s.recorder.turn("assistant", TEXTS["fermeture"])
        return await self.polite_end("fermeture")

    async def polite_end(self, *prompt_ids: str, keep_playing: bool = False) -> str:
        """Recorded fallback sentences, then hang up (whatever state the line is in)."""
        s = self.s
        if not keep_playing:
            s.speaker.stop()
        with contextlib.suppress(Exception):
            for prompt_id in prompt_ids:
                s.speaker.play_fallback(prompt_id)
            await self._played()
        with contextlib.suppress(Exception):
            await s.hang_up()
        return "abandoned"

    async def _played(self) -> None:
        """Wait (bounded) until what was said has been heard, unless the caller left."""
        s = self.s
        wait = asyncio.ensure_future(s.speaker.wait())
        gone = asyncio.ensure_future(s.line.gone.wait())
        try:
            await asyncio.wait({wait, gone}, timeout=END_WAIT_S,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            wait.cancel()
            gone.cancel()
