"""The CoNLL exporter's tokeniser: simple, documented, and never splits a user-visible character.

Offsets are code points of the article text, like every span offset. A token is one of:

1. a flag: two regional-indicator symbols (U+1F1E6..U+1F1FF);
2. a word: a run of word characters (``str.isalnum()`` or ``_``), with combining marks kept
   inside it and ZWNJ/ZWJ kept when a word character follows (Persian, Indic scripts);
3. any other single non-space code point (punctuation, symbol, emoji).

Every token also absorbs the "extenders" that follow it: combining marks (Unicode categories
Mn, Mc, Me; this includes the emoji variation selector U+FE0F), emoji skin-tone modifiers
(U+1F3FB..U+1F3FF), tag characters (U+E0020..U+E007F), and ZWJ followed by another symbol, so a
ZWJ emoji family is one token. Whitespace (``str.isspace()``, which includes the no-break space
U+00A0) separates tokens and is never part of one. Every other code point of the text is in
exactly one token.

Examples: ``"Cafe\\u0301 owners"`` -> ``Cafe\\u0301`` ``owners``; ``"don't"`` -> ``don``
``'`` ``t``; ``"3.5"`` -> ``3`` ``.`` ``5``; ``"👨\\u200d👩\\u200d👧 families"`` -> the family,
``families``.
"""

import re
import sys
import unicodedata
from functools import cache
from typing import NamedTuple


class Token(NamedTuple):
    text: str
    start: int
    end: int


def _escape(cp: int) -> str:
    return f"\\U{cp:08x}"


@cache
def _marks_class() -> str:
    """Ranges of every combining mark (Mn, Mc, Me) known to this Python's Unicode tables."""
    ranges = []
    start = None
    for cp in range(sys.maxunicode + 2):
        is_mark = cp <= sys.maxunicode and unicodedata.category(chr(cp))[0] == "M"
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(
                _escape(start) if start == cp - 1 else f"{_escape(start)}-{_escape(cp - 1)}"
            )
            start = None
    return "".join(ranges)


@cache
def _pattern() -> re.Pattern:
    marks = _marks_class()
    extender = f"[{marks}\\U0001f3fb-\\U0001f3ff\\U000e0020-\\U000e007f]"
    tail = f"(?:{extender}|\\u200d[^\\w\\s])*"
    flag = "[\\U0001f1e6-\\U0001f1ff]{2}"
    word = f"\\w(?:[\\w{marks}]|[\\u200c\\u200d](?=\\w))*"
    symbol = "[^\\w\\s]"
    return re.compile(f"(?:{flag}|{word}|{symbol}){tail}")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` in order, each with its code-point offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in _pattern().finditer(text)]
