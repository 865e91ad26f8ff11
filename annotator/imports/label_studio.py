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

import json
from collections.abc import Iterator
from typing import IO

from django.conf import settings

from annotator.core.text import normalize_newlines

from .records import (
    MAX_TITLE,
    ArticleRecord,
    ImportOptions,
    RecordError,
    TextWithOffsets,
    check_external_id,
    check_text_size,
    title_of,
)
from .report import ImportIssue, ImportNote

EXTENSIONS = (".json",)
_WHITESPACE = " \t\r\n"


def read_label_studio(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per task of the file, and notes."""
    data = stream.read(_limit() + 1)
    if len(data) > _limit():
        yield ImportIssue(name, None, f"larger than {_limit()} bytes: split the tasks")
        return
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield ImportIssue(name, line, f"invalid UTF-8 at byte {exc.start}")
        return
    merged = 0
    try:
        for line, index, task in _tasks(content):
            try:
                record, annotations = _record(task, options)
            except RecordError as exc:
                yield ImportIssue(name, line, f"task {index}: {exc}")
                continue
            merged += annotations > 1
            yield record
    except _BadJSON as exc:  # the generator says where
        yield ImportIssue(name, exc.line, str(exc))
    if merged:
        yield ImportNote(
            name, f"{merged} task(s) had several annotations: their spans are in one layer"
        )


def _limit() -> int:
    return 2 * settings.API_MAX_ARTICLE_BYTES + (1 << 20)


class _BadJSON(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _tasks(content: str) -> Iterator[tuple[int, int, object]]:
    """(line, index, task) of a JSON array of tasks (or a single task), parsed one task at a
    time so that each knows the line it starts on."""
    decoder = json.JSONDecoder()
    line, counted = 1, 0

    def at(position: int) -> int:
        nonlocal line, counted
        line += content.count("\n", counted, position)
        counted = position
        return line

    position = _skip(content, 0)
    if position < len(content) and content[position] == "{":
        task, end = _decode(decoder, content, position, at)
        if _skip(content, end) != len(content):
            raise _BadJSON("bad JSON: text after the task", at(end))
        yield at(position), 0, task
        return
    if position >= len(content) or content[position] != "[":
        raise _BadJSON("expected a JSON array of Label Studio tasks", at(position))
    position = _skip(content, position + 1)
    index = 0
    if position < len(content) and content[position] == "]":
        return
    while True:
        task, end = _decode(decoder, content, position, at)
        yield at(position), index, task
        index += 1
        position = _skip(content, end)
        if position < len(content) and content[position] == ",":
            position = _skip(content, position + 1)
            continue
        if position < len(content) and content[position] == "]":
            if _skip(content, position + 1) != len(content):
                raise _BadJSON("bad JSON: text after the array", at(position))
            return
        raise _BadJSON("bad JSON: expected ',' or ']' between tasks", at(position))


def _skip(content: str, position: int) -> int:
    while position < len(content) and content[position] in _WHITESPACE:
        position += 1
    return position


def _decode(decoder, content: str, position: int, at):
    try:
        return decoder.raw_decode(content, position)
    except json.JSONDecodeError as exc:
        raise _BadJSON(f"bad JSON: {exc.msg}", at(exc.pos)) from None
    except RecursionError:
        raise _BadJSON("bad JSON: nested too deeply", at(position)) from None


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
