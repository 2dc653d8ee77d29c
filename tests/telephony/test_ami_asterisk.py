"""The AMI client against a real Asterisk: reconnection mid-call, errors, secrets."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from telephony.ami import AmiClient, AmiSettings
from telephony.audiosocket import AudioReceived, AudioSocketServer, AudioSocketSettings
from telephony.errors import TelephonyError
from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.calls import Calls, call_from
from tests.telephony.peers import eventually
from tests.telephony.proxy import CuttableProxy

pytestmark = pytest.mark.asterisk


async def test_an_ami_drop_mid_call_is_repaired_and_the_call_never_notices(
    asterisk: AsteriskSandbox,
) -> None:
    proxy = CuttableProxy(asterisk.ami_port)
    port = await proxy.start()
    settings = AmiSettings(
        port=port, secret=asterisk.ami_secret, reconnect_min_s=0.2, ping_interval_s=1.0
    )
    ami = AmiClient(settings)
    calls = Calls()
    server = AudioSocketServer(AudioSocketSettings(port=asterisk.audiosocket_port), calls)
    try:
        await ami.start()
        await ami.wait_connected(10)
        async with server:
            await call_from(ami, "talk")
            connection = await calls.next_call()
            channel = await ami.channel_for(connection.call_id)
            await asyncio.sleep(0.5)
            proxy.cut()  # the AMI connection drops in the middle of the call
            assert await eventually(lambda: ami.connections == 2, 10)  # reconnected on its own
            await ami.wait_connected(10)
            assert proxy.accepted == 2
            # Actions work again, on the same live call.
            assert await ami.getvar(channel, "STANDARDISTE_UUID") == str(connection.call_id)
            audio_before = len(calls.events[connection.call_id])
            await asyncio.sleep(0.5)
            assert len(calls.events[connection.call_id]) > audio_before + 10  # still flowing
            assert all(isinstance(e, AudioReceived) for e in calls.events[connection.call_id])
            await connection.hangup()
            await calls.wait_end(connection.call_id)
    finally:
        await ami.close()
        await proxy.close()


async def test_actions_wait_for_the_connection_then_fail_with_a_code(
    asterisk: AsteriskSandbox,
) -> None:
    ami = AmiClient(asterisk.ami_settings(action_timeout_s=1.0))
    await ami.start()
    try:
        with pytest.raises(TelephonyError) as err:
            await ami.redirect("PJSIP/nobody-00000000", "standardiste-transfer", "queue")
        assert err.value.code == "ami.action"
        with pytest.raises(TelephonyError) as err:
            await ami.queue_summary("no-such-queue")
        assert err.value.code == "ami.not_found"
    finally:
        await ami.close()


async def test_secrets_never_reach_the_log(
    asterisk: AsteriskSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-" + asterisk.ami_secret[::-1]
    with caplog.at_level(logging.DEBUG):
        good = AmiClient(asterisk.ami_settings())
        bad = AmiClient(AmiSettings(port=asterisk.ami_port, secret=wrong, reconnect_min_s=0.1))
        await good.start()
        await bad.start()
        try:
            await good.wait_connected(10)
            await good.queue_summary("standardiste-agents")
            with pytest.raises(TelephonyError) as err:
                await bad.wait_connected(1.0)
            assert err.value.code == "ami.timeout"
        finally:
            await good.close()
            await bad.close()
    assert "refused the login" in caplog.text  # the failure is logged...
    assert asterisk.ami_secret not in caplog.text  # ...without either secret
    assert wrong not in caplog.text
    assert asterisk.ami_secret not in asterisk.log()


async def test_a_client_that_missed_the_call_start_still_finds_its_channel(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with AudioSocketServer(AudioSocketSettings(port=asterisk.audiosocket_port), calls):
        await call_from(ami, "talk")
        connection = await calls.next_call()
        late = AmiClient(asterisk.ami_settings())  # connects after the call's UserEvent
        await late.start()
        try:
            await late.wait_connected(10)
            assert late.channels.get(connection.call_id) is None
            channel = await late.channel_for(connection.call_id, wait_s=0.2)  # asks Asterisk
            assert channel == await ami.channel_for(connection.call_id)
            with pytest.raises(TelephonyError) as err:
                await late.channel_for(uuid.uuid4(), wait_s=0.1)
            assert err.value.code == "ami.not_found"
        finally:
            await late.close()
        await connection.hangup()
        await calls.wait_end(connection.call_id)


async def test_a_slow_event_reader_loses_old_events_not_the_connection(
    asterisk: AsteriskSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    client = AmiClient(asterisk.ami_settings(event_queue_size=3))
    await client.start()
    try:
        await client.wait_connected(10)
        stream = client.events()
        first = asyncio.create_task(anext(stream))  # subscribes, then nobody reads on
        await asyncio.sleep(0)
        with caplog.at_level(logging.WARNING):
            # A whole call's worth of events (no service listening: it goes to the fallback).
            await client.originate(
                "Local/100@standardiste-incoming/n", "test-caller", "talk", timeout_s=10
            )
            await asyncio.sleep(1.0)
        await first
        assert caplog.text.count("event reader is too slow") == 1
        assert await client.agents_available("standardiste-agents") == 0  # still usable
        received = [await asyncio.wait_for(anext(stream), 1) for _ in range(3)]
        assert len(received) == 3
        await stream.aclose()
    finally:
        await client.close()
