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


@dataclass
class _Document:
    ident: str
    line: int
    # (token, start, end, tags, starts a sentence)
    tokens: list[tuple[str, int | None, int | None, list[str], bool]] = field(default_factory=list)


def read_conll(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per document of the file."""
    stem = PurePosixPath(name.rsplit(":", 1)[-1]).stem
    offsets: bool | None = None  # our layout (token, start, end, tags...) or plain
    width = 0
    doc: _Document | None = None
    count = 0  # -DOCSTART- documents
    new_sentence = True
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield ImportIssue(name, number, f"invalid UTF-8 at byte {exc.start} of the line")
            continue
        if not line.strip():
            new_sentence = True
            continue
        fields = line.split("\t") if offsets else line.split()
        if offsets is None and (match := _COLUMNS.match(line)):
            names = match[1].split("\t")
            if names[:3] != ["token", "start", "end"] or len(names) < 4:
                yield ImportIssue(name, number, "'# columns =' must start token, start, end")
                return
            offsets, width = True, len(names)
            continue
        if line.startswith("#") and not (offsets and _is_token_line(fields, width)):
            if match := _DOC_ID.match(line):
                if doc is not None and doc.tokens:
                    yield _finish(doc, name, bool(offsets), options)
                doc, new_sentence = _Document(match[1].strip(), number), True
            continue
        if fields[0] == "-DOCSTART-":
            if doc is not None and doc.tokens:
                yield _finish(doc, name, bool(offsets), options)
            count += 1
            doc, new_sentence = _Document(f"{stem}-{count}", number), True
            continue
        offsets = bool(offsets)
        if doc is None:
            doc = _Document(stem, number)  # a file without document markers: one article
        try:
            doc.tokens.append((*_token(fields, offsets, width, options), new_sentence))
        except RecordError as exc:
            yield ImportIssue(name, number, str(exc))
        new_sentence = False
    if doc is not None and doc.tokens:
        yield _finish(doc, name, bool(offsets), options)


def _is_token_line(fields: list[str], width: int) -> bool:
    return len(fields) == width and fields[1].isdigit() and fields[2].isdigit()


def _token(fields: list[str], offsets: bool, width: int, options):
    if offsets:
        if len(fields) != width:
            raise RecordError(f"expected {width} tab-separated columns, got {len(fields)}")
        word, start, end = fields[0], fields[1], fields[2]
        if not (start.isascii() and start.isdigit() and end.isascii() and end.isdigit()):
            raise RecordError(f"start and end must be integers, got {start!r} and {end!r}")
        begin, stop = int(start), int(end)
        if word[:1] == "\\" and len(word) - 1 == stop - begin:
            word = word[1:]  # the export's escape of a token starting with # or \
        if len(word) != stop - begin:
            raise RecordError(f"token {word!r} has {len(word)} characters, not end - start")
        return word, begin, stop, [_tag(tag, options) for tag in fields[3:]]
    if len(fields) < 2:
        raise RecordError("expected a token and a tag")
    return fields[0], None, None, [_tag(fields[-1], options)]


def _tag(tag: str, options) -> str:
    """The tag, checked: ``O`` or a prefix and a label of the project."""
    if tag in ("O", "_"):
        return "O"
    match = _TAG.match(tag)
    if not match:
        raise RecordError(f"tag {tag!r} is not O, B-<label>, I-<label>, E-<label> or S-<label>")
    options.labels.resolve(match[2])
    return tag


def _finish(doc: _Document, name: str, offsets: bool, options):
    ident = doc.ident
    try:
        text, places = _text(doc.tokens, offsets)
        check_text(text, "text")
        check_text_size(text, "text")
        spans = _spans(doc.tokens, places, options)
        return ArticleRecord(
            external_id=check_external_id(ident),
            title=title_of(text),
            text=text,
            text_sha256=text_checksum(text),
            spans=spans,
        )
    except RecordError as exc:
        return ImportIssue(name, doc.line, f"document {ident!r}: {exc}")


def _text(tokens, offsets: bool) -> tuple[str, list[tuple[int, int]]]:
    parts: list[str] = []
    places = []
    position = 0
    for index, (word, start, end, _, opens) in enumerate(tokens):
        if offsets:
            if start < position:
                raise RecordError(f"token {word!r} at {start} starts before the previous one ends")
            gap = start - position
            parts.append(("\n" + " " * (gap - 1)) if opens and index and gap else " " * gap)
        else:
            start = position + (1 if index else 0)
            parts.append(("\n" if opens else " ") if index else "")
            end = start + len(word)
        parts.append(word)
        places.append((start, end))
        position = end
    return "".join(parts), places


def _spans(tokens, places, options) -> list[tuple[int, int, int]]:
    spans: dict[tuple[int, int, int], None] = {}
    columns = len(tokens[0][3]) if tokens else 0
    for column in range(columns):
        current: list = []  # [label, start, end]
        for (_, _, _, tags, opens), (start, end) in zip(tokens, places, strict=True):
            tag = tags[column] if column < len(tags) else "O"
            if tag == "O":
                if current:
                    spans[_span(current, options)] = None
                current = []
                continue
            prefix, label = tag[0], tag[2:]
            if prefix in "IE" and current and current[0] == label and not opens:
                current[2] = end
            else:
                if current:
                    spans[_span(current, options)] = None
                current = [label, start, end]
            if prefix in "ES":
                spans[_span(current, options)] = None
                current = []
        if current:
            spans[_span(current, options)] = None
    return list(spans)


def _span(current, options) -> tuple[int, int, int]:
    label, start, end = current
    return start, end, options.labels.resolve(label)
