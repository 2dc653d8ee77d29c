"""600 generated hostile texts (tests/telephony/hostile_corpus.py) on a real call in the real
Asterisk 22, two ways:

- raw, as any caller of the AMI client might set them (`AmiClient.setvar`): every text with
  CR, LF or NUL, or too long for one AMI line, is refused before a byte is written; the others
  are read back (Getvar) exactly as sent;
- through the service's own transfer path: reason, summary and slots made channel variables
  by `context_variables`, set and redirected by `AmiSwitchboard.transfer` to a test context
  where the dialplan itself splits STANDARDISTE_SLOTS (``;`` then ``=``, the overlay's
  [test-slots]); Getvar reads back what Asterisk stored and what the dialplan parsed.

Meanwhile the AMI event stream is watched: a text that forged an action would show as a
``Forged<n>`` UserEvent or a new channel, and a forged Setvar as TEST_FORGED on the channel.
The control sends one forging text bypassing the client's check, on a raw socket: its forged
Setvar is read back, so the watch can fail.
`-s` prints the counts."""

from __future__ import annotations

import asyncio
import time

import pytest

from dialogs.events import Transfer
from ivr.session.switchboard import MAX_VALUE, AmiSwitchboard, Target, context_variables
from telephony.ami import AmiClient, AmiEvent
from telephony.ami.protocol import MAX_LINE_BYTES
from telephony.ami.safe_text import dialplan_text
from telephony.errors import TelephonyError
from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.calls import Calls, Watcher, service
from tests.telephony.hostile_corpus import FORGED, corpus

pytestmark = pytest.mark.asterisk

VALUE_LIMIT = MAX_LINE_BYTES - len("Value: \r\n")
"""Longest value one Setvar can carry, bytes (Asterisk 22 reads 1024-byte lines)."""
FORBIDDEN = set('"()?&#$[]{},|;=!\\`\r\n\x00')
"""Characters that make dialplan or AMI syntax: none reaches a text the dialplan reads."""
SLOTS_CONTEXT = Target("test-slots", "s", None)


def forged(event: AmiEvent) -> bool:
    """An event only a forged action could cause (a Forged<n> UserEvent, a new channel)."""
    if event.name == "UserEvent":
        return event.get("UserEvent").startswith(FORGED)
    return event.name in ("Newchannel", "OriginateResponse") or "forged" in event.get("Exten")


async def raw_forgery(asterisk: AsteriskSandbox, channel: str) -> None:
    """What an AMI client without the check would write for a Setvar of a forging text."""
    reader, writer = await asyncio.open_connection("127.0.0.1", asterisk.ami_port)
    await reader.readline()
    writer.write(
        f"Action: Login\r\nUsername: standardiste\r\nSecret: {asterisk.ami_secret}\r\n"
        f"Events: off\r\n\r\nAction: Setvar\r\nChannel: {channel}\r\nVariable: TEST_RAW\r\n"
        f"Value: x\r\n\r\nAction: Setvar\r\nChannel: {channel}\r\nVariable: TEST_FORGED\r\n"
        f"Value: control\r\n\r\n".encode())
    await writer.drain()
    await asyncio.sleep(0.3)
    writer.close()
    await writer.wait_closed()


async def read(ami: AmiClient, channel: str, name: str) -> str:
    return await ami.getvar(channel, name) or ""


def parse_pairs(text: str) -> dict[str, str]:
    """How a reader splits STANDARDISTE_SLOTS: ``;`` between pairs, the first ``=`` in each."""
    return dict(pair.split("=", 1) for pair in text.split(";")) if text else {}


