"""What every format parses into, and the validation all formats share.

Parsers turn their input into :class:`ArticleRecord` objects whose text is already normalised
(CRLF / lone CR -> LF) and whose spans are already remapped to it and checked, so the writer only
inserts. Raw offsets are validated against the text exactly as the file gave it.
"""

import codecs
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from annotator.core.text import BOM, NewlineMap, TextDecodeError, decode_utf8, text_checksum

if TYPE_CHECKING:
    from .media import Media, MediaFile

# Model field limits, checked here so a bad value is an error naming its line, not a DB error.
MAX_EXTERNAL_ID = 200
MAX_TITLE = 1000
MAX_URL = 2000

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class RecordError(ValueError):
    """A problem with one article; ``file``/``line`` override where the article was read
    (e.g. the line of a SemEval labels file)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.line = line


class ImageRecord(NamedTuple):
    url: str  # "" when the image is a file only
    start: int | None  # the caption's range in code points of the text, or None
    end: int | None
    file: "MediaFile | None" = None  # a file of the zip or folder read (imports/media.py)


@dataclass
class ArticleRecord:
    external_id: str
    title: str
    text: str
    text_sha256: str
    original_text: str = ""
    source_url: str = ""
    published: date | None = None
    metadata: dict = field(default_factory=dict)
    # (start, end, label_id) in code points of ``text``
    spans: list[tuple[int, int, int]] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    # the labels files the spans came from (SemEval/PTC), for the report
    label_files: list[str] = field(default_factory=list)
    # "file, line N" of each span line that repeats a span of the article (stored once)
    repeated_spans: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LabelRef:
    id: int
    key: str
    retired: bool


class LabelIndex:
    """Finds a project's label by key or by official (SemEval) name, exactly as written.

    Official names contain commas (``Name_Calling,Labeling``), so they are never split.
    """

    def __init__(self, labels):
        self._by_name: dict[str, LabelRef] = {}
        for label in labels:
            ref = LabelRef(label.id, label.key, label.retired)
            if label.official_label:
                self._by_name.setdefault(label.official_label, ref)
        for label in labels:  # a key wins over another label's official name
            self._by_name[label.key] = LabelRef(label.id, label.key, label.retired)
        # for error messages: "key (Official_Name)" of every label that takes spans
        self.known = sorted(
            f"{label.key} ({label.official_label})" if label.official_label else label.key
            for label in labels
            if not label.retired
        )
        # name -> id of labels that take spans: the bulk path's one dict lookup
        self.active = {name: ref.id for name, ref in self._by_name.items() if not ref.retired}
        # every label id a span may be given (the import locks them: service._lock_references)
        self.ids = frozenset(ref.id for ref in self._by_name.values())

    @classmethod
    def for_project(cls, project) -> "LabelIndex":
        from annotator.schemas.models import Label

        return cls(list(Label.objects.filter(schema_id=project.schema_id)))

    def resolve(self, name) -> int:
        if not isinstance(name, str) or not name:
            raise RecordError(f"label must be a non-empty string, got {name!r}")
        ref = self._by_name.get(name)
        if ref is None:
            known = ", ".join(self.known) or "none"
            raise RecordError(f"unknown label {name!r} (labels of this project: {known})")
        if ref.retired:
            raise RecordError(f"label {name!r} is retired and accepts no new spans")
        return ref.id


@dataclass
class ImportOptions:
    labels: LabelIndex
    utf16_offsets: bool = False
    # label for span-identification files (article<ID>.task1-SI.labels), which carry no
    # technique: they are read only when it is given
    si_label_id: int | None = None
    # stored on every article of the import (Article.batch): managers assign by batch
    batch: str = ""
    # the zip or folder a .jsonl is read from, where its image rows' files are (None: a .jsonl
    # read alone); sources.py sets it per file
    media: "Media | None" = None


class Utf16Offsets:
    """Converts UTF-16 code unit offsets (doccano, browsers) to code points of ``text``."""

    def __init__(self, text: str):
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        # UTF-16 index where each astral character (a surrogate pair) starts
        self._starts = [pos + k for k, pos in enumerate(astral)]
        self.length = len(text) + len(astral)

    def to_code_points(self, offset: int) -> int:
        if not self._starts:
            return offset
        before = bisect_right(self._starts, offset - 2)  # pairs ending at or before offset
        if before < len(self._starts) and self._starts[before] == offset - 1:
            raise RecordError(f"UTF-16 offset {offset} falls inside a surrogate pair (an emoji)")
        return offset - before


class TextWithOffsets:
    """An article's raw text, its normalised form, and raw-offset checking and remapping."""

    def __init__(self, raw: str, *, utf16: bool = False):
        check_text(raw, "text")
        self.raw = raw
        self._newlines = NewlineMap(raw)
        self.text = self._newlines.text
        self._utf16 = Utf16Offsets(raw) if utf16 else None
        # offsets need no conversion: a valid raw span is already a span of ``text``
        self.plain_length = len(raw) if not utf16 and self.text is raw else None

    def span(self, start, end) -> tuple[int, int]:
        """Validate raw offsets ``[start, end)`` and return them in the normalised text."""
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise RecordError(f"span {name} must be an integer, got {value!r}")
        limit = len(self.raw)
        if self._utf16 is not None:
            limit = self._utf16.length
        if not 0 <= start < end <= limit:
            unit = "UTF-16 units" if self._utf16 is not None else "characters"
            raise RecordError(
                f"span [{start}, {end}) out of range: need 0 <= start < end <= {limit} "
                f"(text length in {unit})"
            )
        if self._utf16 is not None:
            start, end = self._utf16.to_code_points(start), self._utf16.to_code_points(end)
        new_start, new_end = self._newlines.offset(start), self._newlines.offset(end)
        if new_start >= new_end:
            raise RecordError(f"span [{start}, {end}) covers only a carriage return")
        return new_start, new_end

    def locate(self, phrase: str) -> tuple[int, int]:
        """Where ``phrase`` (e.g. an image caption) first occurs in the normalised text."""
        phrase = NewlineMap(phrase).text
        at = self.text.find(phrase) if phrase else -1
        if at < 0:
            raise RecordError(f"caption {phrase[:60]!r} does not occur in the text")
        return at, at + len(phrase)

    def checksum(self) -> str:
        return text_checksum(self.text)


