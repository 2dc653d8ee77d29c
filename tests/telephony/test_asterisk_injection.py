"""Hostile texts on a real Asterisk 22 with the shipped dialplan: a transfer reason, summary,
slots or caller ID written to run ``System()`` runs nothing, and cannot forge UserEvent fields.

Transfer reasons come from flows (admins) and, through ``{slot}`` placeholders, from what
callers said; caller IDs come from the trunk. Each value below broke out of the dialplan's
``$[...]``/``ExecIf`` before the fix. The control test proves ``System()`` runs in this sandbox
and that its mark is seen, so the other tests can fail."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from dialogs.events import Transfer
from ivr.config.sections import TransferSection
from ivr.session.switchboard import AmiSwitchboard, context_variables, plan
from telephony.ami import AmiClient, AmiEvent
from telephony.ami.safe_text import CALLER_NAME_CHARS
from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.calls import Calls, Watcher, call_from, is_transfer, service
from tests.telephony.peers import eventually

pytestmark = pytest.mark.asterisk


FORBIDDEN = set('"()?&#$[]{},|;=!\\`')
"""Characters that make dialplan syntax: none reaches a dialplan-visible text."""


def marks(asterisk: AsteriskSandbox, *names: str) -> dict[str, Path]:
    """Files a successful injection would create (inside the chroot's /tmp), by name: short
    names, so that a command still fits in the 40 characters of a caller name."""
    tag = uuid.uuid4().hex[:5]
    return {name: asterisk.host_path(f"/tmp/{tag}{name[0]}") for name in names}


def hostile(mark: Path) -> list[str]:
    """Ways to break out of ``$["${X}" != ""]``, ``ExecIf(...?Set(...))`` and ``${...}``."""
    inside = f"/tmp/{mark.name}"
    return [
        f'" != "" & "x):System(touch {inside} #',
        f"x):System(touch {inside}",
        f"a?System(touch {inside}):b",
        f"$[1]${{SHELL(touch {inside})}}",
    ]


async def next_transfer(watcher: Watcher, call_id: uuid.UUID, after: int) -> AmiEvent:
    """The first StandardisteTransfer event of ``call_id`` after the first ``after`` seen."""
    match = is_transfer(call_id)
    assert await eventually(lambda: any(match(e) for e in watcher.seen[after:]), wait_s=10)
    return next(e for e in watcher.seen[after:] if match(e))


async def test_system_runs_in_this_sandbox_and_its_mark_is_seen(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    mark = marks(asterisk, "control")["control"]
    await ami.originate("Local/talk@test-caller/n", "test-system", "touch",
                        variables={"TEST_MARK": mark.name})
    assert await eventually(mark.exists, wait_s=10)


async def test_hostile_reason_summary_and_caller_id_set_raw_run_nothing(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """Values set straight on the channel, as a local dialplan or another tool might: the
    shipped dialplan alone must hold (it filters them and never evaluates them)."""
    files = marks(asterisk, "reason", "summary", "name")
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        channel = await ami.channel_for(connection.call_id)
        for value in hostile(files["reason"]):
            await ami.setvar(channel, "STANDARDISTE_REASON", value)
            await ami.setvar(channel, "STANDARDISTE_SUMMARY", hostile(files["summary"])[0])
            await ami.setvar(channel, "CALLERID(name)", hostile(files["name"])[1])
            await ami.setvar(channel, "CALLERID(num)", "0612,Uuid: forged,Target: 999")
            before = len(watcher.seen)
            await ami.redirect(channel, "standardiste-transfer", "queue")
            transfer = await next_transfer(watcher, connection.call_id, before)
            assert transfer.get("Target") == "queue"
            assert transfer.get("CallerNum") == "0612Uuid: forgedTarget: 999"
            for field in ("Reason", "Summary", "CallerName"):
                text = transfer.get(field) or ""
                assert text and not set(text) & FORBIDDEN, (field, text)
        await connection.hangup()
    assert [name for name, path in files.items() if path.exists()] == []


async def test_hostile_texts_through_the_service_arrive_clean(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """The service's own path: a flow's reason with a caller's slot in it, a summary and
    slots, through `context_variables` and the AMI switchboard, to the agents' queue."""
    files = marks(asterisk, "reason", "summary", "slot")
    target = plan(TransferSection(), "accueil")
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        reason = "Rappel : " + hostile(files["reason"])[0]
        summary = "Carte d'identité, « urgent » : " + hostile(files["summary"])[2]
        slots = {"nom": hostile(files["slot"])[1], "x=1;y": "2;z=3"}
        variables = context_variables(
            str(connection.call_id), Transfer("accueil", reason, summary), "etat_civil",
            slots, "http://mairie.test:8080/agent/calls/1", target,
        )
        await AmiSwitchboard(ami).transfer(connection.call_id, variables, target)
        transfer = await watcher.wait_for(is_transfer(connection.call_id))
        channel = await ami.channel_for(connection.call_id)
        stored = {name: await ami.getvar(channel, name) for name in variables}
        await connection.hangup()
    assert transfer.get("Reason") == variables["STANDARDISTE_REASON"]
    assert transfer.get("Summary") == variables["STANDARDISTE_SUMMARY"]
    assert transfer.get("Summary", "").startswith("Carte d'identité « urgent » : a System touch")
    slot_mark = files["slot"].name
    assert stored["STANDARDISTE_SLOTS"] == f"nom=x :System touch /tmp/{slot_mark};x 1 y=2 z 3"
    assert stored["STANDARDISTE_CALL_URL"] == "http://mairie.test:8080/agent/calls/1"
    for name in ("STANDARDISTE_REASON", "STANDARDISTE_SUMMARY"):
        assert not set(stored[name] or "") & FORBIDDEN, stored[name]
    assert [name for name, path in files.items() if path.exists()] == []


async def test_an_accented_reason_of_any_length_keeps_the_call_and_its_caller_name(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """The dialplan once cut the caller name at 40 bytes: half an "é" (invalid UTF-8) made
    the StandardisteTransfer UserEvent fail, and the caller was hung up on."""
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        channel = await ami.channel_for(connection.call_id)
        for reason in ("a" + "é" * 30, "État civil : acte de naissance demandé"):
            await ami.setvar(channel, "STANDARDISTE_REASON", reason)
            before = len(watcher.seen)
            await ami.redirect(channel, "standardiste-transfer", "queue")
            transfer = await next_transfer(watcher, connection.call_id, before)
            assert transfer.get("CallerName") == reason
            assert await ami.getvar(channel, "CALLERID(name)") == reason
        await ami.hangup(channel)


async def test_a_long_reason_through_the_service_is_the_callers_name_up_to_its_bound(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """`context_variables` bounds the reason (it becomes the agent's caller name whole) to
    `CALLER_NAME_CHARS` characters, cut between characters: Asterisk takes the cut text, the
    UserEvent carries it, and the caller name read back is that text, valid UTF-8."""
    target = plan(TransferSection(), "accueil")
    calls = Calls()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        names = []
        for reason in ("État civil : " + "é€😀" * 100, "a" * (CALLER_NAME_CHARS - 1) + "éé"):
            variables = context_variables(str(connection.call_id), Transfer("accueil", reason),
                                          None, {}, "http://mairie.test/agent/calls/1", target)
            before = len(watcher.seen)
            await AmiSwitchboard(ami).transfer(connection.call_id, variables, target)
            transfer = await next_transfer(watcher, connection.call_id, before)
            channel = await ami.channel_for(connection.call_id)
            names.append((reason, transfer.get("CallerName"),
                          await ami.getvar(channel, "CALLERID(name)")))
        await connection.hangup()
    for reason, shown, read_back in names:
        assert shown == read_back == reason[:CALLER_NAME_CHARS]
