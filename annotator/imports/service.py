"""The import service the management command, the REST API and Celery tasks all call.

Each source (a file, a zip, a folder's article files) is imported in one transaction: records
stream in from the parser, are validated there, and are inserted in batches; any error anywhere
in the source rolls the whole source back, so a file with an error stores nothing. Parsing goes
on after the first error so that one run lists every problem (up to a limit).
"""

import dataclasses
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from annotator.annotations.models import Span, SpanOrigin
from annotator.core.bulk import (
    BackgroundWriter,
    bulk_insert,
    foreign_key_checks_skippable,
    immediate_constraints,
    planned_each_time,
    use_fast_compression,
)
from annotator.corpus.models import (
    ARTICLE_CONTENT_FIELDS,
    Article,
    ArticleImage,
    Membership,
    Project,
    Role,
)
from annotator.schemas.models import Label

from .media import StoredImages
from .records import ArticleRecord, ImportOptions, LabelIndex, RecordError
from .report import FileReport, ImportIssue, ImportNote, ImportReport
from .sources import Source, source_for_upload, sources_for_path

BATCH_SIZE = 1000

# The ArticleRecord fields an article row takes as they are, between its project and batch.
RECORD_FIELDS = ("external_id", "title", *ARTICLE_CONTENT_FIELDS, "text_sha256")
ARTICLE_FIELDS = ("project_id", *RECORD_FIELDS, "batch")
_record_values = attrgetter(*RECORD_FIELDS)
SPAN_FIELDS = ("article_id", "annotator_id", "label_id", "start", "end", "text", "origin")
IMAGE_FIELDS = ("article_id", "url", "file", "caption_start", "caption_end", "order")


class ImportSetupError(ValueError):
    """A problem with the import's options (not with a file): nothing was read."""


class GoldLayer:
    """Pass ``GOLD`` as the annotator: imported spans go to the project's gold layer."""

    pk = None

    def __repr__(self) -> str:
        return "GOLD"


GOLD = GoldLayer()


def import_paths(
    project: Project,
    paths: Iterable[str | Path],
    annotator=None,
    utf16_offsets: bool = False,
    si_label: str | None = None,
    batch_size: int = BATCH_SIZE,
    fast: bool | None = None,
    batch: str = "",
) -> ImportReport:
    """Import files and folders into ``project``; ``annotator`` (whose layer spans go into) is
    a User, a username or ``GOLD``; ``batch`` names the import on every article.

    ``fast`` (default: settings.ANNOTATOR_IMPORT_FAST_PATH) lets PostgreSQL skip its foreign-key
    triggers where the role may (:func:`_lock_references`, docs/import.md)."""
    options, user = _prepare(project, annotator, utf16_offsets, si_label, batch)
    fast = settings.ANNOTATOR_IMPORT_FAST_PATH if fast is None else fast
    report = ImportReport()
    for path in paths:
        for source in sources_for_path(Path(path)):
            report.files.append(import_source(project, source, options, user, batch_size, fast))
    return report


def import_upload(
    project: Project,
    name: str,
    stream,
    annotator=None,
    utf16_offsets: bool = False,
    si_label: str | None = None,
    batch_size: int = BATCH_SIZE,
    batch: str = "",
    on_item: Callable[[], None] | None = None,
) -> ImportReport:
    """Import one uploaded file (binary file object; ``name`` gives its format); ``on_item``
    is called as each article (or error) is read from it: an import job's progress."""
    options, user = _prepare(project, annotator, utf16_offsets, si_label, batch)
    source = source_for_upload(name, stream)
    if on_item is not None:
        source = _observed(source, on_item)
    fast = settings.ANNOTATOR_IMPORT_FAST_PATH
    return ImportReport([import_source(project, source, options, user, batch_size, fast)])


def _observed(source: Source, on_item: Callable[[], None]) -> Source:
    def read(options: ImportOptions):
        for item in source.read(options):
            on_item()
            yield item

    return dataclasses.replace(source, read=read)


