"""AMI message format and the UUID -> channel bookkeeping (pure, no Asterisk needed)."""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

import pytest

from telephony.ami import AmiClient, AmiEvent, AmiSettings, ChannelMap
from telephony.ami.client import PLACEHOLDER_SECRET
from telephony.ami.protocol import AmiResponse, format_action, parse_message
from telephony.ami.safe_text import dialplan_pairs, dialplan_text
from telephony.errors import TelephonyError
from tests.asterisk_fixture import free_port


def test_actions_are_framed_with_their_id_and_variables() -> None:
    wire = format_action("Setvar", "7", {"Channel": "PJSIP/101-0001", "Value": "x"}, {"A": "1"})
    assert wire == (
        b"Action: Setvar\r\nChannel: PJSIP/101-0001\r\nValue: x\r\nActionID: 7\r\n"
        b"Variable: A=1\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("keys", "variables"),
    [
        ({"Value": "motif\r\nAction: Originate"}, {}),
        ({"Val\nue": "x"}, {}),
        ({}, {"A=B": "x"}),
        ({}, {"A": "x\ny"}),
    ],
)
def test_values_that_would_smuggle_an_action_are_refused(
    keys: dict[str, str], variables: dict[str, str]
) -> None:
    with pytest.raises(TelephonyError) as err:
        format_action("Setvar", "1", keys, variables)
    assert err.value.code == "ami.value"


def test_responses_and_events_are_parsed() -> None:
    response = parse_message("Response: Error\r\nActionID: 3\r\nMessage: No such channel")
    assert response == AmiResponse(False, {"ActionID": "3", "Message": "No such channel"})
    event = parse_message(
        "Event: VarSet\r\nChannel: PJSIP/x-1\r\nVariable: STANDARDISTE_UUID\r\nValue: abc\r\n"
        "ChanVariable: FOO=bar"
    )
    assert isinstance(event, AmiEvent)
    assert event.name == "VarSet" and event.get("Value") == "abc"
    assert event.variables == {"FOO": "bar"}
    assert parse_message("Asterisk Call Manager/9.0.0") is None


def varset(channel: str, value: str, variable: str = "__STANDARDISTE_UUID") -> AmiEvent:
    return AmiEvent("VarSet", {"Channel": channel, "Variable": variable, "Value": value})


def test_channel_map_follows_varset_rename_and_hangup() -> None:
    call = uuid.uuid4()
    channels = ChannelMap()
    assert channels.update(varset("PJSIP/trunk-0001", str(call)))
    # The AudioSocket leg inherits the variable: it is not the caller's channel.
    assert not channels.update(varset("AudioSocket/127.0.0.1:9092-0002", str(call)))
    assert not channels.update(varset("PJSIP/trunk-0001", "not a uuid"))
    assert not channels.update(varset("PJSIP/trunk-0001", str(uuid.uuid4()), "OTHER"))
    assert channels.get(call) == "PJSIP/trunk-0001"
    other = uuid.uuid4()
    announced = AmiEvent(
        "UserEvent", {"UserEvent": "StandardisteCall", "Channel": "PJSIP/t-2", "Uuid": str(other)}
    )
    assert channels.update(announced) and channels.get(other) == "PJSIP/t-2"
    assert channels.update(
        AmiEvent("Rename", {"Channel": "PJSIP/trunk-0001", "Newname": "PJSIP/trunk-0001<ZOMBIE>"})
    )
    assert channels.get(call) == "PJSIP/trunk-0001<ZOMBIE>"
    assert channels.update(AmiEvent("Hangup", {"Channel": "PJSIP/trunk-0001<ZOMBIE>"}))
    assert channels.get(call) is None and len(channels) == 1


def test_the_secret_is_not_in_the_settings_repr() -> None:
    settings = AmiSettings(secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(settings)



async def test_reconnection_backs_off_while_asterisk_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = AmiClient(
        AmiSettings(port=free_port(), secret="x", reconnect_min_s=0.05, reconnect_max_s=0.2)
    )
    with caplog.at_level(logging.WARNING):
        await client.start()
        with pytest.raises(TelephonyError) as err:
            await client.wait_connected(0.8)
        await client.close()
    assert err.value.code == "ami.timeout"
    delays = [float(d) for d in re.findall(r"retrying in ([0-9.]+) s", caplog.text)]
    assert delays[:4] == [0.05, 0.1, 0.2, 0.2]


def test_free_text_is_made_safe_for_the_dialplan() -> None:
    assert dialplan_text("Urbanisme, permis [urgent]\r\n$x|y", 80) == "Urbanisme permis urgent x y"
    assert len(dialplan_text("a" * 500, 80)) == 80
    hostile = '" != "" & "x):System(touch /tmp/pwned #${SHELL(id)}?a:b;c=d!<>{}`\\'
    assert dialplan_text(hostile) == "x :System touch /tmp/pwned SHELL id a:b c d"
    assert dialplan_text("Carte d’identité « urgente », 14:30, n°3 jean@mairie.fr +33") == (
        "Carte d’identité « urgente » 14:30 n°3 jean@mairie.fr +33")
    assert dialplan_text("zéro\u2028six\u200bsept\x00") == "zéro six sept"


def test_pairs_cannot_hold_their_separators() -> None:
    assert dialplan_pairs({"b": "1;x=2", "a=1": "(y)"}) == "a 1=y;b=1 x 2"


@pytest.mark.parametrize("secret", ["", "change-me"])
async def test_the_placeholder_secret_is_refused(secret: str) -> None:
    client = AmiClient(AmiSettings(secret=secret))
    with pytest.raises(TelephonyError) as err:
        await client.start()
    assert err.value.code == "ami.login"
    await client.close()


def test_the_shipped_manager_user_has_the_placeholder_the_client_refuses() -> None:
    shipped = Path(__file__).resolve().parents[2] / "telephony/asterisk/manager_standardiste.conf"
    assert f"secret = {PLACEHOLDER_SECRET}" in shipped.read_text().splitlines()


def test_pairs_keep_whole_distinct_named_pairs_only() -> None:
    # A cut pair, an empty name or two names cleaned alike would not parse back.
    assert dialplan_pairs({"a": "x" * 5, "b": "y" * 5}, limit=9) == "a=xxxxx"
    assert dialplan_pairs({";|": "v", "a;b": "1", "a b": "2"}) == "a b=2"
    text = dialplan_pairs({f"k{i}": "v" * 50 for i in range(20)})
    assert len(text) <= 400
    assert all(p.count("=") == 1 for p in text.split(";"))
