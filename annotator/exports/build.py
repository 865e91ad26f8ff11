"""Building one dataset zip: the selected articles through a format writer, then the
manifest.json and the README.md dataset card.

Nothing here touches the Export row: :func:`build_zip` takes a project and cleaned options
(options.py), reads what they select (selection.py), writes a zip to a local path and returns
its manifest. ``services.py`` runs it for an Export (status, progress, storage); the command,
the Celery task and the API all go through there. One process builds an export: exports scale
out as Celery workers do, several at once.
"""

import contextlib
import gc
import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from itertools import chain, islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from annotator.annotations.models import Span
from annotator.corpus.models import Project
from annotator.exports.dataset_card import render_card
from annotator.exports.formats import (
    FORMATS,
    ExportComment,
    ExportError,
    ExportImage,
    ExportLabel,
    FormatWriter,
    Sink,
    SpanMismatch,
    ZipSink,
)
from annotator.exports.formats.sinks import PrefixedSink, ZipStreamTooLarge
from annotator.exports.formats.split import make_writer
from annotator.exports.options import ExportOptions
from annotator.exports.selection import (
    MEDIA,
    Selection,
    export_labels,
    iter_export_articles,
    make_selection,
)

# Tests only: seconds to sleep per article, so a test can kill a worker mid-export. Read from
# the environment at run time and ignored unless ANNOTATOR_TESTING is set as well.
SLOW_ENV = "ANNOTATOR_TEST_EXPORT_DELAY"


def build_zip(
    project: Project,
    opts: ExportOptions,
    path: str | os.PathLike,
    *,
    export_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the export of ``project`` to the zip at ``path``; return its manifest.

    Raises ExportError (naming the span, for a span whose offsets do not select its snapshot)
    and leaves the half-written zip for the caller to delete. ``progress(done, total)`` is
    called after every article (the caller throttles).
    """
    labels, key_of = export_labels(project, opts)
    selection = make_selection(project, opts, key_of)
    total = selection.articles().count()
    if progress:
        progress(0, total)
    manifest = new_manifest(project, opts, labels, export_id)
    with cyclic_gc_paused():
        try:
            return _write_zip(path, selection, labels, manifest, total, progress, stream=True)
        except ZipStreamTooLarge:
            # A data file past 4 GiB: built again, every file kept until it is closed, so that
            # its zip64 entry is written knowing its size.
            return _write_zip(path, selection, labels, manifest, total, progress, stream=False)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
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


def _write_zip(
    path: str | os.PathLike,
    selection: Selection,
    labels: list[ExportLabel],
    manifest: dict[str, Any],
    total: int,
    progress: Callable[[int, int], None] | None,
    *,
    stream: bool,
) -> dict[str, Any]:
    opts = selection.opts
    # One writer for the export (key None), or one per annotator for the ``each`` layer.
    user_ids: list[int | None] = [*selection.usernames] if opts.layer == "each" else [None]
    writers = {
        uid: make_writer(FORMATS[opts.format], labels, opts.format_options) for uid in user_ids
    }
    with open(path, "wb") as raw:
        sink = ZipSink(raw, stream=stream)
        try:
            for uid, writer in writers.items():
                if uid is None:
                    writer.begin(sink)
                else:
                    folder = annotator_folder(uid, selection.usernames[uid])
                    writer.begin(PrefixedSink(sink, folder))
            if opts.layer == "each" and writers:
                # the folders above the annotators' (a tool may be pointed at any of them)
                for name, data in next(iter(writers.values())).folder_files().items():
                    sink.write_bytes(name, data)
                    sink.write_bytes(f"annotators/{name}", data)
            images = ImageFiles(sink)
            done = _write_articles(selection, writers, images, total, progress)
            reports = {uid: writer.finish() for uid, writer in writers.items()}
            _add_counts(manifest, selection, reports, done)
            if FORMATS[opts.format].carries_images:
                manifest["counts"]["images"] = images.counts()
            fixed = [name for writer in writers.values() for name in once_per_export(writer)]
            card = render_card(manifest, file_summary(data_files(sink), fixed), fixed)
            sink.write_bytes("README.md", card.encode("utf-8"))
            manifest["file_count"] = len(sink.files) + 1  # with manifest.json
            write_manifest(sink, manifest)
            sink.close()
        except BaseException as exc:
            sink.abort()  # the zip thread stops; the caller deletes the file
            for writer in writers.values():
                writer.abort()
            if isinstance(exc, SpanMismatch):
                raise ExportError(_name_span(selection.project, exc)) from exc
            raise
    return manifest


def _write_articles(
    selection: Selection,
    writers: dict[int | None, FormatWriter],
    images: "ImageFiles",
    total: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Feed every selected article to the writers; return how many there were."""
    each = selection.opts.layer == "each"
    usernames = selection.usernames
    delay = _slowdown()
    done = 0
    articles = iter_export_articles(selection)
    with contextlib.closing(articles):
        for article, split in articles:
            if article.images:
                article.images = images.add(article.images)
            if each:
                comments = article.comments
                for user_id, spans in split.items():
                    article.spans = spans
                    if comments:
                        article.comments = comments_for(comments, usernames[user_id])
                    writers[user_id].write(article)
            else:
                writers[None].write(article)
            done += 1
            if progress:
                progress(done, total)
            if delay:
                time.sleep(delay)
    return done


def comments_for(comments: Sequence[ExportComment], username: str) -> list[ExportComment]:
    """What ``username`` reads through the API (annotations.comments): the article thread's
    comments by themselves or by a curator, and the threads of their own spans."""
    return [
        c
        for c in comments
        if (c.span[0] == username if c.span else c.author == username or c.author_role == "curator")
    ]


class ImageFiles:
    """Copies the articles' stored image files into the zip, each once (``media/<name>``); an
    image whose file is missing from storage keeps its URL only and is counted."""

    def __init__(self, sink: Sink):
        self.sink = sink
        self.copied: set[str] = set()
        self.rows = self.missing = 0

    def add(self, images: Sequence[ExportImage]) -> list[ExportImage]:
        kept = []
        for image in images:
            self.rows += 1
            copy = image.file and image.file not in self.copied
            if copy and not self._copy(image.file or ""):
                self.missing += 1
                image = image._replace(src=image.url, file=None)
            kept.append(image)
        return kept

    def _copy(self, path: str) -> bool:
        name = path.removeprefix(MEDIA)
        try:
            source = default_storage.open(name, "rb")
        except FileNotFoundError:
            return False
        with source, self.sink.open(path) as out:
            shutil.copyfileobj(source, out, 1 << 20)
        self.copied.add(path)
        return True

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "files": len(self.copied), "missing": self.missing}


