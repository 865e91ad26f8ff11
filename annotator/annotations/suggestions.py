"""Diff-based suggestions: what an edited article added to or changed in its original.

A word-level diff (``difflib.SequenceMatcher`` over word tokens) of ``original_text`` against
``text``. Words are runs of non-whitespace characters, whitespace as ``str.isspace`` says, so a
no-break space (U+00A0) separates words like a space: a manipulated copy often has one exactly
where it was edited, and a change of spacing alone is not an edit worth a suggestion.

Offsets are Unicode code points of ``text`` (``[start, end)``), as everywhere outside the browser.
Inserted and substituted ranges are trimmed of punctuation at their edges (the guidelines: mark
the words, nothing more), unless nothing but punctuation changed.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher

# \S is Unicode-aware on str: U+00A0, U+2009, U+3000 ... are whitespace, ZWJ (U+200D) is not.
WORD = re.compile(r"\S+")

INSERTED = "inserted"
SUBSTITUTED = "substituted"
# The label each kind is accepted as (propaganda-techniques / manipulation presets).
LABEL_OF_KIND = {INSERTED: "inserted_phrase", SUBSTITUTED: "substituted_phrase"}


@dataclass(frozen=True)
class Suggestion:
    kind: str  # inserted | substituted
    start: int  # code points of the text
    end: int
    text: str  # text[start:end]
    original: str  # the words of the original it replaced ("" for an insertion)
    label: str  # the label it is accepted as

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Deletion:
    at: int  # the code point of the text where the words were removed
    original: str  # the removed words, as in the original

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Diff:
    suggestions: list[Suggestion]
    deletions: list[Deletion]


def words(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every word (run of non-whitespace) of ``text``."""
    return [match.span() for match in WORD.finditer(text)]


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    s, e = start, end
    while s < e and _is_punctuation(text[s]):
        s += 1
    while e > s and _is_punctuation(text[e - 1]):
        e -= 1
    return (s, e) if s < e else (start, end)


def diff(original: str, text: str) -> Diff:
    """Words of ``text`` inserted or substituted relative to ``original``, and where words of
    ``original`` were deleted. Empty when ``original`` is empty (nothing to compare with)."""
    if not original:
        return Diff([], [])
    old, new = words(original), words(text)
    matcher = SequenceMatcher(
        None, [original[s:e] for s, e in old], [text[s:e] for s, e in new], autojunk=False
    )
    suggestions, deletions = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed = original[old[i1][0] : old[i2 - 1][1]] if i2 > i1 else ""
        if op == "delete":
            # Where the next kept word of the text starts (or the end of the text).
            at = new[j1][0] if j1 < len(new) else len(text)
            deletions.append(Deletion(at=at, original=removed))
            continue
        kind = INSERTED if op == "insert" else SUBSTITUTED
        full = (new[j1][0], new[j2 - 1][1])
        trimmed = _trim(text, *full)
        # Only punctuation changed ("ends." -> "ends!"): the punctuation is the edit, keep it.
        same_words = text[slice(*trimmed)] == removed[slice(*_trim(removed, 0, len(removed)))]
        start, end = full if same_words else trimmed
        suggestions.append(
            Suggestion(kind, start, end, text[start:end], removed, LABEL_OF_KIND[kind])
        )
    return Diff(suggestions, deletions)
