"""Announcements: validity windows, order (urgent first, then priority), topic targeting, the
file format, and where the town-hall flow says them (with the real French understander)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from dialogs.announcements import (
    Announcement,
    Announcements,
    AnnouncementsFile,
    AnnouncementsUnavailable,
    FileAnnouncements,
    active_announcements,
)
from dialogs.engine import Engine
from dialogs.events import Action, Digits, Say, Utterance
from dialogs.loader import LoadedFlow, check_flow, load_flow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.understanding import Understander
from dialogs.yaml_source import read_yaml

NOV_9 = datetime(2026, 11, 9, 10, 0)


@cache
def town_hall() -> tuple[LoadedFlow, Understander]:
    loaded = load_flow(default_flow_path())
    return loaded, french_understander(loaded)


def engine(announcements: Announcements | None = None) -> Engine:
    loaded, understander = town_hall()
    assert loaded.hours is not None
    return Engine(loaded, understander, InMemoryServices(loaded.hours), announcements)


def said(actions: list[Action]) -> list[str]:
    return [action.text for action in actions if isinstance(action, Say)]


def item(key: str, **kwargs: object) -> Announcement:
    return Announcement(key, f"texte {key}", **kwargs)  # type: ignore[arg-type]


def test_a_window_starts_included_and_ends_excluded() -> None:
    works = item("travaux", start=datetime(2026, 11, 2), end=datetime(2026, 11, 20, 18, 0))
    assert not works.valid_at(datetime(2026, 11, 1, 23, 59))
    assert works.valid_at(datetime(2026, 11, 2, 0, 0))
    assert works.valid_at(datetime(2026, 11, 20, 17, 59))
    assert not works.valid_at(datetime(2026, 11, 20, 18, 0))
    assert item("toujours").valid_at(datetime(1990, 1, 1))


def test_active_ones_come_urgent_first_then_by_priority() -> None:
    items = [
        item("basse", priority=1), item("haute", priority=9), item("alerte", urgent=True),
        item("expiree", priority=50, end=datetime(2026, 11, 1)),
        item("future", priority=50, start=datetime(2026, 12, 1)),
        item("dechets", priority=99, topics=("dechets",)),
    ]
    assert [a.id for a in active_announcements(items, NOV_9)] == ["alerte", "haute", "basse"]
    assert [a.id for a in active_announcements(items, NOV_9, "dechets")] == ["dechets"]
    assert active_announcements(items, NOV_9, "ecole") == []


def test_file_dates_cover_whole_days_and_a_bad_window_is_refused(tmp_path: Path) -> None:
    data = AnnouncementsFile.model_validate({"announcements": {
        "ferie": {"text": "Fermé le 11.", "start": "2026-11-02", "end": "2026-11-11"},
        "crue": {"text": "Crue.", "start": "2026-11-09T06:00", "end": "2026-11-09T18:00"},
    }})
    source = FileAnnouncements.of(data)
    assert [a.id for a in source.active(datetime(2026, 11, 11, 23, 0))] == ["ferie"]
    assert source.active(datetime(2026, 11, 12, 0, 0)) == []
    assert [a.id for a in source.active(datetime(2026, 11, 9, 6, 0))] == ["ferie", "crue"]
    assert [a.id for a in source.active(datetime(2026, 11, 9, 18, 0))] == ["ferie"]
    path = tmp_path / "a.announcements.yaml"
    path.write_text("announcements:\n  x: {text: T, start: 2026-11-05, end: 2026-11-01}\n",
                    encoding="utf-8")
    document, _ = read_yaml(path)
    assert document is not None
    with pytest.raises(ValueError, match="'end' must come after 'start'"):
        AnnouncementsFile.model_validate(document.data)


def test_the_greeting_says_the_urgent_alert_before_the_privacy_notice() -> None:
    _, actions = engine().start(NOV_9)
    texts = said(actions)
    alert = next(i for i, t in enumerate(texts) if t.startswith("Alerte crue"))
    notice = next(i for i, t in enumerate(texts) if "assistant vocal automatique" in t)
    closure = next(i for i, t in enumerate(texts) if "11 novembre" in t)
    works = next(i for i, t in enumerate(texts) if "rue de la Poste" in t)
    assert texts[0].startswith("Bonjour") and alert == 1
    assert alert < notice < closure < works  # closure has the higher priority
    assert "Dites-moi en quelques mots" in " ".join(texts[works:])


def test_expired_announcements_stop_by_themselves() -> None:
    _, actions = engine().start(datetime(2026, 11, 12, 10, 0))
    text = " ".join(said(actions))
    assert "rue de la Poste" in text
    assert "Alerte crue" not in text and "11 novembre" not in text
    _, actions = engine().start(datetime(2026, 12, 1, 10, 0))
    assert "rue de la Poste" not in " ".join(said(actions))


def test_a_topic_announcement_follows_its_answer_once_per_call() -> None:
    may = datetime(2026, 5, 12, 10, 0)
    call = engine()
    state, _ = call.start(may)
    assert "17 heures le samedi" not in " ".join(said(call.start(may)[1]))
    state, actions = call.step(state, Utterance("quand passe le camion poubelle"), may)
    assert "17 heures le samedi" in " ".join(said(actions))
    state, actions = call.step(state, Utterance("et la déchèterie c'est quand"), may)
    assert state.last_intent == "dechets" and "17 heures le samedi" not in " ".join(said(actions))
    assert state.announced == ["dechetterie_mai"]


class ProviderDown(Announcements):
    def active(self, now: datetime, topic: str | None = None) -> list[Announcement]:
        raise AnnouncementsUnavailable("database unreachable")


def test_a_failing_provider_does_not_stop_the_call() -> None:
    state, actions = engine(ProviderDown()).start(NOV_9)
    assert not state.ended and "Dites-moi en quelques mots" in " ".join(said(actions))


class ProviderDouble(Announcements):
    """A provider like the database one will be: it records what it is asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[datetime, str | None]] = []

    def active(self, now: datetime, topic: str | None = None) -> list[Announcement]:
        self.asked.append((now, topic))
        if topic is None:
            return [Announcement("db", "Annonce {de la base} sans gabarit.", urgent=True)]
        return []


