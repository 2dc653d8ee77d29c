"""Telephony: Asterisk's edges (AudioSocket server and codec, AMI client facade, configuration).

May import `speech`'s audio types, nothing else of the project.

How the service uses it (one call session per AudioSocket connection)::

    async def session(call: AudioSocketConnection) -> None:
        greeting = call.play(AudioFrame(pcm, rate=call.rate or 16000))  # paced, 20 ms frames
        async for event in call.events():  # AudioReceived / DigitReceived / ErrorReceived /
            ...                            # HangupReceived (last)
            call.flush()                   # barge-in: drop queued audio at once
        await ami.transfer(call.call_id, "Etat civil", "acte de naissance")  # to the agents

    ami = AmiClient(AmiSettings(secret=...)); await ami.start()
    async with AudioSocketServer(AudioSocketSettings(port=9092), session): ...

The call session should depend on the boundaries of `telephony.boundaries` (`CallAudio`,
`CallControl`); tests/telephony/doubles.py has doubles of both.
Errors are `telephony.errors.TelephonyError` with a machine-readable ``code``.
The deployable Asterisk 22 configuration is in ``telephony/asterisk/``.
"""
