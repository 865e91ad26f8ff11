"""Phrase memory (pure, no Django): a phrase already labelled in the project is proposed wherever
it occurs again, compared token by token (case-folded; any white space between tokens; whole
tokens only, so "war" is never found inside "warm").

Its score is how often the phrase carried the label where it occurred in the training articles
(labelled occurrences / occurrences), so a phrase labelled once among many plain uses of it
scores low. The table is plain JSON (its artifact).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from annotator.recommenders.tokens import Token, normalise, tokenize

FORMAT = "phrase-memory/1"
MAX_TOKENS = 40  # longer spans are passages, not phrases: not remembered


@dataclass(frozen=True, slots=True)
class Suggestion:
    start: int
    end: int
    label: str
    score: float


Document = tuple[str, Iterable[tuple[int, int, str]]]  # (text, [(start, end, label), ...])


def _words(tokens: list[Token]) -> list[str]:
    return [normalise(token.text) for token in tokens]


def phrase_of(tokens: list[Token], start: int, end: int) -> tuple[str, ...]:
    """The normalised tokens that overlap ``[start, end)``."""
    return tuple(normalise(t.text) for t in tokens if t.start < end and t.end > start)


class PhraseTable:
    def __init__(self, entries: dict[tuple[str, ...], dict[str, int]], seen: dict):
        self.entries = entries  # phrase -> {label: labelled occurrences}
        self.seen = seen  # phrase -> occurrences in the training texts
        self.by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in sorted(entries, key=len, reverse=True):
            self.by_first[phrase[0]].append(phrase)

    @classmethod
    def build(cls, documents: Iterable[Document]) -> "PhraseTable":
        documents = [(text, list(spans)) for text, spans in documents]
        entries: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        tokenized = []
        for text, spans in documents:
            tokens = tokenize(text)
            tokenized.append(tokens)
            for start, end, label in set(spans):
                phrase = phrase_of(tokens, start, end)
                if 0 < len(phrase) <= MAX_TOKENS and any(w[0].isalnum() for w in phrase):
                    entries[phrase][label] += 1
        table = cls({p: dict(labels) for p, labels in entries.items()}, {})
        seen: dict[tuple[str, ...], int] = defaultdict(int)
        for tokens in tokenized:
            for phrase, _, _ in table.occurrences(tokens):
                seen[phrase] += 1
        table.seen = dict(seen)
        return table

    def occurrences(self, tokens: list[Token]):
        """``(phrase, start, end)`` for every place a known phrase occurs in ``tokens``."""
        words = _words(tokens)
        for i, word in enumerate(words):
            for phrase in self.by_first.get(word, ()):
                n = len(phrase)
                if tuple(words[i : i + n]) == phrase:
                    yield phrase, tokens[i].start, tokens[i + n - 1].end

    def suggest(self, text: str) -> list[Suggestion]:
        found = []
        for phrase, start, end in self.occurrences(tokenize(text)):
            labels = self.entries[phrase]
            seen = max(self.seen.get(phrase, 0), max(labels.values()))
            for label, count in labels.items():
                found.append(Suggestion(start, end, label, round(min(1.0, count / seen), 4)))
        return found

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "phrases": [
                {"tokens": list(phrase), "labels": labels, "seen": self.seen.get(phrase, 0)}
                for phrase, labels in self.entries.items()
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "PhraseTable":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} table")
        entries, seen = {}, {}
        for row in data["phrases"]:
            phrase = tuple(str(word) for word in row["tokens"])
            entries[phrase] = {str(k): int(v) for k, v in row["labels"].items()}
            seen[phrase] = int(row["seen"])
        return cls(entries, seen)
