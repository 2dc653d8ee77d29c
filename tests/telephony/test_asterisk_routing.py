"""Call routing through a real Asterisk 22 and the shipped dialplan: transfers with their
context, fallbacks when the service is unreachable or full, after-hours, call-backs."""

from __future__ import annotations

import pytest

from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketServer, AudioSocketSettings, HangupReceived
from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.calls import Calls, Watcher, call_from, is_transfer, service
from tests.telephony.peers import eventually

pytestmark = pytest.mark.asterisk


async def test_redirect_moves_a_live_call_to_the_agents_with_its_context(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        # The UUID -> channel map fills from AMI's VarSet events, without asking.
        assert await eventually(lambda: ami.channels.get(connection.call_id) is not None)
        channel = await ami.channel_for(connection.call_id)
        assert channel.startswith("Local/100@standardiste-incoming")
        assert await ami.getvar(channel, "STANDARDISTE_UUID") == str(connection.call_id)
        moved = await ami.transfer(
            connection.call_id,
            "Etat civil: acte de naissance",
            "Demande un extrait, pour son fils\r\nAction: Hangup",
            target="101",
        )
        assert moved == channel
        transfer = await watcher.wait_for(is_transfer(connection.call_id))
        events = await calls.wait_end(connection.call_id)
    assert transfer.get("Target") == "101"
    assert transfer.get("Reason") == "Etat civil: acte de naissance"
    assert transfer.get("Summary") == "Demande un extrait pour son fils Action: Hangup"
    assert transfer.get("CallerName") == "Etat civil: acte de naissance"
    assert events[-1] == HangupReceived(explicit=False)  # the AudioSocket leg went away


async def test_an_unreachable_service_sends_the_caller_to_the_agents(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    async with Watcher(ami) as watcher:
        await call_from(ami, "talk")  # nothing listens on the AudioSocket port
        transfer = await watcher.wait_for(
            lambda e: e.get("UserEvent") == "StandardisteTransfer"
            and e.get("Reason") == "Assistant indisponible"
        )
    assert transfer.get("Target") == "queue"


async def test_queue_state_is_readable(asterisk: AsteriskSandbox, ami: AmiClient) -> None:
    summary = await ami.queue_summary("standardiste-agents")
    assert summary["Available"] == 0 and summary["Callers"] == 0  # phones not registered
    assert await ami.agents_available("standardiste-agents") == 0
    members = await ami.queue_members("standardiste-agents")
    assert sorted(m.get("Name") for m in members) == ["Accueil 1", "Accueil 2"]


async def test_after_hours_a_transfer_goes_to_the_closed_message(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await ami.originate(
            "Local/100@standardiste-incoming/n", "test-caller", "talk",
            variables={"TEST_CLOSED": "1"},
        )
        connection = await calls.next_call()
        channel = await ami.channel_for(connection.call_id)
        assert await ami.getvar(channel, "STANDARDISTE_OPEN") == "0"
        await ami.redirect(channel, "standardiste-transfer", "queue")
        transfer = await watcher.wait_for(is_transfer(connection.call_id))
        await watcher.wait_for(  # the after-hours message, not the queue
            lambda e: e.get("UserEvent") == "StandardisteClosed"
            and e.get("Uuid") == str(connection.call_id)
        )
        await calls.wait_end(connection.call_id)
    assert transfer.get("Target") == "queue"
    assert not any(e.name == "QueueCallerJoin" for e in watcher.seen)


async def test_the_service_can_end_its_leg_and_let_the_dialplan_transfer(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        channel = await ami.channel_for(connection.call_id)
        await ami.setvar(channel, "STANDARDISTE_REASON", "Urbanisme")
        await ami.setvar(channel, "STANDARDISTE_NEXT", "transfer")
        await connection.hangup()  # the service's leg ends; the caller's call goes on
        transfer = await watcher.wait_for(is_transfer(connection.call_id))
    assert transfer.get("Target") == "queue" and transfer.get("Reason") == "Urbanisme"


async def test_originate_reports_whether_the_call_was_answered(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    answered = await ami.originate(
        "Local/talk@test-caller/n", "standardiste-fallback", "apology", timeout_s=10
    )
    assert answered.answered and answered.reason == 4
    unreachable = await ami.originate(  # agent 101's phone is not registered
        "PJSIP/101", "standardiste-fallback", "apology", timeout_s=5
    )
    assert not unreachable.answered and unreachable.reason != 4


async def test_a_call_over_the_limit_goes_to_the_agents(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    settings = AudioSocketSettings(port=asterisk.audiosocket_port, max_calls=1, read_timeout=15)
    async with AudioSocketServer(settings, calls) as server, Watcher(ami) as watcher:
        await call_from(ami, "talk")
        first = await calls.next_call()
        await call_from(ami, "talk")  # the service is full: refused at once
        transfer = await watcher.wait_for(
            lambda e: e.get("UserEvent") == "StandardisteTransfer"
            and e.get("Reason") == "Assistant indisponible"
        )
        assert server.rejected == 1
        assert calls.started.empty()  # the second call never reached the handler
        await first.hangup()
    assert transfer.get("Uuid") != str(first.call_id)


async def test_an_unreachable_service_can_mean_an_apology(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    async with Watcher(ami) as watcher:
        await ami.originate(  # nothing listens on the AudioSocket port
            "Local/100@standardiste-incoming/n", "test-caller", "talk",
            variables={"TEST_UNREACHABLE": "apology"},
        )
        apology = await watcher.wait_for(lambda e: e.get("UserEvent") == "StandardisteApology")
    # this call only: other tests share the Asterisk and transfer their own calls meanwhile
    assert apology.get("Uuid")
    assert not any(e.get("UserEvent") == "StandardisteTransfer"
                   and e.get("Uuid") == apology.get("Uuid") for e in watcher.seen)
