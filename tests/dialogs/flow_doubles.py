"""Test doubles at the engine's boundaries: a keyword understander (instead of the French
NLU) and services that fail, for engine tests that must not depend on NLU quality."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from dialogs.errors import ServiceError
from dialogs.services import InMemoryServices, TicketKind
from dialogs.understanding import Understander, Understanding

KEYWORDS: dict[str, str] = {
    "horaires": "horaires",
    "rendez-vous": "rendez_vous",
    "conseiller": "agent",
    "répétez": "repeter",
    "revoir": "au_revoir",
    "signaler": "signalement",
}


class KeywordUnderstander(Understander):
    """Intent = the first keyword found; values in plain formats ('2026-05-13', '10:30',
    digits, 'oui'/'non', 'demain'). Records every call so tests can see what was asked."""

    def __init__(self, keywords: Mapping[str, str] = KEYWORDS) -> None:
        self.keywords = dict(keywords)
        self.calls: list[tuple[str, str]] = []

    def understand(self, text: str, now: datetime) -> Understanding:
        self.calls.append(("understand", text))
        for word, intent in self.keywords.items():
            if word in text:
                slots = {k: v for k in ("date", "time") if (v := self._value(k, text, now))}
                return Understanding(text, intent, 0.95, slots)
        return Understanding(text, None, 0.1)

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        self.calls.append((kind, text))
        return self._value(kind, text, now)

    @staticmethod
    def _value(kind: str, text: str, now: datetime) -> str | None:
        if kind == "date":
            if "demain" in text:
                return (now.date() + timedelta(days=1)).isoformat()
            found = re.search(r"\d{4}-\d{2}-\d{2}", text)
            return date.fromisoformat(found.group()).isoformat() if found else None
        if kind == "time":
            found = re.search(r"\b(\d{1,2})[:h](\d{2})?\b", text)
            return f"{int(found.group(1)):02d}:{found.group(2) or '00'}" if found else None
        if kind == "phone":
            digits = "".join(ch for ch in text if ch.isdigit())
            return digits or None
        if kind == "yes_no":
            words = text.split()
            return "yes" if "oui" in words else "no" if "non" in words else None
        if kind == "name":
            return text.title() if text.replace(" ", "").isalpha() else None
        return text or None


class BrokenServices(InMemoryServices):
    """Services whose ticket desk is down."""

    def create_ticket(
        self,
        service: str,
        fields: Mapping[str, str],
        *,
        kind: TicketKind = "incident",
        call_id: str = "",
        transcript: Sequence[str] = (),
    ) -> str:
        raise ServiceError("ticket desk unreachable")


class AgendaDown(InMemoryServices):
    """Services whose appointment agenda cannot be read."""

    def free_slots(self, service: str, day: date) -> list[str]:
        raise ServiceError("agenda unreachable")


class CrashingUnderstander(KeywordUnderstander):
    """An understander with a bug: it raises on any utterance."""

    def understand(self, text: str, now: datetime) -> Understanding:
        raise RuntimeError("bug in understanding")
