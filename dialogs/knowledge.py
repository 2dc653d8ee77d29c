"""The knowledge base: questions callers ask and the answers the assistant gives.

The knowledge file (YAML, edited by admins) maps an entry id to a topic (usually an intent
name), example questions and the answer text. The answer may use placeholders such as
`{hours:etat_civil}` (weekly hours of a service, computed from the hours file). `best_entry`
picks the entry whose example questions share the most words with what the caller said.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict, Field

_STOPWORD_TEXT = (
    "a au aux avec c ce ces comment d de des du en est et il je j l la le les ma me mes "
    "mon ne pas pour qu que quel quelle quels quelles qui se sur ta te tu un une vous vos "
    "votre y on ou nous ca faire peux puis voudrais veux bonjour merci"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class Entry(BaseModel):
    """One answer of the knowledge base."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    topic: str = Field(description="Topic the entry belongs to (usually an intent name).")
    questions: list[str] = Field(
        min_length=1, description="Example questions, as a caller would say them."
    )
    answer: str = Field(min_length=1, description="Answer text said to the caller.")


class KnowledgeFile(BaseModel):
    """The whole knowledge file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    entries: dict[str, Entry] = Field(description="Entry id -> entry.")

    def topics(self) -> set[str]:
        return {entry.topic for entry in self.entries.values()}

    def best_entry(self, topic: str, text: str) -> str | None:
        """Id of the entry of `topic` closest to `text`; the topic's first entry when no
        question shares a word with `text`; None when the topic has no entry."""
        candidates = [key for key, entry in self.entries.items() if entry.topic == topic]
        if not candidates:
            return None
        words = keywords(text)
        best, best_score = candidates[0], 0.0
        for key in candidates:
            for question in self.entries[key].questions:
                asked = keywords(question)
                if not asked:
                    continue
                score = len(words & asked) / len(asked)
                if score > best_score:
                    best, best_score = key, score
        return best


def keywords(text: str) -> set[str]:
    """Meaningful words of a French text: lowercase, without accents or stop words."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return {word for word in re.split(r"[^a-z0-9]+", plain) if word and word not in _STOPWORDS}
