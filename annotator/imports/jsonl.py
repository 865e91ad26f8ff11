"""JSONL: one article a line, with our span form or doccano's two forms.

``{"id", "title", "text", "url", "published", "meta", "original_text", "images", "spans"}``;
spans as ``spans: [{start, end, label}]``, doccano's ``label: [[start, end, "LABEL"]]`` or
``entities: [{label, start_offset, end_offset}]``; images as ``images: [{src, file, start,
end}]`` or with ``caption`` (a ``file`` is a picture of the zip or folder read: media.py). Read
line by line: memory does not grow with the file.
"""

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, TYPE_CHECKING

from django.conf import settings

from annotator.core.jsonvalues import UnsafeJSON, check_json

from .records import (
    MAX_TITLE,
    MAX_URL,
    ArticleRecord,
    ImageRecord,
    ImportOptions,
    RecordError,
    TextWithOffsets,
    check_external_id,
    check_text,
    check_text_size,
    check_url,
    max_record_bytes,
    unique_spans,
)
from .report import ImportIssue, ImportNote

if TYPE_CHECKING:
    from .media import Media

EXTENSIONS = (".jsonl", ".ndjson")
# a URL's scheme (an image's src that has none is a path in the zip or folder)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
CHUNK = 1 << 20


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The stream's lines; None for a line longer than ``limit`` bytes, which is skipped
    without ever holding more than ``limit`` bytes of it."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def read_jsonl(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or an ImportIssue per non-blank line."""
    limit = max_record_bytes()
    left_out = 0  # image files a .jsonl read alone cannot bring (their rows have a URL)
    for number, raw in enumerate(_lines(stream, limit), 1):
        if raw is None:
            yield ImportIssue(name, number, f"the line is longer than {limit} bytes")
            continue
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield ImportIssue(name, number, f"invalid UTF-8 at byte {exc.start} of the line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ImportIssue(name, number, f"bad JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield ImportIssue(name, number, "bad JSON: nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield ImportIssue(name, number, f"expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            record = record_from_object(obj, options)
        except RecordError as exc:
            yield ImportIssue(name, number, str(exc))
            continue
        if record.images and options.media is None:
            left_out += sum(1 for image in obj["images"] if image.get("file"))
        yield record
    if left_out:
        yield ImportNote(
            name,
            f"{left_out} image row(s) with a URL and a 'file': a .jsonl read alone brings "
            "the URL only; import the whole export (its .zip or folder) for the files too",
        )


def record_from_object(obj: dict, options: ImportOptions) -> ArticleRecord:
    if "id" not in obj:
        raise RecordError("missing 'id'")
    external_id = check_external_id(obj["id"])
    raw = obj.get("text")
    if not isinstance(raw, str) or not raw:
        raise RecordError(
            "missing 'text' (a non-empty string)"
            if raw is None
            else f"'text' must be a non-empty string, got {type(raw).__name__}"
        )
    check_text_size(raw, "'text'")
    text = TextWithOffsets(raw, utf16=options.utf16_offsets)
    record = ArticleRecord(
        external_id=external_id,
        title=_string(obj, "title", MAX_TITLE),
        text=text.text,
        text_sha256=text.checksum(),
        original_text=_string(obj, "original_text"),
        source_url=_url(obj),
        published=_published(obj.get("published")),
        metadata=_metadata(obj.get("meta")),
    )
    record.spans = unique_spans(list(_spans(obj, text, options)))
    record.images = list(_images(obj.get("images"), text, options.media))
    return record


def _string(obj: dict, key: str, max_length: int | None = None) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, got {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise RecordError(f"'{key}' is longer than {max_length} characters")
    check_text(value, f"'{key}'")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _url(obj: dict) -> str:
    value = _string(obj, "url", MAX_URL)
    return check_url(value, "'url'") if value else ""


def _published(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                pass
    raise RecordError(f"'published' must be an ISO date like 2020-01-31, got {value!r}")


def _metadata(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"'meta' must be a JSON object, got {type(value).__name__}")
    try:
        check_json(value, max_depth=settings.API_MAX_JSON_DEPTH, root="meta")
    except UnsafeJSON as exc:
        raise RecordError(str(exc)) from None
    return value


def _spans(obj: dict, text: TextWithOffsets, options: ImportOptions):
    """(start, end, label_id) from whichever span form the line uses."""
    forms = [key for key in ("spans", "label", "entities") if obj.get(key)]
    if len(forms) > 1:
        raise RecordError(f"give spans in one form only, found {' and '.join(forms)}")
    if not forms:
        return
    form, items = forms[0], obj[forms[0]]
    if not isinstance(items, list):
        raise RecordError(f"'{form}' must be a list")
    start_key, end_key = ("start_offset", "end_offset") if form == "entities" else ("start", "end")
    active, limit = options.labels.active, text.plain_length
    for n, item in enumerate(items):
        # Fast path for the common case (100,000s of spans in a bulk import): a well-formed span
        # of an active label in a text whose offsets need no remapping. Anything else takes the
        # full check below, which also words the error.
        if limit is not None:
            if form == "label":
                start, end, name = item if type(item) is list and len(item) == 3 else (0, 0, 0)
            elif type(item) is dict:
                start, end, name = item.get(start_key), item.get(end_key), item.get("label")
            else:
                start = None
            if type(start) is int and type(end) is int and 0 <= start < end <= limit:
                label_id = active.get(name) if type(name) is str else None
                if label_id is not None:
                    yield start, end, label_id
                    continue
        try:
            start, end, name = _span_fields(form, item)
            label_id = options.labels.resolve(name)
            start, end = text.span(start, end)
        except RecordError as exc:
            raise RecordError(f"{form}[{n}]: {exc}") from None
        yield start, end, label_id


def _span_fields(form: str, item):
    if form == "label":  # doccano: [start, end, "LABEL"]
        if isinstance(item, str):
            raise RecordError(
                f"document-level label {item!r}: only span labels [start, end, label] import"
            )
        if not isinstance(item, list) or len(item) != 3:
            raise RecordError(f"expected [start, end, label], got {item!r}")
        return item
    if not isinstance(item, dict):
        raise RecordError(f"expected an object, got {item!r}")
    if form == "entities":  # doccano relation projects
        keys = ("start_offset", "end_offset", "label")
    else:
        keys = ("start", "end", "label")
    missing = [k for k in keys if k not in item]
    if form == "spans" and "label" in missing and "official_label" in item:
        missing.remove("label")
        item = {**item, "label": item["official_label"]}
    if missing:
        raise RecordError(f"missing {', '.join(missing)}")
    return tuple(item[k] for k in keys)


def _images(value, text: TextWithOffsets, media: "Media | None"):
    if value is None:
        return
    if not isinstance(value, list):
        raise RecordError("'images' must be a list")
    for n, image in enumerate(value):
        try:
            yield _image(image, text, media)
        except RecordError as exc:
            raise RecordError(f"images[{n}]: {exc}") from None


def _image(image, text: TextWithOffsets, media: "Media | None") -> ImageRecord:
    """An image row: ``src`` an http(s) URL, or (our export's file-only image) the file's path
    in the zip; ``file`` the file's path in the zip or folder (imports/media.py)."""
    if not isinstance(image, dict):
        raise RecordError(f"expected an object, got {image!r}")
    src, path = image.get("src") or "", image.get("file")
    if not isinstance(src, str):
        raise RecordError(f"'src' must be a string, got {type(src).__name__}")
    if path is not None and (not isinstance(path, str) or not path):
        raise RecordError("'file' must be a path (a non-empty string) or null")
    if not src and path is None:
        raise RecordError("give 'src' (a URL) or 'file' (a path in the zip or folder)")
    url, key = "", "'file'"
    if _SCHEME.match(src):
        url = check_url(src, "'src'")
    elif path is None:
        path, key = src, "'src'"
    file = None
    if path is not None and media is not None:
        file = media.find(path, key)
    elif path is not None and not url:
        raise RecordError(
            f"{key} {path!r} is a file of an export: import the whole export (its .zip, or "
            "the folder it was unzipped to), not the .jsonl alone"
        )
    start, end = _caption(image, text)
    return ImageRecord(url, start, end, file)


def _caption(image: dict, text: TextWithOffsets) -> tuple[int, int] | tuple[None, None]:
    if "start" in image or "end" in image:
        return text.span(image.get("start"), image.get("end"))
    if image.get("caption"):
        if not isinstance(image["caption"], str):
            raise RecordError("'caption' must be a string")
        return text.locate(image["caption"])
    return None, None
