"""Hostile texts a caller's words could put into a transfer (reason, summary, slot names and
values), generated from a fixed seed: AMI framing (CR/LF forging a header, a second action,
a blank line ending the action early), the dialplan's separators and syntax (``; , | = ${...}
$[...]`` quotes, backslashes), NUL, Unicode line and format characters, 10,000-character
texts in 1-, 2-, 3- and 4-byte UTF-8, and random mixes of all of these.

Every text that tries to forge an action marks it (TEST_FORGED set on the call's channel,
a ``Forged<n>`` UserEvent, extension ``forged<n>``) so that a run can tell whether any ran.
(The shipped AMI user may not write the "user" class: a forged UserEvent would be refused by
Asterisk anyway; a forged Setvar or Originate would not.)"""

from __future__ import annotations

import random

SEED = 16
FORGED = "Forged"
"""Start of every UserEvent name and Originate extension a hostile text tries to create."""


def forging(mark: int, channel: str) -> list[str]:
    """Texts that would add a header or an action if a line break went through (a Setvar
    of TEST_FORGED on ``channel``, a UserEvent, an Originate)."""
    setvar = f"Action: Setvar\r\nChannel: {channel}\r\nVariable: TEST_FORGED\r\nValue: {mark}\r\n"
    event = f"Action: UserEvent\r\nUserEvent: {FORGED}{mark}\r\n"
    originate = (f"Action: Originate\r\nChannel: Local/talk@test-caller/n\r\n"
                 f"Context: test-caller\r\nExten: forged{mark}\r\nPriority: 1\r\n")
    return [
        f"rendez-vous\r\n\r\n{setvar}\r\n",
        f"x\n\n{setvar.replace(chr(13), '')}\n",
        f"rendez-vous\r\n\r\n{event}\r\n",
        f"x\r\n\r\n{originate}\r\n",
        f"x\r\nVariable: STANDARDISTE_SLOTS=forged{mark}=1\r\n",
        f"x\r\nChannel: Local/forged{mark}\r\n",
        f"x\n\n{event.replace(chr(13), '')}\n",
        f"x\r\r{event.replace(chr(10), '')}\r",
        f"x\x00\r\n\r\n{event}",
        f"x\u2028\u2029{event}",
    ]


FIXED = [
    ";", ",", "|", "=", ";;;", "a=b;c=d", "=;=;", "nom=x;ville=y", "a,b|c;d=e",
    "${SHELL(touch /tmp/p)}", "$[1+1]", "${EVAL(${X})}", "$(id)", "`id`", "${X:0:3}",
    '" != "" & "x):System(touch /tmp/p #', "x):System(touch /tmp/p", "a?System(p):b",
    "\\", "\\;", "\\r\\n", "'", '"', "()", "[]", "{}", "&&", "!<>", "#", "%", "^",
    "\x00", "a\x00b", "\x00Action: Originate", "\x7f", "\x1b[2J", "\t", "\x0b", "\x0c",
    "\x85", "\u2028", "\u2029", "\u200b", "\u202e", "\ufeff", "\u00a0", "\u3000",
    "", " ", "     ", "Carte d’identité « urgent » 14:30 n°3",
    "A" * 10_000, "é" * 10_000, "€" * 10_000, "😀" * 10_000, "a;" * 5_000, "=" * 10_000,
    "\r\n" * 5_000, ("x" * 1_100) + "\r\nAction: UserEvent\r\nUserEvent: Forged0\r\n",
    "é" * 400 + ";x=y", "€" * 333 + "a", "😀" * 250,
]
ALPHABET = (
    list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .'-/_@+:")
    + list(";,|=$[]{}()\"\\`!?&<>#%^*~") + ["\r", "\n", "\r\n", "\x00", "\t"]
    + ["é", "€", "«", "»", "’", "😀", "\u2028", "\u200b", "\u202e", "\x85"]
    + ["${", "$[", "Action: ", "\r\n\r\n", "UserEvent: ", "Originate"]
)


def corpus(channel: str, size: int = 600) -> list[str]:
    """At least ``size`` hostile texts, the same on every run but for ``channel`` (the call's
    channel, which the forging texts aim at)."""
    rng = random.Random(SEED)
    texts = list(FIXED)
    mark = 1
    while len(texts) < size // 3:
        texts.extend(forging(mark, channel))
        mark += 1
    while len(texts) < size:
        length = rng.choice([1, 2, 5, 20, 80, 200, 400, 1_000, 3_000])
        texts.append("".join(rng.choice(ALPHABET) for _ in range(length)))
    return texts
