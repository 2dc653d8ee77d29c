"""Engine turns become live events: a real call of the town-hall flow, played by the real
engine and understander, published turn by turn into a hub, ends up as the agent will see
it (transcript, intent, transfer with its context)."""

from __future__ import annotations

from datetime import datetime

from dialogs.engine import Engine
from dialogs.events import Transfer
from dialogs.hours import HoursFile
from dialogs.loader import load_flow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.simulator import Call, parse_line
from ivr.live import CallEvent, LiveHub
from ivr.live_events import transfer_event, turn_events


def test_a_simulated_call_published_turn_by_turn() -> None:
    loaded = load_flow(default_flow_path())
    engine = Engine(loaded, french_understander(loaded),
                    InMemoryServices(loaded.hours or HoursFile(services={})))
    call = Call(engine, datetime(2026, 5, 12, 10, 0))
    hub = LiveHub()
    hub.publish(CallEvent("c1", "start", caller="0612345678"))
    for event in turn_events("c1", call.last_turn):
        hub.publish(event)
    for line in ["quels sont vos horaires", "", "dtmf:0"]:
        call.send(parse_line(line))
        for event in turn_events("c1", call.last_turn):
            hub.publish(event)
    transfers = [a for a in call.actions if isinstance(a, Transfer)]
    assert len(transfers) == 1
    hub.publish(transfer_event("c1", transfers[0]))
    live = hub.call("c1")
    assert live is not None
    speakers = [(e.speaker, (e.text or "")[:22]) for e in live.turns]
    assert speakers[0] == ("assistant", "Bonjour, vous êtes bie")
    assert ("caller", "quels sont vos horaire") in speakers
    assert ("caller", "touche 0") in speakers
    assert sum(1 for s, _ in speakers if s == "caller") == 2  # silence says nothing
    assert live.last_intent == "horaires"
    assert live.transfer is not None and live.transfer.queue == "accueil"
    assert live.transfer.reason == transfers[0].reason
