"""Label Studio JSON: a ``.json`` file holding an array of tasks (Label Studio's export, and our
``label-studio`` export's ``tasks.json``), or one task.

A task is ``{"id", "data": {"text", "external_id", "title", ...}, "annotations": [{"result":
[...]}], "predictions": [...]}``. The article's external id is ``data.external_id``, else
``data.id``, else the task's ``id``; its text ``data.text``; its title ``data.title``, else the
first line. Spans are the ``labels`` regions of every annotation not cancelled
(``value.start``, ``value.end``, ``value.labels``: one span per label), all in the import's one
layer (a note says when a task had several annotations); predictions are not imported.
Offsets count code points (as Label Studio's text regions do), or UTF-16 units with
``--utf16-offsets``; when a region carries ``value.text`` it must be the text at its offsets.
Errors name the line where the task starts.
"""

import codecs
import json
from collections.abc import Iterator
from typing import IO

from annotator.core.text import normalize_newlines

from .records import (
    MAX_TITLE,
    ArticleRecord,
    ImportOptions,
    RecordError,
    TextWithOffsets,
    check_external_id,
    check_text_size,
    max_record_bytes,
    title_of,
)
from .report import ImportIssue, ImportNote

EXTENSIONS = (".json",)
CHUNK = 1 << 20
_WHITESPACE = " \t\r\n"


def read_label_studio(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per task of the file, and notes. The file is read
    a task at a time: memory holds one task, however many the file has."""
    merged = 0
    try:
        for line, index, task in _tasks(stream):
            try:
                record, annotations = _record(task, options)
            except RecordError as exc:
                yield ImportIssue(name, line, f"task {index}: {exc}")
                continue
            merged += annotations > 1
            yield record
    except _BadJSON as exc:  # the reader says where
        yield ImportIssue(name, exc.line, str(exc))
    if merged:
        yield ImportNote(
            name, f"{merged} task(s) had several annotations: their spans are in one layer"
        )


class _BadJSON(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class _Reader:
    """The file's text as far as it is read (from a point before the task being parsed), and
    line numbers counted as positions move forward."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text, self.eof = "", False
        self.counted, self.line = 0, 1  # the line number at position ``counted``

    def more(self) -> None:
        data = self.stream.read(CHUNK)
        try:
            self.text += self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise _BadJSON(
                f"invalid UTF-8 (byte {exc.start} of a block)", self.line_at(len(self.text))
            ) from None
        self.eof = not data

    def skip(self, position: int) -> int:
        """The first position at or after ``position`` that is not whitespace (or the end)."""
        while True:
            while position < len(self.text) and self.text[position] in _WHITESPACE:
                position += 1
            if position < len(self.text) or self.eof:
                return position
            self.more()

    def char(self, position: int) -> str:
        position = self.skip(position)
        return self.text[position] if position < len(self.text) else ""

    def line_at(self, position: int) -> int:
        if position >= self.counted:  # the usual way: forward from the last count
            self.line += self.text.count("\n", self.counted, position)
            self.counted = position
            return self.line
        return self.line - self.text.count("\n", position, self.counted)

    def forget(self, position: int) -> int:
        """Text before ``position`` is parsed: dropped once it is a block's worth (copying the
        rest for every task would cost more than parsing it); returns where ``position`` is
        now."""
        if position < CHUNK:
            return position
        self.line_at(position)
        self.text, self.counted = self.text[position:], 0
        return 0

    def decode(self, decoder: json.JSONDecoder, position: int) -> tuple[object, int]:
        while True:
            try:
                return decoder.raw_decode(self.text, position)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise _BadJSON(f"bad JSON: {exc.msg}", self.line_at(exc.pos)) from None
                if len(self.text) - position > max_record_bytes():
                    raise _BadJSON(
                        f"bad JSON, or a task larger than {max_record_bytes()} bytes",
                        self.line_at(position),
                    ) from None
                self.more()  # maybe only cut short: read on
            except RecursionError:
                raise _BadJSON("bad JSON: nested too deeply", self.line_at(position)) from None


def _tasks(stream: IO[bytes]) -> Iterator[tuple[int, int, object]]:
    """(line, index, task) of a JSON array of tasks (or a single task), parsed one task at a
    time so that each knows the line it starts on."""
    decoder = json.JSONDecoder()
    reader = _Reader(stream)
    position = reader.skip(0)
    first = reader.char(position)
    if first == "{":
        task, end = reader.decode(decoder, position)
        if reader.char(end):
            raise _BadJSON("bad JSON: text after the task", reader.line_at(end))
        yield reader.line_at(position), 0, task
        return
    if first != "[":
        raise _BadJSON("expected a JSON array of Label Studio tasks", reader.line_at(position))
    position = reader.skip(position + 1)
    if reader.char(position) == "]":
        return
    index = 0
    while True:
        position = reader.forget(reader.skip(position))
        task, end = reader.decode(decoder, position)
        yield reader.line_at(position), index, task
        index += 1
        position = reader.skip(end)
        separator = reader.char(position)
        if separator == ",":
            position += 1
            continue
        if separator == "]":
            if reader.char(position + 1):
                raise _BadJSON("bad JSON: text after the array", reader.line_at(position))
            return
        raise _BadJSON("bad JSON: expected ',' or ']' between tasks", reader.line_at(position))


def _record(task, options: ImportOptions) -> tuple[ArticleRecord, int]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise RecordError("expected a task object with 'data'")
    data = task["data"]
    raw = data.get("text")
    if not isinstance(raw, str) or not raw:
        raise RecordError("'data.text' must be a non-empty string")
    check_text_size(raw, "'data.text'")
    ident = next((data[k] for k in ("external_id", "id") if data.get(k) not in (None, "")), None)
    external_id = check_external_id(ident if ident is not None else task.get("id"))
    text = TextWithOffsets(raw)
    utf16 = TextWithOffsets(raw, utf16=True) if options.utf16_offsets else None
    title = data.get("title")
    spans: dict[tuple[int, int, int], None] = {}
    annotations = [
        a
        for a in task.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled")
    ]
    for a_index, annotation in enumerate(annotations):
        for r_index, region in enumerate(annotation.get("result") or []):
            where = f"annotations[{a_index}].result[{r_index}]"
            try:
                for span in _region(region, text, utf16, options):
                    spans[span] = None
            except RecordError as exc:
                raise RecordError(f"{where}: {exc}") from None
    record = ArticleRecord(
        external_id=external_id,
        title=title[:MAX_TITLE] if isinstance(title, str) and title else title_of(text.text),
        text=text.text,
        text_sha256=text.checksum(),
        spans=list(spans),
    )
    return record, sum(1 for a in annotations if a.get("result"))


def _region(region, text: TextWithOffsets, utf16, options):
    if not isinstance(region, dict) or region.get("type") != "labels":
        return  # choices, ratings, relations...: not spans
    value = region.get("value")
    if not isinstance(value, dict):
        raise RecordError("'value' must be an object")
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        raise RecordError("'value.labels' must be a non-empty list")
    start, end = (utf16 or text).span(value.get("start"), value.get("end"))
    covered = value.get("text")
    if isinstance(covered, str) and text.text[start:end] != normalize_newlines(covered):
        hint = "" if utf16 else " (UTF-16 offsets? use --utf16-offsets)"
        raise RecordError(
            f"'value.text' {covered[:40]!r} is not the text at [{value.get('start')}, "
            f"{value.get('end')}){hint}"
        )
    for label in labels:
        yield start, end, options.labels.resolve(label)
