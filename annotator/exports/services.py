"""The export service: the one code path of the API, the Celery task and ``export_dataset``.

Life of an Export (a background job: core.jobs says how it is queued, claimed, kept alive,
recovered when its worker dies and failed after its attempts): ``request_export`` checks the
options and stores a *queued* row; ``build`` is the job's work: it builds the zip in a local
temporary file (``build.build_zip``, which verifies every span), publishes it through Django's
storage API under its final name, and only then is the row marked *done* with the file's
sha256 and size. Any error marks it *failed* with the reason and deletes the temporary file;
nothing under the final name exists unless the export is done.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from annotator.core import jobs
from annotator.corpus.models import Project
from annotator.exports.build import build_zip, local_temp_dir
from annotator.exports.formats import ExportError
from annotator.exports.models import Export
from annotator.exports.options import clean_options
from annotator.exports.selection import read_only_snapshot


def published_name(export: Export) -> str:
    return f"exports/{export.project.slug}/{export.project.slug}-{export.format}-{export.pk}.zip"


def request_export(project: Project, fmt: str, options: dict | None = None, *, requester=None):
    """A new queued Export with cleaned options; ExportError names a bad option."""
    opts = clean_options(project, fmt, options)
    return Export.objects.create(
        project=project, format=fmt, options=opts.as_dict(), requester=requester
    )


def build(export: Export, progress) -> dict[str, Any]:
    """The job's work: build, verify and publish the zip; the fields of the done export."""
    remove_stale_temp_files(building=export.pk)
    fd, tmp = tempfile.mkstemp(
        prefix=f"export-{export.pk}-", suffix=".zip.part", dir=local_temp_dir()
    )
    os.close(fd)
    try:
        opts = clean_options(export.project, export.format, export.options)
        with read_only_snapshot():
            manifest = build_zip(export.project, opts, tmp, export_id=export.pk, progress=progress)
        return publish(export, Path(tmp), manifest)
    except ExportError as exc:
        raise jobs.JobFailed(str(exc)) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def publish(export: Export, zip_path: Path, manifest: dict) -> dict[str, Any]:
    """Store the finished zip under its final name; the fields that say so."""
    with zip_path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    size = zip_path.stat().st_size
    name = published_name(export)
    if default_storage.exists(name):  # left by an attempt killed between save and done
        default_storage.delete(name)
    with zip_path.open("rb") as handle:
        saved = default_storage.save(name, _LocalFile(handle, zip_path))
    counts = manifest["counts"]
    return {
        "file": saved,
        "sha256": digest,
        "size": size,
        "counts": counts,
        "manifest": manifest,
        "progress_done": counts.get("articles", 0),
    }


class _LocalFile(File):
    """A local file FileSystemStorage can move into place (os.rename: atomic) instead of
    copying it under the final name byte by byte."""

    def __init__(self, handle, path: Path):
        super().__init__(handle, name=path.name)
        self._path = str(path)

    def temporary_file_path(self) -> str:
        return self._path


def remove_stale_temp_files(*, building: int) -> None:
    """Delete half-built zips (and folders) left by killed builders: those of exports other than
    ``building`` that are not running with a live heartbeat (the export id is in the name)."""
    running = Export.objects.filter(
        status=jobs.JobStatus.RUNNING, heartbeat_at__gte=timezone.now() - jobs.lease()
    )
    live = set(running.exclude(pk=building).values_list("pk", flat=True))
    for path in local_temp_dir().glob("export-*.zip.part"):
        pk = path.name.split("-")[1]
        if not (pk.isdigit() and int(pk) in live):
            with contextlib.suppress(OSError):
                path.unlink()


def export_now(project: Project, fmt: str, options: dict | None = None, *, requester=None):
    """Request and run an export in this process (the command; tests)."""
    export = request_export(project, fmt, options, requester=requester)
    return jobs.run(Export, export.pk, build)
