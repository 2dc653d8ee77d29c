"""Dates said in French, resolved against the caller's clock, as "YYYY-MM-DD".

Understood: "aujourd'hui", "ce matin", "cet après-midi", "ce soir", "demain", "après-demain",
weekday names ("jeudi", "lundi prochain", "jeudi de la semaine prochaine", "vendredi quatre"),
a day and a month ("le trois décembre", "le 3 décembre", "le premier décembre", "jeudi
vingt-six novembre", with or without a year), a day of the month alone ("le quinze", or
"quinze" as a whole answer), "dans trois jours", "dans une semaine", "dans quinze jours".
Without a year, the next occurrence counting today. Works on accent-free token keys.

Weekdays: a weekday alone is its next occurrence after today ("mardi" said on a Monday is
tomorrow, "lundi" said on a Monday is in a week). "<weekday> prochain" is the same next
occurrence, except when that is tomorrow: a caller meaning tomorrow says "demain" (or just
"mardi"), so "mardi prochain" said on a Monday is the Tuesday of the week after, in 8 days
("vendredi prochain" said on a Monday is still that Friday). "<weekday> de la semaine
prochaine" is always in the next calendar week, "<weekday> en huit" one week after the next
occurrence. The flow reads a date back before booking, so a caller who meant otherwise can
correct it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from dialogs.nlu.numbers import number_continuations, parse_cardinal

WEEKDAYS: dict[str, int] = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}
MONTHS: dict[str, int] = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
# Words after a number that show it is not a day of the month.
_NOT_A_DAY = frozenset(
    {"heure", "heures", "h", "rue", "avenue", "boulevard", "place", "chemin", "impasse",
     "allee", "route", "minutes", "minute", "ans", "an", "euros", "euro", "enfants", "personnes",
     "jours", "semaines", "mois", "fois", "bis", "ter"}
)


def _day_number(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    """A day of the month (1-31) at i: "premier", "1er", "trois", "vingt et un", "3"."""
    if i >= len(keys):
        return None
    if keys[i] in ("premier", "1er"):
        return 1, i + 1
    found = parse_cardinal(keys, i)
    if found is None or not 1 <= found[0] <= 31:
        return None
    return found


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_day_month(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _day_and_month(keys: Sequence[str], i: int, today: date) -> tuple[date, int] | None:
    """ "trois decembre [deux mille vingt six]" at i, as (date, end)."""
    day = _day_number(keys, i)
    if day is None or day[1] >= len(keys) or keys[day[1]] not in MONTHS:
        return None
    month, end = MONTHS[keys[day[1]]], day[1] + 1
    year = parse_cardinal(keys, end)
    if year is not None and 2000 <= year[0] <= 2100:
        found = _safe_date(year[0], month, day[0])
        return (found, year[1]) if found is not None else None
    found = _next_day_month(today, month, day[0])
    return (found, end) if found is not None else None


def _weekday(keys: Sequence[str], i: int, today: date) -> date:
    target = WEEKDAYS[keys[i]]
    ahead = (target - today.weekday()) % 7 or 7
    rest = " ".join(keys[i + 1 : i + 6])
    if rest.startswith(("de la semaine prochaine", "semaine prochaine")):
        monday_next = today + timedelta(days=7 - today.weekday())
        return monday_next + timedelta(days=target)
    if rest.startswith(("en huit", "de la semaine d apres")):
        return today + timedelta(days=ahead + 7)
    if ahead == 1 and rest.startswith(("prochain", "prochaine")):
        return today + timedelta(days=ahead + 7)  # tomorrow would have been "demain"
    return today + timedelta(days=ahead)


def _weekday_and_day(keys: Sequence[str], i: int, today: date) -> date | None:
    """ "vendredi quatre" (no month) at i: the next such date falling on that weekday."""
    day = _day_number(keys, i + 1)
    if day is None or (day[1] < len(keys) and keys[day[1]] in _NOT_A_DAY):
        return None
    target = WEEKDAYS[keys[i]]
    year, month = today.year, today.month
    for _ in range(14):
        candidate = _safe_date(year, month, day[0])
        if candidate is not None and candidate >= today and candidate.weekday() == target:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _next_day_of_month(today, day[0])


def _relative(keys: Sequence[str], i: int, today: date) -> date | None:
    """ "dans trois jours", "dans une semaine", "dans quinze jours" at i (keys[i] == "dans")."""
    count = parse_cardinal(keys, i + 1)
    if count is None or count[1] >= len(keys) or not 0 < count[0] <= 400:
        return None
    unit = keys[count[1]]
    if unit in ("jour", "jours"):
        return today + timedelta(days=count[0])
    if unit in ("semaine", "semaines"):
        return today + timedelta(weeks=count[0])
    return None


def find_date(keys: Sequence[str], now: datetime) -> str | None:
    """The first date said in `keys`, as "YYYY-MM-DD", or None."""
    today = now.date()
    n = len(keys)
    bare = _day_number(keys, 0)  # a whole answer "quinze" to "quel jour ?"
    if bare is not None and bare[1] == n:
        found_day = _next_day_of_month(today, bare[0])
        return found_day.isoformat() if found_day is not None else None
    inside = number_continuations(keys)
    for i, key in enumerate(keys):
        if i in inside:
            continue
        found: date | None = None
        if key == "aujourdhui":
            found = today
        elif (key == "apres" and i + 1 < n and keys[i + 1] == "demain") or key == "apresdemain":
            found = today + timedelta(days=2)
        elif key == "demain" and not (i > 0 and keys[i - 1] == "apres"):
            found = today + timedelta(days=1)
        elif key in WEEKDAYS:
            explicit = _day_and_month(keys, i + 1, today)
            if explicit is not None:
                found = explicit[0]
            else:
                found = _weekday_and_day(keys, i, today) or _weekday(keys, i, today)
        elif key == "dans":
            found = _relative(keys, i, today)
        elif key in ("ce", "cet", "cette") and " ".join(keys[i + 1 : i + 3]).startswith(
            ("matin", "apres midi", "aprem", "soir")
        ):
            found = today
        else:
            explicit = _day_and_month(keys, i, today)
            if explicit is not None:
                found = explicit[0]
            elif key == "le" and (day := _day_number(keys, i + 1)) is not None:
                after = keys[day[1]] if day[1] < n else ""
                if after not in _NOT_A_DAY and after not in MONTHS:
                    found = _next_day_of_month(today, day[0])
        if found is not None:
            return found.isoformat()
    return None
