"""Text and offset utilities.

Every offset outside the browser is a Unicode code point index (Python ``str`` indexing), as in
the SemEval-2020 Task 11 data. Imported text gets one normalisation, CRLF and lone CR to LF, and
offsets given against the raw text are remapped through :class:`NewlineMap`.
"""

import hashlib
from bisect import bisect_left


class TextDecodeError(ValueError):
    """Bytes that are not UTF-8; the message names the line and byte where decoding failed."""


def decode_utf8(data: bytes) -> str:
    """Decode strictly, dropping a leading BOM; raise TextDecodeError naming line and byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TextDecodeError(
            f"invalid UTF-8 at line {line}, byte {exc.start}: {data[exc.start : exc.start + 4]!r}"
        ) from None


class NewlineMap:
    """Normalises CRLF and lone CR to LF and maps raw offsets to offsets in the result.

    Only the CR of a CRLF pair is dropped (a lone CR becomes LF in place), so a raw offset moves
    left by the number of dropped CRs before it.
    """

    def __init__(self, raw: str):
        self.raw = raw
        if "\r" not in raw:
            self.text = raw
            self._dropped: list[int] = []
            return
        self._dropped = [i for i in _find_all(raw, "\r\n")]
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")

    @property
    def changed(self) -> bool:
        return self.text is not self.raw

    def offset(self, raw_offset: int) -> int:
        if not self._dropped:
            return raw_offset
        return raw_offset - bisect_left(self._dropped, raw_offset)


def _find_all(haystack: str, needle: str):
    start = haystack.find(needle)
    while start != -1:
        yield start
        start = haystack.find(needle, start + len(needle))


def normalize_newlines(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw


def text_checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
