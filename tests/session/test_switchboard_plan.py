"""Where transferred calls go, and the channel variables that carry their context (pure)."""

from __future__ import annotations

import logging
import uuid

import pytest

from dialogs.events import Transfer
from ivr.config.sections import TransferSection
from ivr.session.switchboard import MAX_VALUE, Target, context_variables, phone_number, plan
from telephony.ami.safe_text import CALLER_NAME_CHARS, MAX_VALUE_BYTES, NO_REASON

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
    long = context_variables("abc", Transfer("q", "r" * 1000, "s" * 1000), None, {}, "u",
                             plan(ROUTES, "urbanisme"))
    assert len(long["STANDARDISTE_SUMMARY"]) == MAX_VALUE and "STANDARDISTE_QUEUE" not in long
    assert len(long["STANDARDISTE_REASON"]) == CALLER_NAME_CHARS


def test_the_reason_the_agent_sees_as_caller_name_is_whole_up_to_its_bound() -> None:
    """The dialplan shows the reason whole as the agent's caller name: the service bounds it
    (80 characters, as `AmiClient.transfer` does), cutting between characters, never inside
    a letter's UTF-8 bytes."""
    def reason(text: str) -> str:
        return context_variables("abc", Transfer("q", text), None, {}, "u",
                                 plan(ROUTES, "urbanisme"))["STANDARDISTE_REASON"]

    exact = "État civil : " + "é" * (CALLER_NAME_CHARS - 13)
    assert reason(exact) == exact  # at the bound: whole
    assert reason(exact + "€") == exact  # one more: the extra character goes, whole
    assert reason("") == reason("{???}") == NO_REASON  # never empty: see `NO_REASON`
    for wide in ("€" * 200, "😀" * 200, "e\u0301" * 100):
        cut = reason(wide)
        assert len(cut) == CALLER_NAME_CHARS and wide.startswith(cut)
        assert cut.encode("utf-8").decode("utf-8") == cut


@pytest.mark.parametrize(("read_back", "stored"), [
    ("+33 6 12 34 56 78", "0612345678"), ("0612345678", "0612345678"),
    ("06\ufffd\ufffd12", None),  # invalid UTF-8, as the AMI reader hands it over
    ("\ufffd\ufffd", None), ("٠٦١٢٣٤٥٦٧٨", None),  # other scripts' digits: no dialler's
    ("Mme Martin", None), ("anonymous", None), (None, None), ("", None),
])
def test_a_caller_id_that_is_not_a_phone_number_is_unknown(
    read_back: str | None, stored: str | None
) -> None:
    assert phone_number(uuid.uuid4(), read_back) == stored


def test_a_slot_left_out_of_the_slots_variable_is_logged_by_name_without_its_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    said = "mon numéro secret 0612345678"
    slots = {"nom": said, ";|": said, "a;b": "1", "a b": "2", "long": "€" * 400}
    with caplog.at_level(logging.WARNING, "ivr.session.switchboard"):
        values = context_variables("abc", Transfer("q", "r"), None, slots, "u",
                                   plan(ROUTES, "urbanisme"))
    assert values["STANDARDISTE_SLOTS"] == f"a b=2;nom={said}"
    left = {r.args[1]: r.args[2] for r in caplog.records if isinstance(r.args, tuple)}
    assert left == {";|": "empty name", "a;b": "same name as another", "long": "no room"}
    assert "0612345678" not in caplog.text and "€" not in caplog.text


def test_context_variables_fit_an_asterisk_manager_line_in_bytes() -> None:
    wide = "€" * 1000
    values = context_variables("abc", Transfer("q", wide, wide), None, {"k": "😀" * 500}, "u",
                               plan(ROUTES, "urbanisme"))
    for name, value in values.items():
        assert len(value.encode()) <= MAX_VALUE_BYTES, name
    assert values["STANDARDISTE_REASON"] == "€" * CALLER_NAME_CHARS
    assert values["STANDARDISTE_SUMMARY"] == "€" * 333
    assert values["STANDARDISTE_SLOTS"] == ""  # one pair that does not fit: left out whole
