"""French wording of values for the synthetic voice.

Dates "YYYY-MM-DD" become "mardi 12 mai", times "HH:MM" become "10 heures 30", phone numbers
(digits) are grouped by two, references are spelled character by character. Everything else
is returned unchanged.
"""

from __future__ import annotations

from datetime import date

WEEKDAYS: tuple[str, ...] = (
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
)
MONTHS: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre",
)


def say_date(day: date, today: date | None = None) -> str:
    """'mardi 12 mai' ('1er' for the first day of a month); the year is added when it is not
    the year of `today`."""
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{WEEKDAYS[day.weekday()]} {number} {MONTHS[day.month - 1]}"
    return text if today is None or today.year == day.year else f"{text} {day.year}"


def say_time(hhmm: str) -> str:
    """'10 heures 30' from '10:30', 'midi' from '12:00'."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if (hours, minutes) == (12, 0):
        return "midi"
    head = f"{hours} heure" + ("s" if hours > 1 else "")
    return head if minutes == 0 else f"{head} {minutes:02d}"


def say_phone(digits: str) -> str:
    """'06 12 34 56 78' from '0612345678'."""
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def say_reference(reference: str) -> str:
    """'S 1 0 0 2' from 'S1002': one character at a time so that nothing is merged."""
    return " ".join(reference)


def say_list(items: list[str]) -> str:
    """'a, b et c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def say_value(kind: str, value: str, today: date | None = None) -> str:
    """A slot value as it should be spoken, given its kind."""
    try:
        if kind == "date":
            return say_date(date.fromisoformat(value), today)
        if kind == "time":
            return say_time(value)
    except ValueError:
        return value
    if kind == "phone":
        return say_phone(value)
    if kind == "reference":
        return say_reference(value)
    return value
