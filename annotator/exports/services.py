"""The export service: the one code path of the API, the Celery task and ``export_dataset``.

Life of an Export: ``request_export`` checks the options and stores a *queued* row (the API
then queues the task). ``run_export`` claims it (*running*, attempts + 1), builds the zip in a
local temporary file (``build.build_zip``, which verifies every span), publishes it through
Django's storage API under its final name, and only then marks the row *done* with the file's
sha256 and size. Any error marks it *failed* with the reason and deletes the temporary file;
nothing under the final name exists unless the export is done.

A worker killed mid-build leaves the row *running* with a stale ``heartbeat_at``: the status says
it has stalled, and ``recover_stale_exports`` (run whenever a worker starts, see tasks.py) queues
it again until ``MAX_ATTEMPTS``, then marks it failed, naming the lost worker as the reason.
"""

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from annotator.corpus.models import Project
from annotator.exports.build import build_zip, clean_options, local_temp_dir, read_only_snapshot
from annotator.exports.formats import ExportError
from annotator.exports.models import Export, ExportStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a build interrupted this often (worker lost) is failed, not retried again
PROGRESS_INTERVAL = 0.25  # seconds between progress writes: at most 4 a second


def stale_after() -> timedelta:
    """A running export whose heartbeat is older than this has lost its worker (progress is
    written at least every few seconds while articles flow)."""
    return timedelta(seconds=settings.ANNOTATOR_EXPORT_STALE_SECONDS)


def export_queue() -> str | None:
    """The Celery queue exports go to (default: Celery's default queue)."""
    return settings.ANNOTATOR_EXPORT_QUEUE


def published_name(export: Export) -> str:
    return f"exports/{export.project.slug}/{export.project.slug}-{export.format}-{export.pk}.zip"


# --- requesting --------------------------------------------------------------------------


def request_export(project: Project, fmt: str, options: dict | None = None, *, requester=None):
    """A new queued Export with cleaned options; ExportError names a bad option."""
    opts = clean_options(project, fmt, options)
    return Export.objects.create(
        project=project, format=fmt, options=opts.as_dict(), requester=requester
    )


def enqueue(export: Export) -> None:
    """Queue the build once the row is committed (a worker must be able to read it)."""
    from annotator.exports.tasks import build_export

    pk, queue = export.pk, export_queue()
    transaction.on_commit(lambda: build_export.apply_async(args=[pk], queue=queue))


# --- running -----------------------------------------------------------------------------


def claim(export_id: int) -> Export | None:
    """Mark the export running for this attempt; None when there is nothing to do (done,
    failed, or running with a live heartbeat elsewhere: a duplicate delivery)."""
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(claimable, pk=export_id).first()
        if export is None:
            return None
        if export.attempts >= MAX_ATTEMPTS:
            _set_failed(export, _lost_reason(export))
            return None
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.started_at = export.heartbeat_at = now
        export.progress_done = 0
        export.error = ""
        export.save(
            update_fields=["status", "attempts", "started_at", "heartbeat_at", "progress_done",
                           "error"]
        )  # fmt: skip
    return Export.objects.select_related("project__schema").get(pk=export_id)


def run_export(export_id: int) -> Export | None:
    """Build and publish a queued export (the task's body). Returns the row as it ends, or None
    when another run owns it. Never raises for a bad export: it is marked failed instead."""
    export = claim(export_id)
    if export is None:
        return None
    tmp = None
    try:
        opts = clean_options(export.project, export.format, export.options)
        fd, tmp = tempfile.mkstemp(
            prefix=f"export-{export.pk}-", suffix=".zip.part", dir=local_temp_dir()
        )
        os.close(fd)
        with ProgressReporter(export.pk) as progress, read_only_snapshot():
            manifest = build_zip(
                export.project,
                opts,
                tmp,
                export_id=export.pk,
                progress=progress,
            )
        publish(export, Path(tmp), manifest)
        tmp = None  # moved into place (or uploaded and removed)
    except ExportError as exc:
        _set_failed(export, str(exc))
    except (OperationalError, InterfaceError) as exc:
        # The database went away: the task retries (bounded); queued again so it can claim.
        _requeue_after(export, exc)
        raise
    except Exception as exc:
        log.exception("export %s failed", export.pk)
        _set_failed(export, f"{type(exc).__name__}: {exc}")
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
    export.refresh_from_db()
    return export


def publish(export: Export, zip_path: Path, manifest: dict) -> None:
    """Store the finished zip under its final name, then mark the export done."""
    digest, size = file_sha256(zip_path), zip_path.stat().st_size
    name = published_name(export)
    if default_storage.exists(name):  # left by an attempt killed between save and done
        default_storage.delete(name)
    with zip_path.open("rb") as handle:
        saved = default_storage.save(name, _LocalFile(handle, zip_path))
    if zip_path.exists():  # a remote storage copied it
        zip_path.unlink()
    counts = manifest["counts"]
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        file=saved,
        sha256=digest,
        size=size,
        counts=counts,
        manifest=manifest,
        progress_done=counts.get("articles", 0),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        error="",
    )


