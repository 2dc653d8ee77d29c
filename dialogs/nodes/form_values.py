"""Checking the values a form receives: phone numbers, dates, free appointment times (with the
nearest free times proposed), and the French sentences that explain a refusal.

Values: dates "YYYY-MM-DD", times "HH:MM", phone numbers 10 digits starting with 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dialogs.context import Context, Fail
from dialogs.flow_model import FormNode, FormSlot
from dialogs.speak import say_date, say_time

ORDINALS = {"premier": 0, "première": 0, "deuxième": 1, "second": 1, "seconde": 1,
            "troisième": 2}
"""Words that pick one of the proposed times."""


@dataclass(frozen=True, slots=True)
class Retry:
    """A value that is fine as an answer but cannot be used: say why and ask again."""

    message: str


def free_times(ctx: Context, service: str, day: date) -> list[str]:
    """Free appointment times of `service` on `day` that are still ahead of the clock."""
    times = ctx.services.free_slots(service, day)
    if day > ctx.now.date():
        return times
    if day < ctx.now.date():
        return []
    return [time for time in times if time > ctx.now.strftime("%H:%M")]


def phone_digits(value: str) -> str:
    """'0612345678' from '06 12 34 56 78' or '+33 6 12 34 56 78'."""
    digits = "".join(char for char in value if char.isdigit())
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def check(ctx: Context, node: FormNode, slot: FormSlot, value: str) -> Fail | Retry | None:
    """None when `value` is fine; a failure, or a reason to ask again without failure.
    May raise `ServiceError` when the agenda cannot be read."""
    if slot.kind == "phone":
        if len(value) != 10 or not value.isdigit() or not value.startswith("0"):
            return Fail("no_match", "Ce numéro ne semble pas complet : il faut dix chiffres.")
        return None
    if slot.kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return Fail("no_match")
        if slot.check in ("future_date", "open_date") and day < ctx.now.date():
            return Fail("no_match", "Cette date est déjà passée.")
        service = node.service
        if slot.check == "open_date" and service and not free_times(ctx, service, day):
            return Retry(_no_slot_that_day(ctx, service, day))
    if slot.check == "free_time" and node.service is not None:
        return _check_time(ctx, node.service, value)
    return None


def _check_time(ctx: Context, service: str, value: str) -> Retry | None:
    day = date.fromisoformat(ctx.state.slots["date"])
    free = free_times(ctx, service, day)
    if value in free:
        ctx.state.proposed = []
        return None
    if not free:
        ctx.state.slots.pop("date", None)
        return Retry(_no_slot_that_day(ctx, service, day))
    ctx.state.proposed = _nearest(free, value)
    return Retry(
        f"Le créneau de {say_time(value)} n'est pas disponible le {_day(ctx, day)}. "
        "Je peux vous proposer {proposed}. Dites l'heure qui vous convient, ou tapez "
        f"{_keys(len(ctx.state.proposed))}."
    )


def _keys(count: int) -> str:
    keys = [str(i) for i in range(1, count + 1)]
    return keys[0] if count == 1 else ", ".join(keys[:-1]) + " ou " + keys[-1]


def _nearest(free: list[str], wanted: str) -> list[str]:
    def distance(item: str) -> int:
        h1, m1 = (int(p) for p in item.split(":"))
        h2, m2 = (int(p) for p in wanted.split(":"))
        return abs((h1 * 60 + m1) - (h2 * 60 + m2))

    return sorted(sorted(free, key=distance)[:3])


def _no_slot_that_day(ctx: Context, service: str, day: date) -> str:
    for offset in range(1, 31):
        later = day + timedelta(days=offset)
        if free_times(ctx, service, later):
            return (f"Il n'y a pas de rendez-vous libre le {_day(ctx, day)}. "
                    f"Le premier jour disponible est le {_day(ctx, later)}.")
    return f"Il n'y a pas de rendez-vous libre le {_day(ctx, day)}."


def _day(ctx: Context, day: date) -> str:
    return say_date(day, ctx.now.date())