def _slowdown() -> float:
    if os.environ.get("ANNOTATOR_TESTING") and os.environ.get(SLOW_ENV):
        return float(os.environ[SLOW_ENV])
    return 0.0


# --- the manifest ------------------------------------------------------------------------


def new_manifest(
    project: Project, opts: ExportOptions, labels: list[ExportLabel], export_id: int | None
) -> dict[str, Any]:
    """The manifest as it is known before the build (counts come after it)."""
    return {
        "dataset": f"{project.slug}-{opts.format}" + (f"-{export_id}" if export_id else ""),
        "export_id": export_id,
        "project": {"slug": project.slug, "name": project.name},
        "format": opts.format,
        "options": opts.as_dict(),
        "counts": {},
        "labels": [
            {
                "key": label.key,
                "name": label.name,
                "official_label": label.technique,
                "category": label.category,
                "description": label.description,
            }
            for label in labels
        ],
        "schema": schema_snapshot(project),
        "created_at": timezone.now().isoformat(),
        "app_version": app_version(),
        "generator": "annotator.exports",
    }


def _add_counts(
    manifest: dict[str, Any],
    selection: Selection,
    reports: dict[int | None, dict[str, Any]],
    done: int,
) -> None:
    """The writers' counts, added up (and per annotator folder for the ``each`` layer)."""
    counts: dict[str, Any] = {}
    for report in reports.values():
        _merge_counts(counts, report)
    counts.setdefault("annotators", {})
    manifest["counts"] = counts
    if selection.opts.layer == "each":
        counts["articles"] = done
        usernames = selection.usernames
        manifest["annotator_folders"] = {
            name: annotator_folder(uid, name) for uid, name in usernames.items()
        }
        manifest["counts_per_annotator_folder"] = {
            usernames[uid]: report for uid, report in reports.items() if uid is not None
        }


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


def app_version() -> str:
    try:
        return metadata.version("propaganda-annotator")
    except metadata.PackageNotFoundError:
        return "0+unknown"


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


# --- files -------------------------------------------------------------------------------


_SAFE_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")


def annotator_folder(user_id: int, username: str) -> str:
    return f"annotators/{username if _SAFE_FOLDER.fullmatch(username) else f'user-{user_id}'}"


def once_per_export(writer: FormatWriter) -> list[str]:
    """The writer's growing files (not per-article), named as they are in the zip."""
    prefix = f"{writer.sink.prefix}/" if isinstance(writer.sink, PrefixedSink) else ""
    return [prefix + name for name in writer.files()]


def data_files(sink: Sink) -> Iterator[str]:
    return (name for name in sink.files if name not in ("README.md", "manifest.json"))


def file_summary(names: Iterable[str], fixed: list[str], limit: int = 30) -> list[str]:
    """The card's file list: every name when there are few, else the once-per-export files and
    a count per extension of the per-article ones (counted as they come: there may be
    hundreds of thousands)."""
    names = iter(names)
    first = list(islice(names, limit + 1))
    if len(first) <= limit:
        return [f"`{name}`" for name in first]
    # os.path, not pathlib: Path() interns every part of every name, for good
    rest = Counter(
        os.path.splitext(name)[1] or "(no extension)"
        for name in chain(first, names)
        if name not in fixed
    )
    return [f"`{name}`" for name in fixed] + [
        f"{count:,} `{suffix}` files (one per article)" for suffix, count in sorted(rest.items())
    ]


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


def local_temp_dir() -> Path:
    """Where zips are built before publishing: under MEDIA_ROOT when the file system storage is
    used, so that publishing is a rename on the same file system."""
    folder = Path(settings.MEDIA_ROOT) / "exports" / ".building"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
