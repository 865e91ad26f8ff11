"""CoNLL-style BIO: one token a line, tags in columns, blank lines between sentences.

Two layouts are read:

- **ours** (the ``conll`` export): a header ``# columns = token<TAB>start<TAB>end<TAB>...``,
  ``# doc_id = <ID>`` before each document, then ``token<TAB>start<TAB>end<TAB>tag...``; every
  column after ``end`` is a tag column (one per category or label: overlapping spans come
  back). ``start``/``end`` are code points of the article, so the text is rebuilt with each
  token at its offsets and the spans keep them exactly; the gaps between tokens become a line
  break where a sentence ended and spaces elsewhere (the file does not carry the whitespace
  itself). A token written with a ``\\`` in front (a ``#hashtag``) is read without it.
- **plain** (CoNLL-2003 style): ``token ... tag``, the tag in the last column, documents
  separated by ``-DOCSTART-`` lines (or ``# doc_id = ``/``# newdoc id = `` comments); the text
  is the tokens joined by a space, sentences by a line break.

Tags are ``O``, ``B-<label>``, ``I-<label>`` (also ``E-``/``S-`` of BIOES); an ``I-`` that does
not continue a span of its label starts one (as conlleval reads it). Labels match the project's
keys and official names. Each document is an article with external id its ``doc_id`` (else
``<file stem>-<n>``, or the file stem when the file is one document) and title its first line.
Errors name the line: wrong column count, offsets that are not integers or go backwards, a token
whose length is not ``end - start`` or that ends past the largest article, an unknown label.

A file of our layout is read a document at a time (``_Reader._document``: a column at a time,
no Python step per line); anything that reader does not recognise as plain goes line by line
(``_Reader.lines``), which is the reference its tests compare it with.
"""

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat
from operator import ne, sub
from pathlib import PurePosixPath
from typing import IO

import orjson
from django.conf import settings

from annotator.core.params import is_ascii_int
from annotator.core.text import text_checksum

from .records import (
    ArticleRecord,
    ImportOptions,
    RecordError,
    check_external_id,
    check_text,
    check_text_size,
    title_of,
)
from .report import ImportIssue

EXTENSIONS = (".conll", ".bio", ".iob", ".iob2")
_DOC_ID = re.compile(r"^#\s*(?:doc_id|newdoc id)\s*=\s*(.*)$")
_COLUMNS = re.compile(r"^#\s*columns\s*=\s*(.*)$")
_TAG = re.compile(r"^([BIES])-(.+)$")
_DOCUMENT = b"\n# doc_id = "  # where the export starts a document: the block reader cuts there
_CHUNK = 1 << 20
_BLOCK_LIMIT = 1 << 25  # a longer document is read line by line
# bytes.split returns one-byte fields as shared objects: list.count and list.index find
# these by identity
_O, _NEWLINE = b"\tO\t\n".split(b"\t")[1:]


@dataclass
class _Document:
    ident: str
    line: int
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    opens: list[bool] = field(default_factory=list)  # the token starts a sentence
    # per tag column, (token index, tag) of each tag that is not O
    marks: dict[int, list[tuple[int, str]]] = field(default_factory=dict)


