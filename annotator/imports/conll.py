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
whose length is not ``end - start``, an unknown label.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

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
# first bytes of lines the fast path leaves to the full one: comments, blank lines, -DOCSTART-,
# an escaped token
_SPECIAL = frozenset((b"", b"#", b"\n", b"\r", b"-", b"\\"))


@dataclass
class _Document:
    ident: str
    line: int
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    opens: list[bool] = field(default_factory=list)  # the token starts a sentence
    tagged: list[tuple[int, list[str]]] = field(default_factory=list)  # tokens not all O


class _Reader:
    """One file's state: the layout, the document being read, the tags already checked."""

    def __init__(self, name: str, options: ImportOptions):
        self.name, self.options = name, options
        self.stem = PurePosixPath(name.rsplit(":", 1)[-1]).stem
        self.offsets: bool | None = None  # our layout (token, start, end, tags...) or plain
        self.width = 0
        self.all_o = ""  # the tag columns of a token outside every span, as written
        self.doc: _Document | None = None
        self.docstarts = 0
        self.new_sentence = True
        self.checked: set[str] = {"O"}

    def lines(self, stream: IO[bytes]) -> Iterator:
        plain_o: tuple[bytes, ...] = ()
        checked, tag_count = self.checked, 0
        for number, raw in enumerate(stream, 1):
            doc = self.doc
            if plain_o and doc is not None and raw[:1] not in _SPECIAL:
                # The token lines of our layout, checked in one go on the bytes (a million
                # lines a file) when their tags are known: anything else takes the full path.
                fields = raw.split(b"\t", 3)
                if len(fields) == 4 and fields[1].isdigit() and fields[2].isdigit():
                    tail, tags = fields[3], None
                    if tail not in plain_o:
                        tags = tail.rstrip(b"\r\n").decode("utf-8", "replace").split("\t")
                        if len(tags) != tag_count or not checked.issuperset(tags):
                            tags = []
                    begin, stop = int(fields[1]), int(fields[2])
                    word = fields[0].decode("utf-8", "replace")
                    if tags != [] and len(word) == stop - begin and "\ufffd" not in word:
                        if tags is not None:
                            doc.tagged.append((len(doc.words), tags))
                        doc.words.append(word)
                        doc.starts.append(begin)
                        doc.ends.append(stop)
                        doc.opens.append(self.new_sentence)
                        self.new_sentence = False
                        continue
            yield from self._full(raw, number)
            if self.all_o and not plain_o:
                tail = self.all_o.encode()
                plain_o, tag_count = (tail + b"\n", tail + b"\r\n"), self.width - 3
        if self.doc is not None and self.doc.words:
            yield self._finish()

    def _full(self, raw: bytes, number: int) -> Iterator:
        """A line the fast path leaves (not a token line, an escaped token, a tag not yet
        checked, an error): decoded and read field by field."""
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

    def _add(self, doc: _Document, word: str, start, end, tags: list[str] | None) -> None:
        if tags is not None and any(tag != "O" for tag in tags):
            doc.tagged.append((len(doc.words), tags))
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
            self.all_o = "\t".join(["O"] * (len(names) - 3))
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
            if not (_offset(start) and _offset(end)):
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
    yield from _Reader(name, options).lines(stream)


def _offset(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _is_token_line(fields: list[str], width: int) -> bool:
    return len(fields) == width and _offset(fields[1]) and _offset(fields[2])


def _text(doc: _Document, offsets: bool) -> tuple[str, list[int], list[int]]:
    """The article's text, and each token's start and end in it."""
    parts: list[str] = []
    if offsets:
        position = 0
        for word, start, end, opens in zip(doc.words, doc.starts, doc.ends, doc.opens, strict=True):
            gap = start - position
            if gap < 0:
                raise RecordError(f"token {word!r} at {start} starts before the previous one ends")
            if gap:
                parts.append(("\n" + " " * (gap - 1)) if opens and position else " " * gap)
            parts.append(word)
            position = end
        return "".join(parts), doc.starts, doc.ends
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


def _spans(doc: _Document, starts, ends, options) -> list[tuple[int, int, int]]:
    """Spans from the tags of the tokens not all O: per column, a B- (or an I- that does not
    continue its label's span on the token just before) opens one, I-/E- extend it."""
    spans: dict[tuple[int, int, int], None] = {}
    columns = max((len(tags) for _, tags in doc.tagged), default=0)
    for column in range(columns):
        current: list = []  # [label, start, end, last token]
        for index, tags in doc.tagged:
            tag = tags[column] if column < len(tags) else "O"
            if tag == "O":
                continue
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
