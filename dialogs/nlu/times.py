"""Clock times said in French, as "HH:MM" (24-hour).

Understood: "quatorze heures trente", "dix heures et quart", "huit heures et demie", "onze
heures moins le quart", "onze heures moins dix", "midi", "minuit et demi", "deux heures de
l'après-midi", "huit heures du soir", "9h30", "9 h", "14:30" (the normaliser turns ':' into
'h'). Inside a sentence, a number without "heure(s)"/"h" is not a time; a whole answer like
"quatorze trente" or "à neuf" is. Works on accent-free token keys.

Daytime reading: callers of a town hall mean office hours, and no counter opens at night, so
an hour from 1 to 7 said without a part of the day is an afternoon hour ("à deux heures" ->
14:00, "trois heures et demie" -> 15:30, "cinq heures" -> 17:00, "2h30" -> 14:30); from 8 to
12 it stays as said ("huit heures" -> 08:00). A part of the day decides explicitly: "du
matin"/"de la nuit" keep the morning ("deux heures du matin" -> 02:00), "de l'après-midi"/"du
soir" give the afternoon or evening ("huit heures du soir" -> 20:00).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.nlu.numbers import below_100_options, number_continuations, parse_cardinal

_HOUR_WORDS = frozenset({"heure", "heures", "h"})
# "dans deux heures", "pendant trois heures": a duration, not a clock time.
_DURATION_WORDS = frozenset({"dans", "pendant", "depuis", "durant", "environ"})
_AFTERNOON = ("de l apres midi", "de l aprem", "l apres midi", "apres midi", "du soir", "le soir")
_MORNING = ("du matin", "de la nuit", "le matin")
_COMPACT_RE = re.compile(r"^(\d{1,2})h(\d{2})?$")
AFTERNOON_UNTIL = 7
"""Hours from 1 to this one, said without a part of the day, are afternoon hours (13-19)."""


def _minutes_after(keys: Sequence[str], j: int) -> tuple[int, int]:
    """Minutes said after "X heures" at j, as (minutes, end); (0, j) when none."""
    n = len(keys)
    if j < n and keys[j] == "et" and j + 1 < n:
        if keys[j + 1] == "quart":
            return 15, j + 2
        if keys[j + 1] in ("demie", "demi"):
            return 30, j + 2
    if j < n and keys[j] == "moins" and j + 1 < n:
        if keys[j + 1] == "le" and j + 2 < n and keys[j + 2] == "quart":
            return -15, j + 3
        if keys[j + 1] == "quart":
            return -15, j + 2
        options = below_100_options(keys, j + 1)
        if options and 0 < options[0][0] < 60:
            return -options[0][0], options[0][1]
    if j < n and keys[j] in ("demie", "demi"):
        return 30, j + 1
    if j < n and keys[j] == "quart":
        return 15, j + 1
    if j + 1 < n and keys[j] == "zero":  # "quatorze heures zéro cinq"
        options = below_100_options(keys, j + 1)
        if options and options[0][0] < 10:
            return options[0][0], options[0][1]
    options = below_100_options(keys, j)
    if options and options[0][0] < 60:
        end = options[0][1]
        if end < n and keys[end] in ("minute", "minutes"):
            end += 1
        return options[0][0], end
    return 0, j


def _period_shift(keys: Sequence[str], j: int, hour: int) -> int:
    """The 24-hour hour for `hour` said before what is at j: "du matin" / "de l'après-midi" /
    "du soir" decide; without them, 1 to `AFTERNOON_UNTIL` are afternoon hours."""
    rest = " ".join(keys[j : j + 4])
    if rest.startswith(_MORNING):
        return 0 if hour == 12 else hour
    if hour < 12 and rest.startswith(_AFTERNOON):
        return hour + 12
    return _daytime(hour)


def _daytime(hour: int) -> int:
    """`hour` as meant during office hours: 1-7 become 13-19, the others stay."""
    return hour + 12 if 1 <= hour <= AFTERNOON_UNTIL else hour


def _format(hour: int, minutes: int) -> str | None:
    if not 0 <= hour <= 24 or not -60 < minutes < 60:
        return None
    total = (hour * 60 + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _compact(key: str, keys: Sequence[str], i: int) -> tuple[str | None, bool]:
    """ "9h30" / "9h" tokens; returns (time, matched)."""
    match = _COMPACT_RE.match(key)
    if match is None:
        return None, False
    hour = int(match.group(1))
    if match.group(2) is not None:
        minutes, end = int(match.group(2)), i + 1
    else:
        minutes, end = _minutes_after(keys, i + 1)
    if hour > 24 or minutes >= 60:
        return None, True
    return _format(_period_shift(keys, end, hour), minutes), True


def _bare_answer(keys: Sequence[str]) -> str | None:
    """A whole answer that is only an hour and maybe minutes ("quatorze trente", "à neuf"),
    as said to "à quelle heure ?"; None for anything else."""
    start = 1 if keys and keys[0] in ("a", "vers") else 0
    hour = parse_cardinal(keys, start)
    if hour is None or not 0 <= hour[0] <= 23:
        return None
    minutes = below_100_options(keys, hour[1])
    if not minutes:
        return _format(_daytime(hour[0]), 0) if hour[1] == len(keys) else None
    value, end = minutes[0]
    return _format(_daytime(hour[0]), value) if end == len(keys) and value < 60 else None


def find_time(keys: Sequence[str]) -> str | None:
    """The first clock time said in `keys`, as "HH:MM", or None. An answer made only of an
    hour and minutes ("quatorze trente") is a time too."""
    bare = _bare_answer(keys)
    if bare is not None:
        return bare
    n = len(keys)
    inside = number_continuations(keys)
    for i, key in enumerate(keys):
        if i in inside:
            continue
        if key in ("midi", "minuit"):
            base = 12 if key == "midi" else 0
            if key == "midi" and i > 0 and keys[i - 1] == "apres":
                continue
            if i + 1 < n and keys[i + 1] in _HOUR_WORDS:
                minutes, _ = _minutes_after(keys, i + 2)
            else:
                minutes, _ = _minutes_after(keys, i + 1)
            return _format(base, minutes)
        compact, matched = _compact(key, keys, i)
        if matched:
            if compact is not None:
                return compact
            continue
        hour = parse_cardinal(keys, i)
        if hour is None or hour[1] >= n or keys[hour[1]] not in _HOUR_WORDS:
            continue
        if hour[0] > 24 or (i > 0 and keys[i - 1] in _DURATION_WORDS):
            continue
        minutes, end = _minutes_after(keys, hour[1] + 1)
        found = _format(_period_shift(keys, end, hour[0]), minutes)
        if found is not None:
            return found
    return None