class _Reader:
    """One file's state: the layout, the document being read, the tags already checked."""

    def __init__(self, name: str, options: ImportOptions):
        self.name, self.options = name, options
        self.stem = PurePosixPath(name.rsplit(":", 1)[-1]).stem
        self.offsets: bool | None = None  # our layout (token, start, end, tags...) or plain
        self.width = 0
        self.doc: _Document | None = None
        self.docstarts = 0
        self.new_sentence = True
        self.checked: set[str] = {"O"}

    def read(self, stream: IO[bytes]) -> Iterator:
        """The file a block at a time: a document of our layout in one go (``_document``),
        anything else line by line."""
        number = 1
        for block, whole in _blocks(stream):
            records = self._document(block, number) if whole else None
            if records is None:
                yield from self.lines(io.BytesIO(block), number)
            else:
                yield from records
            number += block.count(b"\n")
        if self.doc is not None and self.doc.words:
            yield self._finish()

    def lines(self, stream: IO[bytes], first: int = 1) -> Iterator:
        """Line by line: every layout, and the line of each error (the reference that the
        block reader is tested against)."""
        for number, raw in enumerate(stream, first):
            yield from self._full(raw, number)

    def _document(self, block: bytes, number: int) -> list | None:
        """A ``# doc_id = `` line and the token lines after it (nearly all of an export), read
        a column at a time with C-level bytes and list operations instead of a Python step a
        line: bench/import.py's 20,000 articles of 440 tokens import at 2,080-2,150 articles/s,
        against 1,430 line by line. None when a line is not a plain token line of our layout
        with checked tags (a comment, ``-DOCSTART-``, a bad line, bytes that are not UTF-8):
        the block then takes the line path, which names the line."""
        if not self.offsets:
            return None
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
        head, _, body = block.partition(b"\n")
        try:
            match = _DOC_ID.match(head.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        if (
            not match
            or b"\r" in block
            or b"-DOCSTART-" in body
            or _is_token_line(match[0].split("\t"), self.width)
        ):
            return None
        columns = _columns(body.rstrip(b"\n"), self.width)
        if columns is None:
            return None
        fields, opens = columns
        stride = self.width + 1
        doc = _Document(match[1].strip(), number, opens=opens)
        if not _tokens(doc, fields[0::stride], fields[1::stride], fields[2::stride]):
            return None
        for column in range(self.width - 3):
            marks = self._marks(fields[3 + column :: stride])
            if marks is None:
                return None
            if marks:
                doc.marks[column] = marks
        records = [self._finish()] if self.doc is not None and self.doc.words else []
        self.doc, self.new_sentence = doc, body.endswith(b"\n\n")
        return records

    def _marks(self, tags: list[bytes]) -> list[tuple[int, str]] | None:
        """(index, tag) of a column's tags that are not O, found by ``list.index`` (a scan in C
        per distinct tag, not a Python step a token); None when a tag is not UTF-8, not a tag
        of the project, or ``_`` (O, which the line path rewrites)."""
        if tags.count(_O) == len(tags):
            return []
        marks = []
        for value in set(tags) - {_O}:
            try:
                tag = value.decode("utf-8")
                if self._tag(tag) != tag:  # "_" reads as O: the line path rewrites it
                    return None
            except (UnicodeDecodeError, RecordError):
                return None
            position = -1
            with contextlib.suppress(ValueError):
                while True:
                    position = tags.index(value, position + 1)
                    marks.append((position, tag))
        marks.sort()
        return marks

    def _full(self, raw: bytes, number: int) -> Iterator:
        """One line, decoded and read field by field."""
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield ImportIssue(self.name, number, f"invalid UTF-8 at byte {exc.start} of the line")
            return
        if not line or line.isspace():
            self.new_sentence = True
            return
        try:
            yield from self._line(line, number)
        except RecordError as exc:
            yield ImportIssue(self.name, number, str(exc))
            self.new_sentence = False

    def _add(self, doc: _Document, word: str, start, end, tags: list[str]) -> None:
        for column, tag in enumerate(tags):
            if tag != "O":
                doc.marks.setdefault(column, []).append((len(doc.words), tag))
        doc.words.append(word)
        doc.starts.append(start)
        doc.ends.append(end)
        doc.opens.append(self.new_sentence)
        self.new_sentence = False

    def _line(self, line: str, number: int) -> Iterator:
        fields = line.split("\t") if self.offsets else line.split()
        if self.offsets is None and (match := _COLUMNS.match(line)):
            names = match[1].split("\t")
            if names[:3] != ["token", "start", "end"] or len(names) < 4:
                raise RecordError("'# columns =' must start token, start, end")
            self.offsets, self.width = True, len(names)
            return
        if line.startswith("#") and not (self.offsets and _is_token_line(fields, self.width)):
            if match := _DOC_ID.match(line):
                yield from self._new_document(match[1].strip(), number)
            return
        if fields[0] == "-DOCSTART-":
            self.docstarts += 1
            yield from self._new_document(f"{self.stem}-{self.docstarts}", number)
            return
        self.offsets = bool(self.offsets)
        if self.doc is None:
            self.doc = _Document(self.stem, number)  # a file without document markers
        self._add(self.doc, *self._token(fields))

    def _new_document(self, ident: str, number: int) -> Iterator:
        if self.doc is not None and self.doc.words:
            yield self._finish()
        self.doc, self.new_sentence = _Document(ident, number), True

    def _token(self, fields: list[str]):
        if self.offsets:
            if len(fields) != self.width:
                raise RecordError(f"expected {self.width} tab-separated columns, got {len(fields)}")
            word, start, end = fields[0], fields[1], fields[2]
            if not (is_ascii_int(start) and is_ascii_int(end)):
                raise RecordError(f"start and end must be integers, got {start!r} and {end!r}")
            begin, stop = int(start), int(end)
            if word[:1] == "\\" and len(word) - 1 == stop - begin:
                word = word[1:]  # the export's escape of a token starting with # or \\
            if len(word) != stop - begin:
                raise RecordError(f"token {word!r} has {len(word)} characters, not end - start")
            return word, begin, stop, [self._tag(tag) for tag in fields[3:]]
        if len(fields) < 2:
            raise RecordError("expected a token and a tag")
        return fields[0], None, None, [self._tag(fields[-1])]

    def _tag(self, tag: str) -> str:
        """The tag, checked once a file: ``O`` or a prefix and a label of the project."""
        if tag in self.checked:
            return tag
        if tag == "_":
            return "O"
        match = _TAG.match(tag)
        if not match:
            raise RecordError(f"tag {tag!r} is not O, B-<label>, I-<label>, E-<label> or S-<label>")
        self.options.labels.resolve(match[2])
        self.checked.add(tag)
        return tag

    def _finish(self):
        doc = self.doc
        assert doc is not None
        try:
            text, starts, ends = _text(doc, bool(self.offsets))
            check_text(text, "text")
            check_text_size(text, "text")
            return ArticleRecord(
                external_id=check_external_id(doc.ident),
                title=title_of(text),
                text=text,
                text_sha256=text_checksum(text),
                spans=_spans(doc, starts, ends, self.options),
            )
        except RecordError as exc:
            return ImportIssue(self.name, doc.line, f"document {doc.ident!r}: {exc}")


def read_conll(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per document of the file."""
    yield from _Reader(name, options).read(stream)


def read_conll_lines(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """The same, line by line only: the reference for the block reader's tests."""
    reader = _Reader(name, options)
    yield from reader.lines(stream)
    if reader.doc is not None and reader.doc.words:
        yield reader._finish()


def _blocks(stream: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """The file in pieces of whole lines, each cut before a ``# doc_id = `` line, and whether
    the piece is a whole document (not the file's head, nor a piece of a document longer than
    _BLOCK_LIMIT, cut at a line end)."""
    buffer, whole = b"", False
    while chunk := stream.read(_CHUNK):
        buffer, start = buffer + chunk, 0
        while (cut := buffer.find(_DOCUMENT, start)) >= 0:
            yield buffer[start : cut + 1], whole
            start, whole = cut + 1, True
        buffer = buffer[start:]
        if len(buffer) > _BLOCK_LIMIT and (end := buffer.rfind(b"\n")) >= 0:
            yield buffer[: end + 1], False
            buffer, whole = buffer[end + 1 :], False
    if buffer:
        yield buffer, whole


def _is_token_line(fields: list[str], width: int) -> bool:
    return len(fields) == width and is_ascii_int(fields[1]) and is_ascii_int(fields[2])


def _text(doc: _Document, offsets: bool) -> tuple[str, list[int], list[int]]:
    """The article's text, and each token's start and end in it."""
    if offsets:
        return _text_at_offsets(doc), doc.starts, doc.ends
    parts: list[str] = []
    starts, ends, position = [], [], 0
    for index, (word, opens) in enumerate(zip(doc.words, doc.opens, strict=True)):
        if index:
            parts.append("\n" if opens else " ")
            position += 1
        parts.append(word)
        starts.append(position)
        position += len(word)
        ends.append(position)
    return "".join(parts), starts, ends


def _columns(body: bytes, width: int) -> tuple[list[bytes], list[bool]] | None:
    """Every field of the token lines of ``body`` in one list (few new objects: ``O`` and
    one-digit fields are shared), a newline field between lines, and whether each token starts
    a sentence (after a blank line); None unless every line has ``width`` fields (the newline
    fields then sit exactly every ``width + 1``) and blank lines come one at a time."""
    sizes = [sentence.count(b"\n") + 1 for sentence in body.split(b"\n\n")]
    tokens, stride = sum(sizes), width + 1
    fields = body.replace(b"\n\n", b"\n").replace(b"\n", b"\t\n\t").split(b"\t")
    if len(fields) != tokens * stride - 1 or fields[width::stride].count(_NEWLINE) != tokens - 1:
        return None
    opens = [False] * tokens
    for start in accumulate(sizes[:-1], initial=0):
        opens[start] = True
    return fields, opens


def _tokens(doc: _Document, words: list[bytes], starts: list[bytes], ends: list[bytes]) -> bool:
    """The document's words and offsets from their columns; true when every token is UTF-8,
    its offsets integers and its length ``end - start`` (after the export's escape)."""
    starts_text, ends_text = b",".join(starts), b",".join(ends)
    if (starts_text + ends_text).translate(None, b"0123456789,"):
        return False  # a sign, a space, a letter: orjson would read some
    text = b"\n".join(words)
    try:  # one decode and one orjson call for the document, not one per token
        doc.words = text.decode("utf-8").split("\n")
        doc.starts, doc.ends = orjson.loads(b"[[%b],[%b]]" % (starts_text, ends_text))
    except (UnicodeDecodeError, orjson.JSONDecodeError):  # an empty field, a leading zero,
        return False  # an integer past 64 bits
    if text.startswith(b"\\") or b"\n\\" in text:  # the escape of a token starting with # or \\
        doc.words = [
            word[1:] if word[:1] == "\\" and len(word) - 1 == end - start else word
            for word, start, end in zip(doc.words, doc.starts, doc.ends, strict=True)
        ]
    return list(map(len, doc.words)) == list(map(sub, doc.ends, doc.starts))


def _text_at_offsets(doc: _Document) -> str:
    """Each token at its offsets; a gap is a line break (and spaces) where a sentence starts,
    spaces elsewhere. Runs of tokens one space apart are joined by ``str.join``: a Python step
    per other gap (a sentence, a double space), not per token."""
    words, previous = doc.words, [0, *doc.ends[:-1]]
    gaps = list(map(sub, doc.starts, previous))
    if gaps and min(gaps) < 0:
        index = next(compress(count(), (gap < 0 for gap in gaps)))
        word, start = words[index], doc.starts[index]
        raise RecordError(f"token {word!r} at {start} starts before the previous one ends")
    if words and doc.ends[-1] > settings.API_MAX_ARTICLE_BYTES:  # before building its spaces
        raise RecordError(
            f"token {words[-1]!r} ends at {doc.ends[-1]}: the text would be larger than "
            f"{settings.API_MAX_ARTICLE_BYTES} bytes"
        )
    cuts = {0, *compress(count(), map(ne, gaps, repeat(1)))}
    cuts.update(index for index in compress(count(), doc.opens) if previous[index])
    parts, ordered = [], sorted(cuts)
    for index, end in zip(ordered, [*ordered[1:], len(words)], strict=True):
        gap = gaps[index] if words else 0
        opens = gap and doc.opens[index] and previous[index]
        parts.append("\n" + " " * (gap - 1) if opens else " " * gap)
        parts.append(" ".join(words[index:end]))
    return "".join(parts)


def _spans(doc: _Document, starts, ends, options) -> list[tuple[int, int, int]]:
    """Spans from the tags of the tokens not all O: per column, a B- (or an I- that does not
    continue its label's span on the token just before) opens one, I-/E- extend it."""
    spans: dict[tuple[int, int, int], None] = {}
    for column in sorted(doc.marks):
        current: list = []  # [label, start, end, last token]
        for index, tag in doc.marks[column]:
            prefix, label = tag[0], tag[2:]
            if (
                prefix in "IE"
                and current
                and current[0] == label
                and current[3] == index - 1
                and not doc.opens[index]
            ):
                current[2], current[3] = ends[index], index
            else:
                if current:
                    spans[_span(current, options)] = None
                current = [label, starts[index], ends[index], index]
            if prefix in "ES":
                spans[_span(current, options)] = None
                current = []
        if current:
            spans[_span(current, options)] = None
    return list(spans)


def _span(current, options) -> tuple[int, int, int]:
    label, start, end, _ = current
    return start, end, options.labels.resolve(label)
