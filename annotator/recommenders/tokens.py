"""Tokens and sentences of an article, with offsets in code points (pure, no Django).

A token is a run of word characters (combining marks, joiners and emoji modifiers stay with the
character before them) or any other single non-space character; a sentence ends after ``.``,
``!``, ``?`` or ``…`` followed by white space, or at a line break. Offsets are Python ``str``
indices, so ``text[token.start:token.end]`` is the token, whatever the script or emoji.
"""

import re
import unicodedata
from dataclasses import dataclass

TOKEN = re.compile(r"\w+|\S")
SENTENCE_END = {".", "!", "?", "…"}
JOINERS = {"\u200c", "\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str


def _attaches(char: str) -> bool:
    """Whether ``char`` belongs to the character before it (a mark, a joiner, a skin tone)."""
    return (
        unicodedata.category(char) in {"Mn", "Mc", "Me"}
        or char in JOINERS
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if tokens and tokens[-1].end == start:
            last = tokens[-1]
            before = text[last.end - 1]
            word_goes_on = _attaches(before) and text[start].isalnum() and last.text[0].isalnum()
            if _attaches(text[start]) or before == "\u200d" or word_goes_on:
                tokens[-1] = Token(last.start, end, text[last.start : end])
                continue
        tokens.append(Token(start, end, match.group()))
    return tokens


def sentences(text: str, tokens: list[Token] | None = None) -> list[list[Token]]:
    """The tokens grouped in sentences (a line break always ends one)."""
    tokens = tokenize(text) if tokens is None else tokens
    result: list[list[Token]] = []
    current: list[Token] = []
    for i, token in enumerate(tokens):
        if current and "\n" in text[current[-1].end : token.start]:
            result.append(current)
            current = []
        current.append(token)
        following = tokens[i + 1].start if i + 1 < len(tokens) else len(text)
        if token.text in SENTENCE_END and following > token.end:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def normalise(word: str) -> str:
    """A token as phrase memory compares it: case-folded, NFC."""
    return unicodedata.normalize("NFC", word).casefold()
