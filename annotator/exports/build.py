"""Building one dataset zip from the database: options, streaming queries, manifest, card.

Nothing here touches the Export row: :func:`build_zip` takes a project and cleaned options,
writes a zip to a local path and returns its manifest. ``services.py`` runs it for an Export
(status, progress, storage); the command, the Celery task and the API all go through there.

Memory stays flat: articles come from a streaming query, a chunk at a time, and their spans
(and assignments) with one query per chunk of article ids, ordered by article and offset;
writers keep nothing after each article. Large jsonl exports on PostgreSQL are built by two
processes (``parallel.py``).
"""

import contextlib
import gc
import json
import logging
import os
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Project
from annotator.exports.formats import (
    FORMATS,
    ExportArticle,
    ExportError,
    ExportLabel,
    ExportSpan,
    FormatWriter,
    Sink,
    SpanMismatch,
    ZipSink,
)
from annotator.schemas.models import Label, label_key_validator
from annotator.schemas.presets import get_preset, preset_names

log = logging.getLogger(__name__)
CHUNK = 500  # articles per span query: ~1.5 MB of text, ~5,000 spans
# Deflate with ISA-L level 1 (see formats.base.raw_deflater): ~240 MB/s here against ~60 for
# zlib's level 1 and ~10 for zlib's default, with a smaller file than zlib's level 1; in a
# thread of its own it now keeps up with the encoding instead of dominating the build.
ZIP_LEVEL = 1
LAYERS = ("gold", "all", "each")
OPTION_NAMES = ("layer", "annotators", "done_only", "labels", "label_mapping", "format_options")
# Tests only: seconds to sleep per article, so a test can kill a worker mid-export. Read from
# the environment at run time and ignored unless ANNOTATOR_TESTING is set as well.
SLOW_ENV = "ANNOTATOR_TEST_EXPORT_DELAY"


def app_version() -> str:
    try:
        return metadata.version("propaganda-annotator")
    except metadata.PackageNotFoundError:
        return "0+unknown"


# --- options -----------------------------------------------------------------------------


@dataclass
class ExportOptions:
    """Cleaned options. ``as_dict()`` is what the Export row and the manifest record."""

    format: str
    layer: str = "all"
    annotators: list[str] = field(default_factory=list)  # usernames; empty = everyone
    done_only: bool = False
    labels: list[str] = field(default_factory=list)  # label keys; empty = every label
    label_mapping: dict[str, str] | str | None = None  # {key: new key} or a preset name
    format_options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "annotators": self.annotators,
            "done_only": self.done_only,
            "labels": self.labels,
            "label_mapping": self.label_mapping,
            "format_options": self.format_options,
        }


