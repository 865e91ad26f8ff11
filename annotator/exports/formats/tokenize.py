"""The CoNLL exporter's tokeniser: simple, documented, and never splits a user-visible character.

Offsets are code points of the article text, like every span offset. A token is one of:

1. a flag: two regional-indicator symbols (U+1F1E6..U+1F1FF);
2. one character of a script written without spaces between words (``NO_SPACE_SCRIPTS``: Han,
   Hiragana, Katakana, Bopomofo, Yi, Thai, Lao, Khmer, Myanmar): with no dictionary there is no
   word boundary to find, so each character is a token (with the marks that follow it, such as
   Thai vowel and tone marks), and a span of such text loses nothing to tokenisation;
3. a word: a run of other word characters (``str.isalnum()`` or ``_``), with combining marks
   kept inside it and ZWNJ/ZWJ kept when a word character follows (Persian, Indic scripts);
4. any other single non-space code point (punctuation, symbol, emoji).

Every token also absorbs the "extenders" that follow it: combining marks (Unicode categories
Mn, Mc, Me; this includes the emoji variation selector U+FE0F), emoji skin-tone modifiers
(U+1F3FB..U+1F3FF), tag characters (U+E0020..U+E007F), and ZWJ followed by another symbol, so a
ZWJ emoji family is one token. Whitespace (``str.isspace()``, which includes the no-break space
U+00A0) separates tokens and is never part of one. Every other code point of the text is in
exactly one token.

Examples: ``"Cafe\\u0301 owners"`` -> ``Cafe\\u0301`` ``owners``; ``"don't"`` -> ``don``
``'`` ``t``; ``"3.5"`` -> ``3`` ``.`` ``5``; ``"👨\\u200d👩\\u200d👧 families"`` -> the family,
``families``; ``"中文文本"`` -> ``中`` ``文`` ``文`` ``本``; ``"ภาษาไทย"`` -> ``ภ`` ``า`` ``ษ``
``า`` ``ไ`` ``ท`` ``ย``; ``"#hoax"`` -> ``#`` ``hoax``.
"""

import re
import unicodedata
from functools import cache
from typing import NamedTuple


class Token(NamedTuple):
    text: str
    start: int
    end: int


# Scripts written without spaces between words: one token a character (see the docstring).
NO_SPACE_SCRIPTS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3038, 0x303B),
    (0x3040, 0x31FF),  # Hiragana, Katakana, Bopomofo, Kanbun, Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA000, 0xA4CF),  # Yi
    (0xA9E0, 0xA9FF),  # Myanmar extended B
    (0xAA60, 0xAA7F),  # Myanmar extended A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x1B000, 0x1B16F),  # Kana supplement and extensions
    (0x20000, 0x323AF),  # CJK extensions B-H, compatibility supplement
)


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
    no_space = _char_class(NO_SPACE_SCRIPTS)
    char = f"[{no_space}]"
    # a word character outside those scripts; a plain class loop is the engine's fast path
    letters = f"[^\\W{no_space}]"
    word = f"{letters}+(?:(?:{mark}+|[\\u200c\\u200d](?={letters})){letters}*)*"
    symbol = "[^\\w\\s]"
    return re.compile(f"(?:{flag}|{char}|{word}|{symbol}){tail}")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` in order, each with its code-point offsets."""
    return [Token(m.group(), *m.span()) for m in _pattern().finditer(text)]