def ensure_annotator(project: Project, username: str):
    """The user spans are imported for: created (no usable password) and made an annotator of
    the project if needed."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        user = User(**{User.USERNAME_FIELD: username})
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(user=user, project=project, defaults={"role": Role.ANNOTATOR})
    return user


def _prepare(project, annotator, utf16_offsets, si_label, batch=""):
    labels = LabelIndex.for_project(project)
    si_label_id = None
    if si_label:
        try:
            si_label_id = labels.resolve(si_label)
        except RecordError as exc:
            raise ImportSetupError(f"--si-label: {exc}") from None
    if isinstance(annotator, str):
        if not annotator.strip():
            raise ImportSetupError("--annotator: give a user name")
        annotator = ensure_annotator(project, annotator.strip())
    if len(batch) > (Article._meta.get_field("batch").max_length or 0):
        raise ImportSetupError("--batch: at most 200 characters")
    return ImportOptions(labels, utf16_offsets, si_label_id, batch), annotator


class _RollBack(Exception):
    pass


def import_source(
    project, source: Source, options, annotator, batch_size=BATCH_SIZE, fast: bool = False
) -> FileReport:
    report = FileReport(source.name, source.format)
    images = StoredImages()
    stored = False
    try:
        with planned_each_time(), transaction.atomic():
            use_fast_compression()
            trusted = _lock_references(project, options, annotator) if fast else None
            report.fast_path = trusted is not None
            _import_records(
                project, source, options, annotator, batch_size, report, trusted, images
            )
            _check_labels_were_used(report)
            if not report.ok:
                raise _RollBack
        stored = True
    except _RollBack:
        report.discard_counts()
    except DatabaseError as exc:  # e.g. a concurrent import of the same external id
        report.discard_counts()
        report.add_error(ImportIssue(source.name, None, f"database error, nothing stored: {exc}"))
    finally:
        report.image_files = images.clean_up(committed=stored)
    return report


def delete_image_files(report: ImportReport) -> None:
    """For a caller whose own transaction around the import rolls back (an import job that
    lost its job to another worker): the image files the import stored go too."""
    StoredImages.delete([name for file in report.files for name in file.image_files])


def _check_labels_were_used(report: FileReport) -> None:
    """Labels files read for new articles and not one span stored: their lines were all
    skipped somehow, and a success would hide it (docs/import.md)."""
    if report.ok and report.label_files_read and not report.spans_created:
        names = sorted({name for files in report.label_files.values() for name in files})
        more = ", ..." if len(names) > 5 else ""
        report.add_error(
            ImportIssue(
                report.path,
                None,
                f"{report.label_files_read} labels file(s) read and no span stored: "
                f"{', '.join(names[:5])}{more}",
            )
        )


def _lock_references(project, options, annotator) -> frozenset[int] | None:
    """The fast path's own referential integrity, or None for PostgreSQL's per-row checks.

    Called when the fast path is asked for. Where the role may, the COPYs skip the foreign-key
    triggers (about half of PostgreSQL's work in a bulk load;
    ``core.bulk.foreign_key_checks_skippable`` also makes sure nothing but
    foreign-key checks fire on INSERT into these tables: e.g. the article-text trigger is on
    UPDATE of corpus_article only). What those triggers would check is guaranteed here instead:
    the project, the annotator and the schema's labels are locked FOR KEY SHARE until the file's
    transaction ends, so they cannot be deleted or have their key changed meanwhile; article ids
    are those this transaction inserts just before their spans and images; and ``_insert``
    refuses any span whose label id is not among the labels locked here (returned).
    """
    references: list[tuple[type[models.Model], list[type[models.Model]]]] = [
        (Article, [Project]),
        (Span, [Article, get_user_model(), Label]),
        (ArticleImage, [Article]),
    ]
    if not all(foreign_key_checks_skippable(model, refs) for model, refs in references):
        return None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, pk in (
            (Project, project.pk),
            (get_user_model(), getattr(annotator, "pk", None)),
        ):
            if pk is None:
                continue
            table, column = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR KEY SHARE", [pk])
            if cursor.fetchone() is None:
                return None  # gone: the checked path reports the database's own error
        cursor.execute(
            f"SELECT id FROM {quote(Label._meta.db_table)} WHERE id = ANY(%s) FOR KEY SHARE",
            [sorted(options.labels.ids)],
        )
        return frozenset(row[0] for row in cursor.fetchall())


def _import_records(project, source, options, annotator, batch_size, report, trusted, images):
    """Read the source's records into batches for the writer thread; ``images`` stores the
    image files the records bring (imports/media.py), here while the source is open."""
    seen: set[str] = set()
    batch: list[ArticleRecord] = []
    told_about_annotator = False
    # The writer thread counts into a report of its own, merged when it is done.
    written = FileReport(source.name, source.format)
    with immediate_constraints():
        writer = BackgroundWriter(
            lambda records: _insert(
                project, records, annotator, written, trusted, options.batch, images
            )
        )
        try:
            for item in source.read(options):
                if isinstance(item, ImportNote):
                    report.notes.append(str(item))
                    continue
                if isinstance(item, ImportIssue):
                    report.add_error(item)
                    if report.errors_truncated:
                        break  # enough listed; the file fails anyway
                    continue
                if item.external_id in seen:
                    report.add_duplicate(item.external_id)
                    continue
                seen.add(item.external_id)
                if item.spans and annotator is None:
                    if not told_about_annotator:
                        told_about_annotator = True
                        report.add_error(
                            ImportIssue(
                                source.name,
                                None,
                                f"article {item.external_id!r} has spans: give an annotator "
                                "(--annotator USERNAME) to say whose spans they are",
                            )
                        )
                    continue
                if not report.ok:
                    continue  # keep validating to list every error; nothing more will be stored
                if item.images and not _store_image_files(item, images, report):
                    continue
                batch.append(item)
                if len(batch) >= batch_size:
                    writer.put(batch)
                    batch = []
            if batch and report.ok:
                writer.put(batch)
        finally:
            writer.close()
            report.merge_counts(written)


def _store_image_files(record: ArticleRecord, images: StoredImages, report: FileReport) -> bool:
    """Store the files of the record's images (False, and an error, if storage fails)."""
    for image in record.images:
        if image.file is None:
            continue
        try:
            images.store(image.file)
        except (OSError, SuspiciousFileOperation) as exc:
            report.add_error(
                ImportIssue(image.file.where, None, f"could not store the image file: {exc}")
            )
            return False
    return True


