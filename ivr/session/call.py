"""One call, from the greeting to the transfer or the hang-up: an async loop over the caller's
turns (`Listener`) and the dialogue engine's actions, each call isolated from the others.

The engine is pure and synchronous; its steps run in a worker thread (its `Services` reach
the database). An exception inside a call ends that call politely (recorded apology, then
hang-up), never another; cancellation passes through. The record of the call (turns, intents,
outcome) is written through `CallRecorder` with privacy masking applied by storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from dialogs.events import Action, CallerInput, Digits, Hangup, Listen, Say, Transfer, Utterance
from dialogs.state import CallState
from ivr.flows_live import LiveFlow
from ivr.live import CallEvent
from ivr.session.call_endings import NOBODY_ANSWERED, Endings
from ivr.session.errors import ShuttingDown, VoiceLost
from ivr.session.grammar import step_grammar
from ivr.session.line import CallerLine, LineEnded
from ivr.session.listener import Listener, TurnResult
from ivr.session.recorder import CallRecorder
from ivr.session.report import CallReport
from ivr.session.resources import SessionResources
from ivr.session.returns import recorded_transfer
from ivr.session.speaker import Speaker
from ivr.session.turns import expected_kind, is_complete
from ivr.storage import calls
from ivr.storage.errors import NotFound, StorageError
from ivr.storage.types import utc_now
from speech.errors import SpeechError
from speech.recognizer import Recognizer
from speech.voice import VoiceDetector
from telephony.audiosocket import AudioSocketConnection

log = logging.getLogger(__name__)

KEYPAD_NOTICE = ("La reconnaissance vocale est indisponible : utilisez le clavier de votre "
                 "téléphone.")
KEYPAD_SWITCH = "Je n'arrive plus à vous entendre. Utilisez le clavier de votre téléphone."
ERROR_TRANSFER = "Je suis désolé, une erreur est survenue. Je vous passe un conseiller."
FIRST_AUDIO_WAIT_S = 2.0


def never_complete(text: str) -> bool:
    return False


class CallSession:
    """Conducts one call on an AudioSocket connection."""

    def __init__(self, resources: SessionResources, connection: AudioSocketConnection) -> None:
        self.res = resources
        self.connection = connection
        self.call_id = str(connection.call_id)
        self.report = CallReport(self.call_id)
        self.line = CallerLine(connection)
        self.speaker = Speaker(connection, resources.prompts, resources.fallback,
                               resources.metrics, lambda: self.line.rate,
                               resources.settings.session.prompt_wait_s)
        self.recorder = CallRecorder(resources.database, self.call_id)
        self.started = time.monotonic()
        self.listener = Listener(self.line, self.speaker, resources.settings.session,
                                 VoiceDetector(resources.settings.session.vad_aggressiveness),
                                 self.started)
        self.keypad_only = resources.model is None or resources.settings.session.keypad_only
        self.recognizer: Recognizer | None = None
        self.state: CallState | None = None
        self.flow: LiveFlow | None = None
        """The flow this call plays (fixed when it starts)."""
        self.endings = Endings(self)

    # -- the call ------------------------------------------------------------------------
    async def run(self) -> CallReport:
        """Conduct the call to its end; never raises except on cancellation."""
        metrics = self.res.metrics
        metrics.active_calls.inc()
        self.line.start()
        try:
            returned = self.res.transferred.take(self.call_id)  # nobody took it: back here
            if returned is None:  # or this worker restarted since it transferred the call
                returned = await self._recorded_return()
            number = await self._caller_number()
            if returned is None:
                await self.recorder.start(number)
            else:
                self.recorder.resume()
            self.res.publish(CallEvent(self.call_id, "start", caller=number))
            async with asyncio.timeout(self.res.settings.session.max_call_s):
                self.report.outcome = await (
                    self._conduct() if returned is None else self._conduct_return(returned))
        except LineEnded:
            self.report.outcome = "abandoned"
            self.speaker.stop()
        except VoiceLost:
            self.report.outcome = await self.endings.no_voice()
        except ShuttingDown:
            self.report.outcome = await self.endings.goodbye_at_shutdown()
        except TimeoutError:
            log.warning("call %s: longest call duration reached", self.call_id)
            self.report.outcome = await self.endings.polite_end("rappeler")
        except Exception as err:  # one call's failure must never reach another call
            log.exception("call %s failed", self.call_id)
            self.error("session_failed", err)
            self.report.outcome = await self.endings.polite_end("erreur", "rappeler")
        finally:
            await self._close()
        return self.report

    async def _close(self) -> None:
        self.speaker.stop()
        if self.recognizer is not None:  # a decoder lent mid-utterance goes back to the shelf
            try:
                await self.recognizer.close()
            except SpeechError as err:
                log.warning("call %s: recognizer not closed cleanly (%s)", self.call_id, err)
        transfer = self.report.transfer or {}
        self.recorder.end(self.report.outcome, summary=transfer.get("summary"),
                          queue=transfer.get("queue"), reason=transfer.get("reason"))
        await self.recorder.close()
        await self.line.close()
        self.res.metrics.active_calls.dec()
        self.res.metrics.calls.labels(outcome=self.report.outcome).inc()
        self.res.publish(CallEvent(self.call_id, "end", reason=self.report.outcome,
                                   text=transfer.get("summary")))

    async def _recorded_return(self) -> Transfer | None:
        """The transfer of this call if the database has it transferred a short while ago."""
        if self.res.database is None:
            return None
        try:
            record = await self.res.database.run(calls.get_call, self.call_id)
        except NotFound:
            return None  # a new call: the usual case
        except StorageError as err:
            log.warning("call %s: could not check for an earlier transfer (%s)",
                        self.call_id, err)
            return None
        return recorded_transfer(record, utc_now())

    async def _conduct_return(self, transfer: Transfer) -> str:
        """The call comes back from a transfer nobody answered: say so, offer a callback.
        The record keeps where the call was sent."""
        log.info("call %s: back from %s, nobody answered", self.call_id, transfer.queue)
        self.report.returned = True
        self.report.transfer = {"queue": transfer.queue, "reason": transfer.reason,
                                "summary": transfer.summary or transfer.reason}
        self.flow = await asyncio.to_thread(self.res.current_flow)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FIRST_AUDIO_WAIT_S):
                await self.line.first_audio.wait()
        return await self.endings.callback(transfer, NOBODY_ANSWERED)

    async def _conduct(self) -> str:
        self.flow = await asyncio.to_thread(self.res.current_flow)
        engine, services = self.res.engine(
            self.flow, self.call_id if self.recorder.started else None)
        with contextlib.suppress(TimeoutError):  # prompts are made at the line's rate
            async with asyncio.timeout(FIRST_AUDIO_WAIT_S):
                await self.line.first_audio.wait()
        state, actions = await asyncio.to_thread(engine.start, self.res.now(), self.call_id)
        self.state = state
        if self.keypad_only:
            self.report.keypad_only = True
            actions = _with_notice(actions, KEYPAD_NOTICE)
        turn_end: float | None = None
        while True:
            actions = self._repair(actions)
            says = [a for a in actions if isinstance(a, Say)]
            final = next((a for a in actions if isinstance(a, Transfer | Hangup)), None)
            if isinstance(final, Transfer):
                return await self.endings.transfer(final, says, turn_end)
            self.say(says, turn_end)
            if isinstance(final, Hangup):
                await self.speaker.wait()
                await self.hang_up()
                return "callback" if "callback" in services.done else "resolved"
            step = next((a for a in actions if isinstance(a, Listen)), Listen())
            result = await self.caller_turn(step, self._completeness())
            turn_end = result.ended_at
            state, actions = await asyncio.to_thread(
                engine.step, state, result.caller, self.res.now())
            self.state = state
            last = state.transcript[-1] if state.transcript else None
            self.record_caller(result.caller, last.intent if last else None,
                               last.intent_confidence if last else None)

    # -- pieces the endings use too -------------------------------------------------------
    async def hang_up(self) -> None:
        """End the call on purpose: marked as such for the dialplan (which otherwise takes a
        leg cut after its first second for a dead worker), then the AudioSocket hang-up."""
        if not self.line.gone.is_set():
            await self.res.switchboard.mark_end(self.connection.call_id)
        await self.connection.hangup()

    def say(self, items: list[Say], since: float | None = None) -> None:
        """Speak `items` (recorded as one assistant turn)."""
        if self.speaker.voice_lost:
            raise VoiceLost("speech synthesis failed")
        self.speaker.say(items, since)
        text = " ".join(item.text for item in items).strip()
        if text:
            self.res.metrics.turns.labels(speaker="assistant").inc()
            self.recorder.turn("assistant", text)
            self.report.turns.append({"speaker": "assistant", "text": text,
                                      "at": round(time.monotonic() - self.started, 2)})
            self.res.publish(CallEvent(self.call_id, "turn", speaker="assistant", text=text,
                                       node=self.state.node if self.state else None))

    async def caller_turn(
        self, step: Listen, complete: Callable[[str], bool] = never_complete
    ) -> TurnResult:
        """The caller's answer, raced against shutdown and the loss of the voice; recognition
        failures switch the call to the keypad."""
        while True:
            try:
                recognizer = None if self.keypad_only else await self._recognizer(step)
            except SpeechError as err:
                self._to_keypad(err)
                continue
            turn = asyncio.ensure_future(self.listener.turn(step, recognizer, complete))
            closing = asyncio.ensure_future(self.res.closing.wait())
            lost = asyncio.ensure_future(self.speaker.lost.wait())
            try:
                await asyncio.wait({turn, closing, lost}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                closing.cancel()
                lost.cancel()
                if not turn.done():
                    turn.cancel()
                    with contextlib.suppress(asyncio.CancelledError, LineEnded, SpeechError):
                        await turn
            if turn.cancelled():
                if self.speaker.voice_lost:
                    raise VoiceLost("speech synthesis failed")
                raise ShuttingDown("the service is stopping")
            try:
                result = turn.result()
            except SpeechError as err:
                self._to_keypad(err)
                continue
            if self.speaker.voice_lost:
                raise VoiceLost("speech synthesis failed")
            if result.barged_in:
                self.report.barge_ins += 1
            while self.listener.recognition_s:
                self.res.metrics.recognition.observe(self.listener.recognition_s.pop())
            while self.listener.sources:
                source = self.listener.sources.pop()
                self.res.metrics.recognitions.labels(source=source).inc()
                self.report.recognitions[source] = self.report.recognitions.get(source, 0) + 1
            return result

    def _to_keypad(self, err: SpeechError) -> None:
        """Recognition failed: the rest of the call uses the keypad, and the caller is told."""
        log.warning("call %s: recognition failed (%s: %s); keypad from now on", self.call_id,
                    err.code, err)
        self.error(err.code, err)
        self.keypad_only = self.report.keypad_only = True
        self.say([Say(KEYPAD_SWITCH)])

    async def _caller_number(self) -> str | None:
        try:
            async with asyncio.timeout(1.0):
                return await self.res.switchboard.caller_number(self.connection.call_id)
        except TimeoutError:
            return None

    async def _recognizer(self, step: Listen) -> Recognizer | None:
        model, pool = self.res.model, self.res.pool
        if model is None or pool is None:
            return None
        if self.recognizer is None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FIRST_AUDIO_WAIT_S):
                    await self.line.first_audio.wait()
            session = self.res.settings.session
            self.recognizer = await Recognizer.create(
                model, pool, input_rate=self.line.rate,
                redecode_below=session.grammar_min_confidence, keep_ms=session.max_utterance_ms)
        try:
            await self.recognizer.set_grammar(step_grammar(step, self.res.settings.session, model))
        except SpeechError as err:
            log.info("call %s: free speech, the step's phrases make no grammar (%s)",
                     self.call_id, err)
            await self.recognizer.set_grammar(None)
        return self.recognizer

    def _completeness(self) -> Callable[[str], bool]:
        state, flow = self.state, self.flow
        if state is None or flow is None:
            return never_complete
        kind = expected_kind(flow.loaded, state)
        now = self.res.now()
        return lambda text: is_complete(kind, text, flow.understander, now)

    def _repair(self, actions: list[Action]) -> list[Action]:
        """A dialogue error (the engine's error hang-up) becomes an apology and a transfer."""
        end = actions[-1] if actions else None
        if not (isinstance(end, Hangup) and end.reason.startswith("erreur")):
            return actions
        self.error("dialogue_error", end.reason)
        kept = [a for a in actions[:-1] if not (isinstance(a, Say) and "erreur" in a.text)]
        state = self.state
        summary = f"Erreur de l'assistant ; dernière phrase : {state.last_text}" if state else ""
        queue = self.res.settings.session.error_queue
        return [*kept, Say(ERROR_TRANSFER),
                Transfer(queue, "Erreur de l'assistant vocal", summary)]

    def record_caller(self, caller: CallerInput, intent: str | None,
                      intent_confidence: float | None = None) -> None:
        """One caller turn into the records (the recogniser's and the understanding's
        confidence apart: the learning page lists them separately)."""
        if isinstance(caller, Utterance):
            text, confidence = caller.text or "[inaudible]", caller.confidence
        elif isinstance(caller, Digits):
            text, confidence = f"[touches {caller.digits}]", None
        else:
            text, confidence = "[silence]", None
        self.res.metrics.turns.labels(speaker="caller").inc()
        self.recorder.turn("caller", text, intent=intent, confidence=confidence,
                           intent_confidence=intent_confidence)
        entry: dict[str, object] = {"speaker": "caller", "text": text, "intent": intent,
                                    "at": round(time.monotonic() - self.started, 2)}
        if confidence is not None:
            entry["confidence"] = round(confidence, 3)
        self.report.turns.append(entry)
        state = self.state
        self.res.publish(CallEvent(
            self.call_id, "turn", speaker="caller", text=text, intent=intent,
            node=state.node if state else None,
            slots=tuple(sorted(state.slots.items())) if state else ()))

    def error(self, code: str, err: object) -> None:
        self.report.errors.append(f"{code}: {err}")
        self.res.metrics.errors.labels(code=code).inc()


def _with_notice(actions: list[Action], notice: str) -> list[Action]:
    """`notice` said before the first question (after the greeting)."""
    says = [i for i, a in enumerate(actions) if isinstance(a, Say)]
    at = says[-1] if says else 0
    return [*actions[:at], Say(notice), *actions[at:]]


async def run_call(resources: SessionResources, connection: AudioSocketConnection) -> CallReport:
    """The AudioSocket server's handler: one session per connection."""
    return await CallSession(resources, connection).run()