def _string_list(value, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ExportError(f"option {name!r} must be a list of names, got {value!r}")
    return sorted(set(value))


def clean_options(project: Project, fmt: str, options: dict | None) -> ExportOptions:
    """Check every option against the project; an ExportError names the bad option and value."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is unknown (known: {', '.join(sorted(FORMATS))})")
    given = dict(options or {})
    unknown = sorted(set(given) - set(OPTION_NAMES))
    if unknown:
        raise ExportError(f"unknown option {unknown[0]!r} (known: {', '.join(OPTION_NAMES)})")
    layer = given.get("layer", "all")
    if layer not in LAYERS:
        raise ExportError(f"option 'layer' must be one of {list(LAYERS)}, got {layer!r}")
    done_only = given.get("done_only", False)
    if not isinstance(done_only, bool):
        raise ExportError(f"option 'done_only' must be true or false, got {done_only!r}")

    annotators = _string_list(given.get("annotators"), "annotators")
    if annotators and layer == "gold":
        raise ExportError("option 'annotators' does not apply to layer 'gold'")
    found = set(
        get_user_model()
        .objects.filter(username__in=annotators, memberships__project=project)
        .values_list("username", flat=True)
    )
    for name in annotators:
        if name not in found:
            raise ExportError(f"option 'annotators': {name!r} is not a member of {project.slug}")

    keys = set(Label.objects.filter(schema_id=project.schema_id).values_list("key", flat=True))
    labels = _string_list(given.get("labels"), "labels")
    for key in labels:
        if key not in keys:
            raise ExportError(f"option 'labels': {key!r} is not a label of {project.slug}")

    mapping = given.get("label_mapping") or None
    if isinstance(mapping, str):
        if get_preset(mapping) is None:
            raise ExportError(
                f"option 'label_mapping': no preset {mapping!r} "
                f"(presets: {', '.join(preset_names())}; or give {{key: new key}})"
            )
    elif isinstance(mapping, dict):
        for old, new in mapping.items():
            if old not in keys:
                raise ExportError(
                    f"option 'label_mapping': {old!r} is not a label of {project.slug}"
                )
            try:
                label_key_validator(new)
            except Exception:
                raise ExportError(
                    f"option 'label_mapping': {old!r} -> {new!r}: a key is lower-case letters, "
                    "digits, '_' and '-'"
                ) from None
        mapping = dict(sorted(mapping.items()))
    elif mapping is not None:
        raise ExportError("option 'label_mapping' must be {key: new key} or a preset name")

    format_options = given.get("format_options") or {}
    if not isinstance(format_options, dict):
        raise ExportError("option 'format_options' must be an object")
    format_options = FORMATS[fmt].clean_options(format_options)  # names a bad format option
    return ExportOptions(fmt, layer, annotators, done_only, labels, mapping, format_options)


# --- labels ------------------------------------------------------------------------------


def schema_snapshot(project: Project) -> dict[str, Any]:
    """The project's label schema as it is now (the manifest keeps it as it was)."""
    schema = project.schema
    return {
        "id": schema.pk,
        "name": schema.name,
        "labels": [
            {
                "key": label.key,
                "name": label.name,
                "official_label": label.official_label,
                "category": label.category,
                "description": label.description,
                "example": label.example,
                "color": label.color,
                "order": label.order,
                "retired": label.retired,
            }
            for label in schema.labels.order_by("order", "id")
        ],
    }


def export_labels(
    project: Project, opts: ExportOptions
) -> tuple[list[ExportLabel], dict[int, str]]:
    """The writer's labels, and each included label id -> the key its spans are written with."""
    rows = list(project.schema.labels.order_by("order", "id"))
    if opts.labels:
        rows = [label for label in rows if label.key in opts.labels]
    by_key = {label.key: label for label in rows}
    preset = {}
    if isinstance(opts.label_mapping, str):
        preset = {lab["key"]: lab for lab in get_preset(opts.label_mapping)["labels"]}
    mapping = opts.label_mapping if isinstance(opts.label_mapping, dict) else {}

    key_of: dict[int, str] = {}
    out: dict[str, ExportLabel] = {}
    for label in rows:
        key = mapping.get(label.key, label.key)
        key_of[label.pk] = key
        if key in out:
            continue  # merged into a label already listed
        # A merge target that is itself a label of the schema lends its name and definition.
        source = by_key.get(key, label)
        official = source.official_label
        if label.key in preset:
            official = preset[label.key].get("official_label") or official
        out[key] = ExportLabel(
            key=key,
            name=source.name,
            official_label=official,
            category=source.category,
            description=source.description,
        )
    return list(out.values()), key_of


# --- streaming ---------------------------------------------------------------------------

ARTICLE_FIELDS = (
    "id",
    "external_id",
    "title",
    "text",
    "metadata",
    "source_url",
    "published",
    "original_text",
)
SPAN_FIELDS = ("article_id", "annotator_id", "label_id", "start", "end", "text", "note", "origin")


def _done(article_ref: str = "pk", annotator_ref: str | None = None):
    query = Assignment.objects.filter(
        article_id=OuterRef(article_ref), status=AssignmentStatus.DONE
    )
    if annotator_ref:
        query = query.filter(annotator_id=OuterRef(annotator_ref))
    return Exists(query)


@dataclass
class Selection:
    """What to read: the project's articles and spans after the options are applied."""

    project: Project
    opts: ExportOptions
    label_key_of: dict[int, str]
    usernames: dict[int, str]  # every annotator a span may come from
    first_id: int | None = None  # a part of the articles: ids from first_id ...
    stop_id: int | None = None  # ... up to stop_id (excluded)

    def part(self, first_id: int | None, stop_id: int | None) -> "Selection":
        return replace(self, first_id=first_id, stop_id=stop_id)

    def articles(self):
        query = Article.objects.filter(project=self.project)
        if self.first_id is not None:
            query = query.filter(pk__gte=self.first_id)
        if self.stop_id is not None:
            query = query.filter(pk__lt=self.stop_id)
        if self.opts.done_only:
            query = query.filter(_done())
        if self.opts.layer == "each":
            ids = list(self.usernames)
            assigned = Assignment.objects.filter(article_id=OuterRef("pk"), annotator_id__in=ids)
            if self.opts.done_only:
                assigned = assigned.filter(status=AssignmentStatus.DONE)
            spanned = Span.objects.filter(article_id=OuterRef("pk"), annotator_id__in=ids)
            query = query.filter(Exists(assigned) | Exists(spanned))
        return query.order_by("id")

    def spans(self, article_ids: list[int]):
        """The selected spans of the articles ``article_ids`` (ascending), rows of SPAN_FIELDS,
        and maybe of other articles between them: callers look spans up by article.

        Dense ids (one import) are read as a range: with hundreds of ids, building and
        quoting a list costs more than the few spans a range adds. Sparse ids (articles of
        projects imported side by side, or filtered out) are read as a list."""
        first, last = article_ids[0], article_ids[-1]
        if last - first < 2 * len(article_ids):
            query = Span.objects.filter(article_id__gte=first, article_id__lte=last)
        else:
            query = Span.objects.filter(article_id__in=article_ids)
        query = query.filter(label_id__in=self.label_key_of)
        if self.opts.layer == "gold":
            query = query.filter(annotator__isnull=True)
        else:
            query = query.filter(annotator_id__in=self.usernames)
            if self.opts.done_only:
                query = query.filter(_done("article_id", "annotator_id"))
        return query.order_by("article_id", "start", "end", "id").values_list(*SPAN_FIELDS)

    def assignments(self, article_ids: list[int]) -> dict[int, set[int]]:
        """article id -> annotators whose layer of it belongs in their own folder."""
        query = Assignment.objects.filter(
            article_id__in=article_ids, annotator_id__in=self.usernames
        )
        if self.opts.done_only:
            query = query.filter(status=AssignmentStatus.DONE)
        found: dict[int, set[int]] = {}
        for article_id, annotator_id in query.values_list("article_id", "annotator_id"):
            found.setdefault(article_id, set()).add(annotator_id)
        return found


def make_selection(project: Project, opts: ExportOptions, label_key_of: dict[int, str]):
    users = get_user_model().objects.all()
    if opts.annotators:
        users = users.filter(username__in=opts.annotators)
    elif opts.layer != "gold":
        # Everyone with a span in this project, or an assignment in it.
        with_spans = Span.objects.filter(
            article__project=project, annotator_id=OuterRef("pk")
        ).values("pk")[:1]
        assigned = Assignment.objects.filter(
            article__project=project, annotator_id=OuterRef("pk")
        ).values("pk")[:1]
        users = users.filter(Exists(with_spans) | Exists(assigned))
    else:
        users = users.none()
    usernames = dict(users.order_by("username").values_list("pk", "username"))
    return Selection(project, opts, label_key_of, usernames)


def _read_chunks(selection: Selection):
    """(article rows, their span rows, their assignments) a chunk at a time."""
    each = selection.opts.layer == "each"
    for chunk in plain_row_chunks(selection.articles().values_list(*ARTICLE_FIELDS), CHUNK):
        ids = [row[0] for row in chunk]
        spans = plain_rows(selection.spans(ids))
        yield chunk, spans, selection.assignments(ids) if each else {}


def plain_row_chunks(queryset, size: int) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` queryset, ``size`` at a time from one streaming query (a
    server-side cursor on PostgreSQL), unconverted: JSON comes as text (see
    :func:`load_metadata`), a date on SQLite as ISO text."""
    if (query := _compiled(queryset)) is None:
        return
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(*query)
        while rows := cursor.fetchmany(size):
            yield rows


def plain_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset whose columns need no conversion (integers and
    text), read with a plain cursor: Django's per-row work costs ~0.5 s at a million spans."""
    if (query := _compiled(queryset)) is None:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


def _compiled(queryset) -> tuple[str, tuple] | None:
    """``(sql, params)`` of a queryset, or None when it cannot match anything (an empty
    ``__in`` list: Django raises instead of writing SQL)."""
    try:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None


_LONG_NUMBER = re.compile(r"\d{19}")


def load_metadata(text: str | dict | None) -> dict:
    """An article's metadata from its JSON text: orjson, ~3x faster than the standard
    library, unless a number has 19 digits or more (orjson reads integers past 64 bits as
    floats; the standard library keeps them exact)."""
    if not isinstance(text, str):
        return text or {}
    value = json.loads(text) if _LONG_NUMBER.search(text) else orjson.loads(text)
    return value or {}


PREFETCH = 2  # chunks read ahead: a few MB
# The share of the articles a split build (parallel.py) writes in this process: the child
# compresses its own half, this process hashes it and copies it into the zip.
FIRST_PART = 0.5


def _prefetched(make_chunks: Callable[[], Iterator]) -> Iterator:
    """``make_chunks()`` run by a reader thread a few chunks ahead of the caller.

    PostgreSQL plans, sorts and sends the next chunk while this thread encodes the current
    one (psycopg releases the GIL while it waits). The reader borrows this thread's connection,
    so it reads inside the same snapshot transaction; psycopg connections may be shared
    between threads (progress is written through a connection of its own). SQLite reads in
    this thread."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    if wrapper.vendor != "postgresql":
        yield from make_chunks()
        return
    found: queue.Queue = queue.Queue(PREFETCH)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                found.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        connections[DEFAULT_DB_ALIAS] = wrapper  # thread-local: this thread only
        try:
            with contextlib.closing(make_chunks()) as chunks:
                for chunk in chunks:
                    if not put(chunk):
                        return  # the caller stopped early
            put(end)
        except BaseException as exc:
            put(exc)

    wrapper.inc_thread_sharing()
    reader = threading.Thread(target=read, name="export-reader", daemon=True)
    reader.start()
    try:
        while (item := found.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
        wrapper.dec_thread_sharing()


_new_span = tuple.__new__  # ExportSpan(...) without its Python-level __new__: 2x faster


def iter_export_articles(selection: Selection) -> Iterator[tuple[ExportArticle, dict]]:
    """(article with every selected span, {annotator id: its spans}) one article at a time.

    The per-annotator split is only filled for the ``each`` layer."""
    key_of, usernames = selection.label_key_of, selection.usernames
    by_name = {name: uid for uid, name in usernames.items()}
    each = selection.opts.layer == "each"
    chunks = _prefetched(lambda: _read_chunks(selection))
    with contextlib.closing(chunks):
        for chunk, span_rows, assigned in chunks:
            spans_of: dict[int, list[ExportSpan]] = {}
            for art_id, user_id, label_id, start, end, text, note, origin in span_rows:
                spans_of.setdefault(art_id, []).append(
                    _new_span(ExportSpan, (start, end, key_of[label_id], text,
                                           usernames.get(user_id), note, origin))
                )  # fmt: skip
            for art_id, ext, title, text, meta, url, published, original in chunk:
                spans = spans_of.get(art_id, [])
                article = ExportArticle(
                    art_id, ext, title, text, load_metadata(meta), spans, url, published, original
                )
                split: dict[int, list[ExportSpan]] = {}
                if each:
                    split = {user_id: [] for user_id in assigned.get(art_id, ())}
                    for span in spans:
                        split.setdefault(by_name[span.annotator], []).append(span)
                yield article, split


# --- the zip -----------------------------------------------------------------------------


class PrefixedSink(Sink):
    """A folder inside another sink (one per annotator for the ``each`` layer)."""

    def __init__(self, inner: Sink, prefix: str):
        super().__init__()
        self.inner, self.prefix = inner, prefix

    def open(self, name: str):
        return self.inner.open(f"{self.prefix}/{name}")


_SAFE_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")


def annotator_folder(user_id: int, username: str) -> str:
    return f"annotators/{username if _SAFE_FOLDER.fullmatch(username) else f'user-{user_id}'}"


def _merge_counts(total: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, int):
            total[key] = total.get(key, 0) + value
        else:
            bucket = total.setdefault(key, {})
            if value and isinstance(next(iter(value.values())), dict):
                _merge_counts(bucket, value)
            else:
                counter = Counter(bucket)
                counter.update(value)
                total[key] = dict(sorted(counter.items()))


def _slowdown() -> float:
    if os.environ.get("ANNOTATOR_TESTING") and os.environ.get(SLOW_ENV):
        return float(os.environ[SLOW_ENV])
    return 0.0


def build_zip(
    project: Project,
    opts: ExportOptions,
    path: str | os.PathLike,
    *,
    export_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the export of ``project`` to the zip at ``path``; return its manifest.

    Raises ExportError (SpanMismatch for a span whose offsets do not select its snapshot) and
    leaves the half-written zip for the caller to delete. ``progress(done, total)`` is called
    after every article (the caller throttles).
    """
    labels, key_of = export_labels(project, opts)
    selection = make_selection(project, opts, key_of)
    total = selection.articles().count()
    if progress:
        progress(0, total)
    created_at = timezone.now()
    delay = _slowdown()
    with cyclic_gc_paused():
        # Before any thread of the build starts: a large export's second half is built by a
        # child process.
        half, selection = _fork_second_half(selection, labels, total, Path(f"{path}.half"),
                                            delay)  # fmt: skip
        try:
            return _build(project, opts, labels, selection, path, total, created_at,
                          export_id, progress, delay, half)  # fmt: skip
        finally:
            if half is not None:
                half.cleanup()


@contextlib.contextmanager
def cyclic_gc_paused():
    """Python's cyclic garbage collector off for the duration.

    A build allocates millions of short-lived tuples, lists and dicts, none of them in a
    reference cycle, so reference counting frees them all; but the collector runs every 700
    allocations and now and then walks the whole heap (Django's, Celery's): 15-25% of an
    export's CPU. Collections resume afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fork_second_half(selection: Selection, labels, total: int, folder: Path, delay: float):
    """``(child, first half)``: a child process building the second half of the articles into
    ``folder`` when the export is large, its format splittable and the build reads a snapshot
    of its own on PostgreSQL; else ``(None, selection)``."""
    from django.conf import settings

    from annotator.exports import parallel

    opts = selection.opts
    wrapper = connections[DEFAULT_DB_ALIAS]
    minimum = settings.ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES
    if not (
        minimum
        and total >= max(minimum, 2)
        and FORMATS[opts.format].splittable
        and opts.layer != "each"
        and wrapper.vendor == "postgresql"
        and _current_snapshot(wrapper) is not None
    ):
        return None, selection
    split = selection.articles().values_list("pk", flat=True)[int(total * FIRST_PART)]
    child = parallel.ForkedHalf(
        selection.part(split, None), opts.format, labels, opts.format_options, folder,
        level=ZIP_LEVEL, delay=delay,
    )  # fmt: skip
    try:
        child.start(parallel.export_snapshot())
    except OSError as exc:  # no process to be had (limits, memory): one process builds it all
        child.cleanup()
        log.warning("building export in one process: cannot fork (%s)", exc)
        return None, selection
    except BaseException:
        child.cleanup()
        raise
    return child, selection.part(None, split)


def _build(project, opts, labels, selection, path, total, created_at, export_id, progress,
           delay, half):  # fmt: skip
    with open(path, "wb") as raw:
        sink = ZipSink(raw, compresslevel=ZIP_LEVEL)
        writers: dict[int | None, FormatWriter] = {}
        if opts.layer == "each":
            for user_id, username in selection.usernames.items():
                writer = FORMATS[opts.format](labels, opts.format_options)
                writer.begin(PrefixedSink(sink, annotator_folder(user_id, username)))
                writers[user_id] = writer
        else:
            writers[None] = FORMATS[opts.format](labels, opts.format_options)
            writers[None].begin(sink)
        done = 0
        articles = iter_export_articles(selection)
        try:
            with contextlib.closing(articles):
                for article, split in articles:
                    if opts.layer == "each":
                        for user_id, spans in split.items():
                            article.spans = spans
                            writers[user_id].write(article)
                    else:
                        writers[None].write(article)
                    done += 1
                    if progress:
                        progress(done + (half.done() if half else 0), total)
                    if delay:
                        time.sleep(delay)
            if half is not None:
                first_part = done

                def report(child_done: int) -> None:
                    if progress:
                        progress(first_part + child_done, total)

                done += _append_second_half(half, writers[None], report)
                report(done - first_part)
        except BaseException as exc:
            _discard(writers, sink)
            if isinstance(exc, SpanMismatch):
                raise ExportError(_name_span(project, exc)) from exc
            raise
        counts: dict[str, Any] = {}
        per_annotator = {}
        for user_id, writer in writers.items():
            report = writer.finish()
            if user_id is not None:
                per_annotator[selection.usernames[user_id]] = report
            _merge_counts(counts, report)
        if opts.layer == "each":
            counts["articles"] = done
        counts.setdefault("annotators", {})
        manifest = {
            "dataset": f"{project.slug}-{opts.format}" + (f"-{export_id}" if export_id else ""),
            "export_id": export_id,
            "project": {"slug": project.slug, "name": project.name},
            "format": opts.format,
            "options": opts.as_dict(),
            "counts": counts,
            "labels": [
                {
                    "key": lab.key,
                    "name": lab.name,
                    "official_label": lab.technique,
                    "category": lab.category,
                    "description": lab.description,
                }
                for lab in labels
            ],  # fmt: skip
            "schema": schema_snapshot(project),
            "created_at": created_at.isoformat(),
            "app_version": app_version(),
            "generator": "annotator.exports",
        }
        if opts.layer == "each":
            manifest["annotator_folders"] = {
                name: annotator_folder(uid, name) for uid, name in selection.usernames.items()
            }
            manifest["counts_per_annotator_folder"] = per_annotator
        from annotator.exports.dataset_card import render_card  # card needs the manifest

        fixed = [name for writer in writers.values() for name in once_per_export(writer)]
        card = render_card(manifest, file_summary(data_files(sink), fixed))
        sink.write_bytes("README.md", card.encode("utf-8"))
        manifest["file_count"] = len(sink.files) + 1  # with manifest.json
        write_manifest(sink, manifest)
        sink.close()
    return manifest


def _append_second_half(half, writer: FormatWriter, report: Callable[[int], None]) -> int:
    """Append the files of the child (``parallel.ForkedHalf``) to the writer's streams as it
    writes them, then its counts to the writer's; return the number of articles it wrote."""
    stats = half.follow(writer._streams, report)
    writer.stats.merge(stats)
    return stats.articles


def once_per_export(writer: FormatWriter) -> list[str]:
    """The writer's growing files (not per-article), named as they are in the zip."""
    prefix = f"{writer.sink.prefix}/" if isinstance(writer.sink, PrefixedSink) else ""
    return [prefix + name for name in writer.files()]


def write_manifest(sink: Sink, manifest: dict[str, Any]) -> None:
    """manifest.json: ``manifest`` plus ``files`` (name -> sha256 and size of every other file),
    streamed: a per-article format has two files an article, too many for one dict and string."""
    head = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
    with sink.open("manifest.json") as out:
        out.write_text(head[: -len("\n}")] + ',\n  "files": {')
        lines, sep = [], "\n"
        for name, rec in sink.files.items():
            name_json = json.dumps(name, ensure_ascii=False)
            lines.append(f'{sep}    {name_json}: {{"sha256": "{rec.sha256}", "size": {rec.size}}}')
            sep = ",\n"
            if len(lines) >= 1000:
                out.write_text("".join(lines))
                lines.clear()
        out.write_text("".join(lines) + "\n  }\n}\n")


def file_summary(names: list[str], fixed: list[str], limit: int = 30) -> list[str]:
    """The card's file list: every name when there are few, else the once-per-export files and
    a count per extension of the per-article ones."""
    if len(names) <= limit:
        return [f"`{name}`" for name in names]
    # os.path, not pathlib: Path() interns every part of every name, for good
    rest = Counter(
        os.path.splitext(name)[1] or "(no extension)" for name in names if name not in fixed
    )
    return [f"`{name}`" for name in fixed] + [
        f"{count:,} `{suffix}` files (one per article)" for suffix, count in sorted(rest.items())
    ]


def _discard(writers, sink: ZipSink) -> None:
    """Close what a failed build left open (the caller deletes the file)."""
    with contextlib.suppress(Exception):
        for writer in writers.values():
            writer.abort()
    with contextlib.suppress(Exception):
        sink.zip.close()
    with contextlib.suppress(Exception):
        sink.zip.filelist.close()


def data_files(sink: Sink) -> list[str]:
    return [name for name in sink.files if name not in ("README.md", "manifest.json")]


def _name_span(project: Project, exc: SpanMismatch) -> str:
    """The writer's message plus the span's database id, so a curator can find and fix it."""
    ids = list(
        Span.objects.filter(
            article__project=project,
            article__external_id=exc.external_id,
            start=exc.start,
            end=exc.end,
            text=exc.expected,
        ).values_list("pk", flat=True)[:3]
    )
    which = f"span #{', #'.join(map(str, ids))}: " if ids else ""
    return f"span verification failed: {which}{exc}"


def read_only_snapshot():
    """One consistent snapshot for every query of a build on PostgreSQL (REPEATABLE READ), so
    a corpus edited during an export still gives a coherent file; a no-op elsewhere or when
    the caller already holds a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return contextlib.nullcontext()
    return _RepeatableRead()


class _RepeatableRead:
    def __enter__(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        connection._export_snapshot = self  # a snapshot of our own: parallel.py may share it
        return self

    def __exit__(self, *exc):
        connection._export_snapshot = None
        return self._atomic.__exit__(*exc)


def _current_snapshot(wrapper):
    """The _RepeatableRead this connection is in, if any (not a caller's own transaction)."""
    return getattr(wrapper, "_export_snapshot", None)


def local_temp_dir() -> Path:
    """Where zips are built before publishing: under MEDIA_ROOT when the file system storage is
    used, so that publishing is a rename on the same file system."""
    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / "exports" / ".building"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
