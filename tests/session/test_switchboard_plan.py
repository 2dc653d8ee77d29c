"""Where transferred calls go, and the channel variables that carry their context (pure)."""

from __future__ import annotations

from dialogs.events import Transfer
from ivr.config.sections import TransferSection
from ivr.session.switchboard import MAX_VALUE, Target, context_variables, plan

ROUTES = TransferSection(routes={"urbanisme": "101", "etat_civil": "queue:etat-civil"})


def test_flow_queues_map_to_dialplan_targets() -> None:
    assert plan(ROUTES, "accueil") == Target("standardiste-transfer", "queue",
                                             "standardiste-agents")
    assert plan(ROUTES, "urbanisme") == Target("standardiste-transfer", "101", None)
    assert plan(ROUTES, "etat_civil") == Target("standardiste-transfer", "queue", "etat-civil")


def test_context_variables_are_single_lines_without_commas() -> None:
    transfer = Transfer("accueil", "Question, urgente", "Demande : rdv ;\n a dit : « oui, non »")
    target = plan(ROUTES, "accueil")
    values = context_variables("abc", transfer, "rendez_vous",
                               {"date": "2026-05-13", "time": "10:00"}, "http://x/agent/calls/abc",
                               target)
    assert values["STANDARDISTE_SLOTS"] == "date=2026-05-13;time=10:00"
    assert values["STANDARDISTE_REASON"] == "Question urgente"
    assert values["STANDARDISTE_SUMMARY"] == "Demande : rdv a dit : « oui non »"
    assert values["STANDARDISTE_QUEUE"] == "standardiste-agents"
    long = context_variables("abc", Transfer("q", "r" * 1000), None, {}, "u",
                             plan(ROUTES, "urbanisme"))
    assert len(long["STANDARDISTE_REASON"]) == MAX_VALUE and "STANDARDISTE_QUEUE" not in long
