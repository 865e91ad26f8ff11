"""What an export reads, and how: the selected articles, spans and labels, streamed.

``Selection`` applies the options to the project (which articles, which spans, whose layers);
``iter_export_articles`` yields one ``ExportArticle`` at a time with its spans, so memory
stays flat as the corpus grows. Articles come from one streaming query (a server-side cursor
on PostgreSQL) ``CHUNK`` at a time; their spans (and, for the ``each`` layer, assignments)
with one query per chunk, ordered by article and offset. Rows are read as plain tuples
through the connection's cursor, skipping Django's per-row conversion (~0.5 s a million
spans); on PostgreSQL a reader thread runs the queries a few chunks ahead of the writer, and
``read_only_snapshot`` gives the whole build one consistent snapshot.
"""

import contextlib
import json
import queue
import re
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import NamedTuple, TypeVar, cast

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, OuterRef, Q

from annotator.annotations.models import Comment, Span
from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    Role,
)
from annotator.exports.formats import (
    FORMATS,
    ExportArticle,
    ExportComment,
    ExportImage,
    ExportLabel,
    ExportSpan,
)
from annotator.exports.options import ExportOptions
from annotator.schemas.presets import get_preset

T = TypeVar("T")
CHUNK = 500  # articles per span query: ~1.5 MB of text, ~5,000 spans


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
        labels = (get_preset(opts.label_mapping) or {}).get("labels", [])  # checked: it exists
        preset = {lab["key"]: lab for lab in labels}
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


def of_articles(article_ids: list[int]) -> Q:
    """Rows of the articles ``article_ids`` (ascending), and maybe of others between them:
    callers look rows up by article. Dense ids (one import) are a range: with hundreds of ids,
    building and quoting a list costs more than the few rows a range adds."""
    first, last = article_ids[0], article_ids[-1]
    if last - first < 2 * len(article_ids):
        return Q(article_id__gte=first, article_id__lte=last)
    return Q(article_id__in=article_ids)


@dataclass
class Selection:
    """What to read: the project's articles and spans after the options are applied."""

    project: Project
    opts: ExportOptions
    label_key_of: dict[int, str]
    usernames: dict[int, str]  # every annotator a span may come from
    curators: frozenset[int] = frozenset()  # reviewers, managers, staff (comment authors)

    def articles(self):
        query = Article.objects.filter(project=self.project)
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
        and maybe of other articles between them (``of_articles``): callers look spans up by
        article."""
        query = Span.objects.filter(of_articles(article_ids)).filter(label_id__in=self.label_key_of)
        if self.opts.layer == "gold":
            query = query.filter(annotator__isnull=True)
        else:
            query = query.filter(annotator_id__in=self.usernames)
            if self.opts.done_only:
                query = query.filter(_done("article_id", "annotator_id"))
        return query.order_by("article_id", "start", "end", "id").values_list(*SPAN_FIELDS)

    def images(self, article_ids: list[int]) -> dict[int, list[tuple]]:
        """article id -> its images' (file name, URL, caption start, caption end)."""
        if not FORMATS[self.opts.format].carries_images:
            return {}
        rows = ArticleImage.objects.filter(of_articles(article_ids)).order_by(
            "article_id", "order", "id"
        )
        found: dict[int, list[tuple]] = {}
        for art_id, *image in rows.values_list(
            "article_id", "file", "url", "caption_start", "caption_end"
        ):
            found.setdefault(art_id, []).append(tuple(image))
        return found

    def comments(self, article_ids: list[int]) -> dict[int, list[ExportComment]]:
        """article id -> the comments this export may carry, oldest first: of the article's
        thread, those by curators and by the export's annotators (gold: curators only); of a
        span, those of the exported spans. The ``each`` layer narrows them to what each
        annotator reads through the API (build.comments_for)."""
        if not FORMATS[self.opts.format].carries_comments:
            return {}
        gold = self.opts.layer == "gold"
        rows = (
            Comment.objects.filter(of_articles(article_ids))
            .order_by("article_id", "created_at", "id")
            .values_list(
                "article_id",
                "author_id",
                "author__username",
                "body",
                "created_at",
                "span_id",
                "span__annotator_id",
                "span__annotator__username",
                "span__label_id",
                "span__start",
                "span__end",
            )
        )
        found: dict[int, list[ExportComment]] = {}
        for art_id, author_id, author, body, created, span_id, *span in rows:
            curator = author_id in self.curators
            key: tuple[str | None, str, int, int] | None = None
            if span_id is None:
                if not (curator or (not gold and author_id in self.usernames)):
                    continue
            else:
                annotator_id, username, label_id, start, end = cast(
                    tuple[int | None, str | None, int, int, int], tuple(span)
                )
                exported = (annotator_id is None) if gold else (annotator_id in self.usernames)
                if not exported or label_id not in self.label_key_of:
                    continue
                key = (username, self.label_key_of[label_id], start, end)
            role = "curator" if curator else "annotator"
            found.setdefault(art_id, []).append(
                ExportComment(author, role, body, created.isoformat(), key)
            )
        return found

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
    curators: frozenset[int] = frozenset()
    if FORMATS[opts.format].carries_comments:
        members = Membership.objects.filter(
            project=project, role__in=(Role.REVIEWER, Role.MANAGER)
        ).values_list("user_id", flat=True)
        staff = get_user_model().objects.filter(is_superuser=True).values_list("pk", flat=True)
        curators = frozenset([*members, *staff])
    return Selection(project, opts, label_key_of, usernames, curators)


