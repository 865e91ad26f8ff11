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
import unicodedata
from functools import cache
from typing import NamedTuple


class Token(NamedTuple):
    text: str
    start: int
    end: int


def _escape(cp: int) -> str:
    return f"\\U{cp:08x}"


# Planes 4-13 hold no assigned character and planes 15-16 only private use, so scanning the
# rest finds every mark in a third of the time.
_PLANES_WITH_MARKS = (range(0, 0x40000), range(0xE0000, 0xF0000))


@cache
def _mark_ranges() -> list[tuple[int, int]]:
    """Ranges of every combining mark (Mn, Mc, Me) known to this Python's Unicode tables."""
    ranges: list[tuple[int, int]] = []
    for plane in _PLANES_WITH_MARKS:
        for cp in plane:
            if unicodedata.category(chr(cp))[0] == "M":
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1] = (ranges[-1][0], cp)
                else:
                    ranges.append((cp, cp))
    return ranges


def _char_class(ranges) -> str:
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges)


@cache
def _pattern() -> re.Pattern:
    marks = _mark_ranges()
    bmp = _char_class(r for r in marks if r[1] <= 0xFFFF)
    astral = _char_class(r for r in marks if r[0] > 0xFFFF)
    # The regex engine tests a class of BMP characters with a bitmap but one holding astral
    # characters range by range, so the astral marks sit behind a quick "is astral" test.
    mark = f"(?:[{bmp}]|(?=[\\U00010000-\\U0010ffff])[{astral}])"
    extender = f"(?:{mark}|[\\U0001f3fb-\\U0001f3ff\\U000e0020-\\U000e007f])"
    tail = f"(?:{extender}|\\u200d[^\\w\\s])*"
    flag = "[\\U0001f1e6-\\U0001f1ff]{2}"
    # \w+ first: most words have no mark, and a plain \w loop is the engine's fast path
    word = f"\\w+(?:(?:{mark}+|[\\u200c\\u200d](?=\\w))\\w*)*"
    symbol = "[^\\w\\s]"
    return re.compile(f"(?:{flag}|{word}|{symbol}){tail}")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` in order, each with its code-point offsets."""
    return [Token(m.group(), *m.span()) for m in _pattern().finditer(text)]
