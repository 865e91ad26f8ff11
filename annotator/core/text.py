"""Text and offset utilities.

Every offset outside the browser is a Unicode code point index (Python ``str`` indexing), as in
the SemEval-2020 Task 11 data. Stored text gets one normalisation, :func:`normalize_text`: a
leading byte order mark is dropped and CRLF and lone CR become LF. Every path that stores an
article or guidelines applies it (imports, the API, the admin, the manager console); offsets
given against the raw text are remapped through :class:`NewlineMap`.
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


BOM = "\ufeff"


class NewlineMap:
    """Normalises the text (a leading BOM dropped, CRLF and lone CR to LF) and maps raw offsets
    to offsets in the result.

    Only the BOM and the CR of a CRLF pair are dropped (a lone CR becomes LF in place), so a
    raw offset moves left by the number of dropped characters before it.
    """

    def __init__(self, raw: str):
        self.raw = raw
        bom = raw.startswith(BOM)
        if "\r" not in raw and not bom:
            self.text = raw
            self._dropped: list[int] = []
            return
        self._dropped = [0] if bom else []
        self._dropped += _find_all(raw, "\r\n")
        body = raw[1:] if bom else raw
        self.text = body.replace("\r\n", "\n").replace("\r", "\n")

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
    """CRLF and lone CR to LF (a fragment of a text: a BOM is only dropped at its start)."""
    return raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw


def normalize_text(raw: str) -> str:
    """The stored form of a text: no leading BOM, and LF as the only line break."""
    return normalize_newlines(raw[1:] if raw.startswith(BOM) else raw)


def text_checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