class Chunk(NamedTuple):
    articles: list[tuple]  # rows of ARTICLE_FIELDS
    spans: list[tuple]  # rows of SPAN_FIELDS
    assigned: dict[int, set[int]]  # the each layer's folders of an article
    images: dict[int, list[tuple]]
    comments: dict[int, list[ExportComment]]


def _read_chunks(selection: Selection) -> Generator[Chunk, None, None]:
    """The articles and what goes with them, a chunk at a time."""
    each = selection.opts.layer == "each"
    for chunk in plain_row_chunks(selection.articles().values_list(*ARTICLE_FIELDS), CHUNK):
        ids = [row[0] for row in chunk]
        spans = plain_rows(selection.spans(ids))
        yield Chunk(
            chunk,
            spans,
            selection.assignments(ids) if each else {},
            selection.images(ids),
            selection.comments(ids),
        )


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


def _prefetched(make_chunks: Callable[[], Generator[T, None, None]]) -> Generator[T, None, None]:
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


def iter_export_articles(
    selection: Selection,
) -> Generator[tuple[ExportArticle, dict[int, list[ExportSpan]]], None, None]:
    """(article with every selected span, {annotator id: its spans}) one article at a time.

    The per-annotator split is only filled for the ``each`` layer."""
    key_of, usernames = selection.label_key_of, selection.usernames
    by_name = {name: uid for uid, name in usernames.items()}
    each = selection.opts.layer == "each"
    chunks = _prefetched(lambda: _read_chunks(selection))
    with contextlib.closing(chunks):
        for chunk, span_rows, assigned, images, comments in chunks:
            spans_of: dict[int, list[ExportSpan]] = {}
            for art_id, user_id, label_id, start, end, text, note, origin in span_rows:
                spans_of.setdefault(art_id, []).append(
                    _new_span(
                        ExportSpan,
                        (start, end, key_of[label_id], text, usernames.get(user_id), note, origin),
                    )
                )
            for art_id, ext, title, text, meta, url, published, original in chunk:
                spans = spans_of.get(art_id, [])
                article = ExportArticle(
                    art_id, ext, title, text, load_metadata(meta), spans, url, published, original
                )
                if art_id in images:
                    article.images = [export_image(text, *row) for row in images[art_id]]
                article.comments = comments.get(art_id, ())
                split: dict[int, list[ExportSpan]] = {}
                if each:
                    split = {user_id: [] for user_id in assigned.get(art_id, ())}
                    for span in spans:
                        split.setdefault(by_name[cast(str, span.annotator)], []).append(span)
                yield article, split


MEDIA = "media/"


def export_image(text: str, name: str, url: str, start: int | None, end: int | None):
    file = MEDIA + name if name else None  # a stored file: its storage name under media/
    caption = text[start:end] if start is not None else ""
    return ExportImage(url or file or "", url, file, start, end, caption)


@contextlib.contextmanager
def read_only_snapshot() -> Iterator[None]:
    """One consistent snapshot for every query of a build on PostgreSQL (REPEATABLE READ), so
    a corpus edited during an export still gives a coherent file; a no-op elsewhere or when
    the caller already holds a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
