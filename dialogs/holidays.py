"""French public holidays (jours fériés), computed for any year.

Fixed dates: 1 January, 1 May, 8 May, 14 July, 15 August, 1 November, 11 November,
25 December. Easter-based: lundi de Pâques (Easter + 1 day), Ascension (+ 39 days), lundi de
Pentecôte (+ 50 days). Easter Sunday comes from the Gregorian computus (Meeus/Jones/Butcher).
"""

from __future__ import annotations

from datetime import date, timedelta

_FIXED: tuple[tuple[int, int, str], ...] = (
    (1, 1, "jour de l'An"),
    (5, 1, "fête du Travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
)


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int) -> dict[date, str]:
    """Every public holiday of `year`, date -> French name."""
    days = {date(year, month, day): name for month, day, name in _FIXED}
    easter = easter_sunday(year)
    days[easter + timedelta(days=1)] = "lundi de Pâques"
    days[easter + timedelta(days=39)] = "Ascension"
    days[easter + timedelta(days=50)] = "lundi de Pentecôte"
    return dict(sorted(days.items()))


def holiday_name(day: date) -> str | None:
    """French name of the public holiday on `day`, or None on a working day."""
    return french_holidays(day.year).get(day)
