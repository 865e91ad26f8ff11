"""Files uploaded into a project are imported by a background job (core.jobs): ImportJob.

Life of an upload: the view refuses a body over IMPORT_MAX_UPLOAD_BYTES from its
Content-Length, before it is read. ``request_import`` then checks every file (a type some
reader takes; a zip's directory against the IMPORT_MAX_* limits) and the layer, stores the
files through Django's storage (so that a worker on another machine reads them) and creates a
*queued* ImportJob with the options; a bad file is a 400 naming it, and nothing is stored.
``run`` is the job's work: the same import service as ``import_articles``, one transaction per
file. Each file's report is stored on the job in that file's transaction, which also checks
that this builder still owns the job: a builder that takes the job over goes on from the first
file not committed, and no file is imported twice. Progress counts the bytes of the files
read. The stored files are deleted once the job ends (``ImportJob.release``).
"""

import re
import uuid
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from annotator.core.jobs import JobFailed, JobStatus
from annotator.corpus.models import Article, Membership, Project
from annotator.corpus.services import user_by_name

from .models import ImportJob
from .records import LabelIndex, RecordError
from .report import FileReport, ImportReport
from .service import GOLD, delete_image_files, import_upload
from .sources import source_for_upload, zip_problem

UPLOADER, ANNOTATOR, GOLD_LAYER = "uploader", "annotator", "gold"


def upload_problem(name: str, file) -> str | None:
    """Why an uploaded file is refused before it is stored, or None: a type no reader takes
    (or a .txt over the article limit), or a zip that cannot be read or is over the limits."""
    source = source_for_upload(name, file)
    if source.format == "unknown":  # sources._failed: a source whose one item says why
        return next(iter(source.read(None))).message  # type: ignore[arg-type]
    if source.format != "zip":
        return None
    try:
        with zipfile.ZipFile(file) as archive:  # its directory only, at the end of the file
            return zip_problem([info for info in archive.infolist() if not info.is_dir()])
    except (zipfile.BadZipFile, OSError) as exc:
        return f"not a readable zip file ({exc})"
    finally:
        file.seek(0)


def import_options(
    project: Project,
    uploader,
    *,
    names: list[str],
    annotator: str = "",
    gold: bool = False,
    batch: str = "",
    utf16_offsets: bool = False,
    si_label: str = "",
) -> dict:
    """The job's options: whose layer spans go into (the uploader's, a member's, gold), the
    batch name (default: the time and the file names); a ValidationError naming the field."""
    if gold:
        if annotator:
            raise ValidationError({"annotator": ["Give an annotator or gold, not both."]})
        layer = {"layer": GOLD_LAYER, "annotator": None}
    elif annotator:
        user = user_by_name(annotator, field="annotator")
        if not Membership.objects.filter(project=project, user=user).exists():
            message = f"{annotator!r} is not a member of this project."
            raise ValidationError({"annotator": [message]})
        layer = {"layer": ANNOTATOR, "annotator": user.get_username()}
    else:
        layer = {"layer": UPLOADER, "annotator": uploader.get_username()}
    if si_label:
        try:
            LabelIndex.for_project(project).resolve(si_label)
        except RecordError as exc:
            raise ValidationError({"si_label": [str(exc)]}) from None
    limit = Article._meta.get_field("batch").max_length
    batch = batch or f"{timezone.now():%Y-%m-%d %H:%M} {', '.join(names)}"
    chosen = {"si_label": si_label} if si_label else {}
    return {**layer, "batch": batch[:limit], "utf16_offsets": utf16_offsets, **chosen}


def request_import(
    project: Project, files: list[UploadedFile], *, requester, **options
) -> ImportJob:
    """A queued ImportJob for ``files`` (``options``: see import_options); a ValidationError
    naming every refused file, and then nothing is stored."""
    names = [file.name or "" for file in files]
    problems = [
        f"{name}: {problem}"
        for name, file in zip(names, files, strict=True)
        if (problem := upload_problem(name, file))
    ]
    if problems:
        raise ValidationError({"file": problems})
    job_options = import_options(project, requester, names=names, **options)
    folder = f"imports/{project.slug}/{uuid.uuid4().hex}"
    stored: list[dict] = []
    try:
        for n, (name, file) in enumerate(zip(names, files, strict=True)):
            suffix = re.sub(r"[^a-z0-9.]", "", PurePosixPath(name).suffix.lower())
            saved = default_storage.save(f"{folder}/{n}{suffix}", file)
            stored.append({"name": name, "size": file.size, "stored": saved})
        return ImportJob.objects.create(
            project=project,
            requester=requester,
            options=job_options,
            files=stored,
            progress_total=sum(entry["size"] for entry in stored),
        )
    except BaseException:
        ImportJob(files=stored).release()  # nothing half-stored
        raise


def run(job: ImportJob, progress: Callable[[int, int], None]) -> dict:
    """The job's work: import its files not yet imported, each in its own transaction."""
    annotator = _layer(job)
    options = job.options
    total = sum(entry["size"] for entry in job.files)
    reports = [FileReport.from_dict(f) for f in job.report.get("files", [])]  # committed
    read = sum(entry["size"] for entry in job.files[: len(reports)])
    mine = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, owner=job.owner)
    for entry in job.files[len(reports) :]:
        with _open(entry) as stream, transaction.atomic():
            imported = import_upload(
                job.project,
                entry["name"],
                stream,
                annotator=annotator,
                utf16_offsets=options.get("utf16_offsets", False),
                si_label=options.get("si_label"),
                batch=options.get("batch", ""),
                on_item=_bytes_read(stream, entry["size"], read, total, progress),
            )
            reports += imported.files
            if not mine.update(report=ImportReport(reports).as_dict()):
                delete_image_files(imported)  # this transaction rolls back: its rows go
                raise JobFailed("taken over by another worker, which imports this file")
        read += entry["size"]
        progress(read, total)
    return {"report": ImportReport(reports).as_dict(), "progress_done": total}


def _bytes_read(stream, size: int, before: int, total: int, progress) -> Callable[[], None]:
    """Progress as a file is read: the bytes of the files before it and how far into it the
    reader is (the furthest point: a zip's reader moves back and forth in the file)."""
    furthest = 0

    def on_item() -> None:
        nonlocal furthest
        furthest = min(max(furthest, stream.tell()), size)
        progress(before + furthest, total)

    return on_item


def _layer(job: ImportJob):
    if job.options.get("layer") == GOLD_LAYER:
        return GOLD
    username = job.options.get("annotator")
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        raise JobFailed(f"the user {username!r}, whose layer the spans were for, is gone")
    return user


def _open(entry: dict):
    try:
        return default_storage.open(entry["stored"], "rb")
    except FileNotFoundError:
        raise JobFailed(f"{entry['name']}: the uploaded file is gone from the storage") from None
