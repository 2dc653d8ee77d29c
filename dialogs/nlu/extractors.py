"""The built-in entity kinds and the function that reads each from an utterance's tokens.

Every extractor takes the tokens (see `normalize.tokenize`) and the caller's clock and
returns the value in its fixed format, or None: date "YYYY-MM-DD", time "HH:MM", phone
digits only, yes_no "yes"/"no", number digits, address "12 rue victor hugo", name
"Jean Dupont", text the answer as said (fillers dropped, elisions glued).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from dialogs.nlu.dates import find_date
from dialogs.nlu.entities import find_address, find_name, find_number, find_yes_no
from dialogs.nlu.normalize import Token, detokenize
from dialogs.nlu.phone import find_phone
from dialogs.nlu.times import find_time

Extractor = Callable[[Sequence[Token], datetime], str | None]


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [token.key for token in tokens]


EXTRACTORS: Mapping[str, Extractor] = {
    "date": lambda tokens, now: find_date(_keys(tokens), now),
    "time": lambda tokens, now: find_time(_keys(tokens)),
    "phone": lambda tokens, now: find_phone(_keys(tokens)),
    "yes_no": lambda tokens, now: find_yes_no(_keys(tokens)),
    "number": lambda tokens, now: find_number(_keys(tokens)),
    "address": lambda tokens, now: find_address(tokens),
    "name": lambda tokens, now: find_name(tokens),
    "text": lambda tokens, now: detokenize(tokens) or None,
}
"""Built-in entity kind -> its extractor (read-only)."""