def test_another_provider_replaces_the_file_and_its_text_is_said_as_is() -> None:
    provider = ProviderDouble()
    call = engine(provider)
    state, actions = call.start(NOV_9)
    assert said(actions)[1] == "Annonce {de la base} sans gabarit."
    assert not any("Alerte crue" in text for text in said(actions))
    assert provider.asked[0] == (NOV_9, None)
    state, actions = call.step(state, Digits("*"), NOV_9)  # repeat: braces are not a template
    assert "Annonce {de la base} sans gabarit." in said(actions) and not state.ended


def test_announcement_file_problems_are_reported(tmp_path: Path) -> None:
    flow = default_flow_path().parent
    for name in ("mairie.yaml", "mairie.intents.yaml", "mairie.kb.yaml", "mairie.hours.yaml"):
        (tmp_path / name).write_text((flow / name).read_text("utf-8"), encoding="utf-8")
    target = tmp_path / "mairie.announcements.yaml"
    target.write_text("announcements:\n"
                      "  a: {text: Fermé., topics: [piscine]}\n"
                      "  b: {text: Le PLU change.}\n", encoding="utf-8")
    loaded, issues = check_flow(tmp_path / "mairie.yaml")
    found = {(i.severity, i.node, i.message.split(":")[0]) for i in issues}
    assert loaded is not None and loaded.announcements is not None
    assert found == {
        ("warning", "a", "unknown topic 'piscine'"),
        ("warning", "b", "abbreviation 'PLU' without its expansion"),
    }
    target.write_text("announcements:\n  b: {text: T, priority: haute}\n", encoding="utf-8")
    loaded, issues = check_flow(tmp_path / "mairie.yaml")
    assert [(str(target), 2, "error") for i in issues] == [
        (i.file, i.line, i.severity) for i in issues]
    assert "valid integer" in issues[0].message


def test_a_time_with_an_offset_is_refused_as_it_could_not_be_compared() -> None:
    with pytest.raises(ValueError, match="local time without a UTC offset"):
        AnnouncementsFile.model_validate(
            {"announcements": {"x": {"text": "T", "start": "2026-11-09T06:00+01:00"}}})