def _existing_ids(project, external_ids: list[str]) -> set[str]:
    """Which of ``external_ids`` the project has already. On PostgreSQL one array parameter
    instead of the ORM's ``IN`` of 1,000 placeholders: about a fifth of the CPU on each side."""
    if connection.vendor != "postgresql":
        found = Article.objects.filter(project=project, external_id__in=external_ids)
        return set(found.values_list("external_id", flat=True))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id FROM {quote(Article._meta.db_table)} "
            "WHERE project_id = %s AND external_id = ANY(%s)",
            [project.pk, external_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _insert(
    project,
    batch: list[ArticleRecord],
    annotator,
    report: FileReport,
    trusted,
    batch_name: str,
    stored_images: StoredImages,
) -> None:
    """Insert a batch; ``trusted``: the label ids locked by ``_lock_references`` (fast path);
    ``batch_name``: the import's name on every article; ``stored_images``: where the image
    files of the batch's records were stored."""
    existing = _existing_ids(project, [r.external_id for r in batch])
    fresh = []
    for record in batch:
        if record.external_id in existing:
            report.add_duplicate(record.external_id)
        else:
            fresh.append(record)
    if not fresh:
        return
    article_ids = bulk_insert(
        Article,
        ARTICLE_FIELDS,
        [(project.pk, *_record_values(r), batch_name) for r in fresh],
        return_ids=True,
        check_foreign_keys=trusted is None,
    )
    assert article_ids is not None  # return_ids=True
    annotator_id = annotator.pk if annotator is not None else None
    spans = [
        (article_id, annotator_id, label_id, start, end, r.text[start:end], SpanOrigin.IMPORT.value)
        for article_id, r in zip(article_ids, fresh, strict=True)
        for start, end, label_id in r.spans
    ]
    images = [
        (article_id, url, stored_images.name(file) if file else "", start, end, n)
        for article_id, r in zip(article_ids, fresh, strict=True)
        for n, (url, start, end, file) in enumerate(r.images)
    ]
    if trusted is not None:
        # The label check the skipped trigger would have made, before anything is written.
        unknown = {span[2] for span in spans} - trusted
        if unknown:
            raise IntegrityError(
                f"label id(s) {sorted(unknown)} do not exist (deleted during the import?)"
            )
    checked = trusted is None
    bulk_insert(Span, SPAN_FIELDS, spans, check_foreign_keys=checked)
    bulk_insert(ArticleImage, IMAGE_FIELDS, images, check_foreign_keys=checked)
    for record in fresh:
        if record.label_files:
            report.label_files[record.external_id] = record.label_files
        if record.repeated_spans:
            report.add_repeated_spans(record.repeated_spans)
    report.articles_created += len(fresh)
    report.spans_created += len(spans)
    report.images_created += len(images)