class _LocalFile(File):
    """A local file FileSystemStorage can move into place (os.rename: atomic) instead of
    copying it under the final name byte by byte."""

    def __init__(self, handle, path: Path):
        super().__init__(handle, name=path.name)
        self._path = str(path)

    def temporary_file_path(self) -> str:
        return self._path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _set_failed(export: Export, reason: str) -> None:
    Export.objects.filter(pk=export.pk).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=reason[:5000], finished_at=timezone.now()
    )


def _requeue_after(export: Export, exc: Exception) -> None:
    # If the database is still down, the stale heartbeat lets the retry claim it anyway.
    with contextlib.suppress(OperationalError, InterfaceError):
        Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.QUEUED, error=f"retrying after a database error: {exc}"
        )


def mark_failed(export_id: int, reason: str) -> None:
    """For the task when its retries are used up."""
    export = Export(pk=export_id)
    _set_failed(export, reason)


def _lost_reason(export: Export) -> str:
    since = export.heartbeat_at.isoformat() if export.heartbeat_at else "its start"
    return (
        f"the worker running this export stopped (no progress since {since}) "
        f"{export.attempts} time(s); not retried again. Request a new export."
    )


class ProgressReporter:
    """``progress(done, total)`` for build_zip: writes progress and the heartbeat at most every
    PROGRESS_INTERVAL seconds. On PostgreSQL it writes through a connection of its own, so the
    build can read inside one snapshot transaction while its progress is visible outside."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self._last = 0.0
        self._conn = None

    def __enter__(self):
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self._conn = connections.create_connection("default")
        return self

    def __exit__(self, *exc):
        if self._conn is not None:
            self._conn.close()
        return False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done and done < total and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        values = [done, total, timezone.now(), self.export_id]
        sql = (
            f"UPDATE {Export._meta.db_table} SET progress_done = %s, progress_total = %s, "
            "heartbeat_at = %s WHERE id = %s"
        )
        conn = self._conn or connection
        with conn.cursor() as cursor:
            cursor.execute(sql, values)


# --- status and recovery -----------------------------------------------------------------


@dataclass
class ExportState:
    status: str
    stalled: bool
    message: str


def describe(export: Export) -> ExportState:
    """What the status endpoint and the command say about an export, in words."""
    now = timezone.now()
    if export.status == ExportStatus.DONE:
        return ExportState("done", False, f"done: {export.size} bytes, sha256 {export.sha256}")
    if export.status == ExportStatus.FAILED:
        return ExportState("failed", False, f"failed: {export.error}")
    if export.status == ExportStatus.RUNNING:
        beat = export.heartbeat_at or export.started_at
        if beat and now - beat > stale_after():
            return ExportState(
                "running",
                True,
                f"stalled: no progress since {beat.isoformat()} (the worker may have died; it "
                "is queued again when a worker starts)",
            )
        return ExportState(
            "running", False, f"running: {export.progress_done}/{export.progress_total} articles"
        )
    return ExportState("queued", False, "queued: waiting for a worker")


def recover_stale_exports() -> list[int]:
    """Queue again every running export whose worker is gone (stale heartbeat); those already
    tried MAX_ATTEMPTS times are failed by ``claim``. Returns the ids queued."""
    limit = timezone.now() - stale_after()
    ids = list(
        Export.objects.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=limit).values_list(
            "pk", flat=True
        )
    )
    from annotator.exports.tasks import build_export

    for pk in ids:
        build_export.apply_async(args=[pk], queue=export_queue())
    remove_stale_temp_files()
    return ids


def remove_stale_temp_files() -> None:
    """Delete half-built zips left by killed workers (and the folders of their second halves,
    see parallel.py): files of exports that are not running with a live heartbeat (the export
    id is in the name)."""
    live = set(
        Export.objects.filter(
            status=ExportStatus.RUNNING, heartbeat_at__gte=timezone.now() - stale_after()
        ).values_list("pk", flat=True)
    )
    for pattern in ("export-*.zip.part", "export-*.zip.part.half"):
        for path in local_temp_dir().glob(pattern):
            pk = path.name.split("-")[1]
            if not (pk.isdigit() and int(pk) in live):
                with contextlib.suppress(OSError):
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()


def export_now(project: Project, fmt: str, options: dict | None = None, *, requester=None):
    """Request and run an export in this process (the command; tests)."""
    export = request_export(project, fmt, options, requester=requester)
    return run_export(export.pk)
