"""Small spoken-French entities: yes/no, numbers, street addresses, people's names, and values
from a table of synonyms (the intents file's `entities`).

Formats: yes_no "yes"/"no"; number as digits ("22"); address "12 bis rue victor hugo"
(lowercase, accents kept, house number in digits); name capitalised ("Jean Dupont"); a table
entity gives the table's value name ("passeport"). Every function returns None when the value
is not there, and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.nlu.normalize import Token
from dialogs.nlu.numbers import NUMBER_WORDS, first_cardinal, parse_cardinal

_NO_PHRASES = (
    "pas du tout", "absolument pas", "surtout pas", "pas vraiment", "pas d accord",
    "c est pas ca", "ce n est pas ca", "c est pas bon", "pas ca", "certainement pas",
    "je ne crois pas", "je crois pas", "je ne pense pas", "je pense pas", "pas necessaire",
    "non", "nan", "nope", "jamais", "negatif", "pas question", "aucunement",
)
_YES_PHRASES = (
    "oui", "ouais", "ouai", "ouaip", "si", "d accord", "c est ca", "c est bien ca", "exactement",
    "tout a fait", "bien sur", "absolument", "parfait", "ok", "okay", "okey", "voila",
    "affirmatif", "volontiers", "ca marche", "entendu", "certainement", "evidemment", "exact",
    "c est bon", "c est correct", "correct", "je confirme", "confirme", "tres bien", "dac",
    "carrement", "bien entendu", "yes", "ca me va", "vas y", "allez y", "pourquoi pas",
)

STREET_TYPES = frozenset(
    {"rue", "avenue", "boulevard", "bd", "place", "chemin", "impasse", "allee", "allees",
     "route", "quai", "cours", "square", "passage", "lotissement", "residence", "sentier",
     "voie", "rond", "promenade", "faubourg", "esplanade", "cite", "hameau", "lieu", "parvis",
     "ruelle", "venelle", "clos", "mail", "traverse", "montee", "cote", "rocade", "domaine"}
)
_ADDRESS_STOP = frozenset(
    {"et", "a", "depuis", "pour", "merci", "car", "parce", "qui", "il", "elle", "ca", "c", "ce",
     "est", "sont", "demain", "aujourdhui", "vers", "avec", "devant", "pres", "juste", "y",
     "s", "svp", "quand", "mais", "donc", "alors", "ou", "je", "j", "on", "nous", "vous",
     "au", "aux", "en", "cela", "ils", "elles", "dans", "sur", "pendant", "tous", "tout",
     "numero", "mon", "ma", "mes", "un", "une"}
)
"""Words that end a street name."""
_STREET_LINKS = frozenset({"de", "du", "des", "la", "le", "l", "les", "d"})
"""Words inside a street name ("rue de la paix") that cannot end it."""
_NAME_KEEP_PARTICLES = frozenset({"de", "du", "des", "le", "la", "van", "von", "d"})
_NAME_INTROS = (
    "je m appelle", "je me nomme", "mon nom c est", "mon nom est", "mon nom", "moi c est",
    "c est", "je suis", "nom", "ici", "de la part de",
)
_TITLES = frozenset({"monsieur", "madame", "mademoiselle", "mme", "mr", "m", "mlle", "docteur"})
_NOT_NAMES = frozenset(
    {"oui", "non", "merci", "bonjour", "au", "revoir", "rien", "pas", "je", "sais", "voudrais",
     "veux", "rendez", "vous", "mairie", "quoi", "comment", "pourquoi", "est", "a", "le", "la",
     "les", "un", "une", "et", "que", "qui", "il", "elle", "ne", "ca", "pour", "dans", "sur",
     "avec", "mon", "ma", "mes", "ai", "suis", "fait", "faire", "peux", "pouvez", "allo"}
)


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [token.key for token in tokens]


def _contains(text: str, phrase: str) -> int:
    """Position of `phrase` in `text` on word boundaries, or -1."""
    padded, needle = f" {text} ", f" {phrase} "
    return padded.find(needle)


def find_yes_no(keys: Sequence[str]) -> str | None:
    """ "yes" or "no" for a spoken confirmation, or None; whichever comes first wins,
    except that negations built on "pas" always mean no ("pas du tout")."""
    text = " ".join(keys)
    if not text:
        return None
    for phrase in _NO_PHRASES:
        if " " in phrase and _contains(text, phrase) >= 0:
            return "no"
    best: tuple[int, str] | None = None
    for answer, phrases in (("no", _NO_PHRASES), ("yes", _YES_PHRASES)):
        for phrase in phrases:
            where = _contains(text, phrase)
            if where >= 0 and (best is None or where < best[0]):
                best = (where, answer)
    return best[1] if best is not None else None


def find_number(keys: Sequence[str]) -> str | None:
    """The first number said (words or digits), as digits, or None."""
    found = first_cardinal(keys)
    return str(found[0]) if found is not None else None


def find_address(tokens: Sequence[Token]) -> str | None:
    """ "[au] douze [bis] rue victor hugo" -> "12 bis rue victor hugo", or None."""
    keys = _keys(tokens)
    for i, key in enumerate(keys):
        if key not in STREET_TYPES or (key == "cours" and i == 0):
            continue
        words = [tokens[i].surface]
        j = i + 1
        while j < len(keys) and len(words) < 7 and keys[j] not in _ADDRESS_STOP:
            words.append(tokens[j].surface)
            j += 1
        while words and keys[i + len(words) - 1] in _STREET_LINKS:
            words.pop()
        if len(words) < 2:
            continue
        street = " ".join(words).replace(" l ", " l'").replace(" d ", " d'")
        number = _house_number(keys, i)
        return f"{number} {street}" if number else street
    return None


def _house_number(keys: Sequence[str], street_at: int) -> str:
    """The house number said just before the street type ("douze bis"), or ""."""
    end = street_at
    suffix = ""
    if end > 0 and keys[end - 1] in ("bis", "ter", "quater"):
        suffix = " " + keys[end - 1]
        end -= 1
    for start in range(max(0, end - 5), end):
        if keys[start] == "et":
            continue
        found = parse_cardinal(keys, start)
        if found is not None and found[1] == end and 0 < found[0] < 10000:
            return f"{found[0]}{suffix}"
    return ""


def _collapse_spelling(tokens: Sequence[Token]) -> list[Token]:
    """Runs of three or more single letters ("d u p o n t") become one word, dropped when
    it repeats the word just said ("dupont d u p o n t")."""
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and len(tokens[j].key) == 1 and tokens[j].key.isalpha():
            j += 1
        if j - i >= 3:
            letters = tokens[i:j]
            word = Token("".join(t.surface for t in letters), "".join(t.key for t in letters))
            if not (result and result[-1].key == word.key):
                result.append(word)
            i = j
        else:
            result.append(tokens[i])
            i += 1
    return result


def find_name(tokens: Sequence[Token]) -> str | None:
    """A person's name from "je m'appelle jean dupont", "madame martin", "dupont", or None."""
    keys = _keys(tokens)
    joined = " ".join(keys)
    start = 0
    for intro in _NAME_INTROS:
        where = _contains(joined, intro)
        if where >= 0:
            start = len(joined[: where + len(intro)].split())
            break
    while start < len(keys) and keys[start] in _TITLES:
        start += 1
    words = _collapse_spelling(tokens[start:])
    while words and words[-1].key in ("merci", "voila", "s", "il", "vous", "plait"):
        words = words[:-1]
    if not 1 <= len(words) <= 4:
        return None
    if words[0].key in _NAME_KEEP_PARTICLES or words[-1].key in _NAME_KEEP_PARTICLES:
        return None
    for w in words:
        particle = w.key in _NAME_KEEP_PARTICLES
        if (w.key in _NOT_NAMES and not particle) or w.key in NUMBER_WORDS or not w.key.isalpha():
            return None
    return " ".join(
        w.surface if w.key in _NAME_KEEP_PARTICLES else w.surface.capitalize() for w in words
    )


def find_in_table(keys: Sequence[str], table: Mapping[str, Sequence[str]]) -> str | None:
    """The value of `table` (value -> accent-free synonyms) said first; longest synonym wins
    at a given place, so "acte de naissance" beats "acte"."""
    text = " ".join(keys)
    best: tuple[int, int, str] | None = None
    for value, synonyms in table.items():
        for synonym in synonyms:
            where = _contains(text, synonym)
            if where < 0:
                continue
            rank = (where, -len(synonym), value)
            if best is None or rank < best:
                best = rank
    return best[2] if best is not None else None