def file_text(data: bytes) -> TextWithOffsets:
    """An article file's bytes (strict UTF-8) as raw text and its normalised form. A leading
    BOM stays in the raw text, where offsets written by Python tools count it (SemEval, brat);
    the normalisation drops it and moves the offsets."""
    try:
        raw = decode_utf8(data)
    except TextDecodeError as exc:
        raise RecordError(str(exc)) from None
    if data.startswith(codecs.BOM_UTF8):
        raw = BOM + raw
    if not raw.strip(BOM).strip():
        raise RecordError("empty article file")
    return TextWithOffsets(raw)


def title_of(text: str) -> str:
    """The first line of a normalised text, as a title."""
    return text.split("\n", 1)[0].strip()[:MAX_TITLE]


def check_text(value: str, what: str) -> None:
    """Reject what PostgreSQL text cannot hold: NUL and lone surrogates (from JSON escapes)."""
    if "\x00" in value:
        raise RecordError(f"{what} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordError(
            f"{what} contains an unpaired surrogate at character {exc.start} (bad \\u escape)"
        ) from None


_URL = URLValidator()  # the schemes the JSON API accepts: http(s) and ftp(s), never javascript:


def check_url(value: str, what: str) -> str:
    """An absolute http(s)/ftp(s) URL of at most MAX_URL characters, as the API requires."""
    if len(value) > MAX_URL:
        raise RecordError(f"{what} is longer than {MAX_URL} characters")
    try:
        _URL(value)
    except ValidationError:
        raise RecordError(f"{what} must be an http(s) URL, got {value[:80]!r}") from None
    return value


def check_text_size(value: str, what: str) -> None:
    """An article's text, as large as the API takes (API_MAX_ARTICLE_BYTES of UTF-8)."""
    limit = settings.API_MAX_ARTICLE_BYTES
    if len(value) > limit // 4 and len(value.encode()) > limit:
        raise RecordError(f"{what} is larger than {limit} bytes (UTF-8)")


def max_record_bytes() -> int:
    """The largest JSONL line or Label Studio task: an article's text, its original text and
    its spans."""
    return 2 * settings.API_MAX_ARTICLE_BYTES + (1 << 20)


def check_external_id(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise RecordError(f"id must be a non-empty string or integer, got {value!r}")
    value = str(value)
    if len(value) > MAX_EXTERNAL_ID:
        raise RecordError(f"id is longer than {MAX_EXTERNAL_ID} characters")
    check_text(value, "id")
    return value


def unique_spans(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The same label on the same range twice is one span (repeated lines in label files)."""
    return list(dict.fromkeys(spans))