async def test_hostile_texts_forge_nothing_and_parse_back_clean(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    started = time.monotonic()
    async with service(asterisk, calls), Watcher(ami) as watcher:
        await ami.originate("Local/100@standardiste-incoming/n", "test-caller-long", "talk",
                            caller_id="Test <0612>")
        call_id = (await calls.next_call()).call_id
        channel = await ami.channel_for(call_id)

        await raw_forgery(asterisk, channel)  # the control: the watch sees a forged action
        assert await read(ami, channel, "TEST_FORGED") == "control"
        await ami.setvar(channel, "TEST_FORGED", "")
        first = len(watcher.seen)  # the call's own new channels are before this
        texts = corpus(channel)

        refused = verbatim = altered = 0
        for text in texts:
            try:
                await ami.setvar(channel, "TEST_RAW", text)
            except TelephonyError as err:
                assert err.code == "ami.value"
                refused += 1
                continue
            stored = await read(ami, channel, "TEST_RAW")
            assert len(stored.encode()) <= VALUE_LIMIT and not set(stored) & set("\r\n\x00")
            if stored == text:
                verbatim += 1
            else:  # Asterisk trims blanks and drops some control characters (ESC)
                assert stored == "".join(c for c in text if c >= " ").strip(), repr(text[:60])
                altered += 1

        cleaned = slots_sent = slots_parsed = 0
        longest = 0
        for seq, start in enumerate(range(0, len(texts), 4)):
            a, b, c, d = (texts + texts[:3])[start:start + 4]
            slots = {"nom": c, d: "x", "ville": a}
            variables = context_variables(str(call_id), Transfer("accueil", a, b), "etat_civil",
                                          slots, "http://mairie.test/agent/calls/1",
                                          SLOTS_CONTEXT)
            cleaned += sum(dialplan_text(t, MAX_VALUE) != t for t in (a, b, c, d))
            await ami.setvar(channel, "TEST_SEQ", str(seq))
            await AmiSwitchboard(ami).transfer(call_id, variables, SLOTS_CONTEXT)
            event = await watcher.wait_for(lambda e, s=str(seq): (
                e.get("UserEvent") == "TestSlotsParsed" and e.get("Seq") == s), 10)
            for name, value in variables.items():
                stored = await read(ami, channel, name)
                assert stored == value, (name, repr(value[:60]), repr(stored[:60]))
                assert not set(stored) & (FORBIDDEN - ({";", "="} if "SLOTS" in name else set()))
                longest = max(longest, len(stored.encode()))
            count = int(event.get("Count"))
            parsed = {await read(ami, channel, f"TEST_SLOT_NAME_{i}"):
                      await read(ami, channel, f"TEST_SLOT_VALUE_{i}")
                      for i in range(1, count + 1)}
            expected = parse_pairs(variables["STANDARDISTE_SLOTS"])
            assert parsed == expected, (seq, parsed, expected)
            # Each pair kept is the caller's name and value, cleaned; none other appears.
            clean = {dialplan_text(k, MAX_VALUE): dialplan_text(v, MAX_VALUE)
                     for k, v in slots.items()}
            assert all(clean.get(k) == v for k, v in parsed.items()), (seq, parsed)
            slots_sent += len(slots)
            slots_parsed += len(parsed)
        forgeries = [e for e in watcher.seen[first:] if forged(e)]
        forged_setvar = await read(ami, channel, "TEST_FORGED")
        await ami.hangup(channel)
    seconds = time.monotonic() - started
    print(f"\nFIGURES AMI injection: {len(texts)} hostile texts; raw Setvar: {refused} refused "
          f"by the client (a line break, NUL or past 1024 bytes), {verbatim} stored verbatim, "
          f"{altered} with blanks or control characters dropped by Asterisk; "
          f"through the transfer path: {len(range(0, len(texts), 4))} transfers, {cleaned} "
          f"texts cleaned, {slots_parsed} of {slots_sent} slots parsed back by the dialplan "
          f"equal to the cleaned ones (the others left out whole), longest value stored "
          f"{longest} bytes (Asterisk's limit {VALUE_LIMIT}); actions forged: "
          f"{len(forgeries) + bool(forged_setvar)}; {seconds:.1f} s")
    assert forgeries == [] and forged_setvar == ""
    assert refused > 200 and verbatim > 100
