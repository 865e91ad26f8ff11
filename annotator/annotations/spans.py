"""The span service: create, update, delete and sync spans of one layer of an article.

Plain functions called by the REST API, management commands and tasks alike. Offsets are
Unicode code points. Every write is one short transaction that first locks the article row, so
that concurrent writers on an article (an annotator's two tabs, a replayed offline queue) are
serialised and the duplicate/overlap checks cannot race; writers on other articles never wait.

Errors are :class:`SpanError`: a status and a JSON-able body that names the field, which the
API answers as they are (annotator.core.exceptions) and the CLI prints. The database refuses an
identical span in a layer and a reused client id by itself (unique constraints of ``Span``).
"""

import uuid
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotator.annotations import span_sql
from annotator.annotations.models import Span, SpanOrigin
from annotator.core.exceptions import ServiceError
from annotator.core.params import parse_id
from annotator.core.queries import only_row
from annotator.corpus.models import Article, Assignment, AssignmentStatus
from annotator.schemas.models import Label

MAX_NOTE_CHARS = 10_000
MAX_SYNC_OPERATIONS = 500
CHANGEABLE = ("label", "start", "end", "note", "text")  # what a create sends, an update changes


class SpanError(ServiceError):
    """A refused span write: 400 for bad input, 404 for a span that is gone, 409 for a text
    mismatch, a stale version or a reused client id (412 for a stale If-Match)."""


class SyncFailed(SpanError):
    """A sync batch stopped at operation ``index``; nothing of the batch was stored."""

    def __init__(self, index: int, op, error: SpanError):
        super().__init__(
            {
                "detail": f"Operation {index} ({op}) failed; nothing of this batch was stored.",
                "failed_index": index,
                "error": error.body,
                # No per-operation results: the operations before the failing one were rolled
                # back too, and a result would suggest otherwise.
            },
            status=409 if error.status in (409, 412) else 400,
        )
        self.index, self.error = index, error


def invalid(field_name: str, message: str) -> SpanError:
    return SpanError({field_name: [message]})


def conflict(body: dict, status: int = 409) -> SpanError:
    return SpanError(body, status=status)


def check_offsets(article: Article, start, end) -> None:
    """Offsets are integers (not bools or floats), 0 <= start < end <= len(text)."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, f"Must be an integer code point offset, got {value!r}.")
        if value < 0:
            raise invalid(name, f"Must not be negative (got {value}).")
    if end <= start:
        raise invalid("end", f"Must be greater than start ({end} <= {start}).")
    length = len(article.text)
    if end > length:
        raise invalid("end", f"Is beyond the end of the text ({end} > {length} code points).")


def check_text(article: Article, start: int, end: int, text) -> None:
    """If the client sent the text it means to label, it must be exactly the server's slice."""
    if text is None:
        return
    actual = article.text[start:end]
    if text != actual:
        raise conflict(
            {
                "text": [
                    f"Does not match the article text at [{start}, {end}) (offsets are Unicode "
                    "code points): the client and server disagree about the text."
                ],
                "sent": text,
                "actual": actual,
            }
        )


def check_note(note) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise invalid("note", "Must be a string.")
    if len(note) > MAX_NOTE_CHARS:
        raise invalid("note", f"Is longer than {MAX_NOTE_CHARS} characters.")
    return note


def resolve_label(article: Article, key, labels: dict | None = None) -> Label:
    """The live label ``key`` of the article's project schema (``labels``: a prefetched map)."""
    if not isinstance(key, str) or not key:
        raise invalid("label", "Give a label key (a string) from the project's schema.")
    if labels is not None:
        label = labels.get(key)
    else:
        label = only_row(Label.objects.filter(schema_id=article.project.schema_id, key=key))
    if label is None:
        raise invalid("label", f"{key!r} is not a label of this project's schema.")
    if label.retired:
        raise invalid("label", f"{key!r} is retired; use another label.")
    return label


def parse_client_id(value):
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise invalid("client_id", f"Must be a UUID, got {value!r}.") from None


def _lock(article: Article) -> None:
    # Serialises span writers per article: the checks below then see every committed span.
    # No ORDER BY: the default ordering joins the project, and FOR UPDATE would then lock the
    # project row too, serialising every writer of the project on it.
    list(Article.objects.select_for_update().filter(pk=article.pk).order_by().values_list("pk"))


def _check_collisions(article, annotator_id, label, start, end, exclude_pk=None, client_id=None):
    """Refuse an identical span in the layer, or any overlap where the project forbids it.

    Returns the span already stored under ``client_id`` (for idempotent replays), if any; the
    same query fetches it.
    """
    in_layer = Q(article_id=article.pk, annotator_id=annotator_id)
    if article.project.allow_overlap:
        clash = in_layer & Q(label_id=label.pk, start=start, end=end)
    else:
        clash = in_layer & Q(start__lt=end, end__gt=start)
    query = clash | Q(client_id=client_id) if client_id is not None else clash
    found = Span.objects.filter(query).exclude(pk=exclude_pk).select_related("label")[:5]
    for span in found:
        if client_id is not None and span.client_id == client_id:
            return span
    for span in found:
        if _same_content(span, label, start, end):
            raise invalid(
                "start",
                f"An identical span ({label.key} at [{start}, {end})) already exists in this "
                f"layer (id {span.pk}).",
            )
        raise invalid(
            "start",
            f"Overlaps span {span.pk} ({span.label.key} at [{span.start}, {span.end})) and this "
            "project does not allow overlapping spans.",
        )
    return None


def _same_content(span: Span, label, start, end) -> bool:
    return span.label_id == label.pk and span.start == start and span.end == end


def _mark_started(article: Article, annotator_id) -> None:
    """The first span moves the writer's assignment from to-do to in progress.

    ``my_status`` (set by the access lookup) saves the query when there is nothing to do; an
    article loaded without it is checked in the database.
    """
    if annotator_id is None or getattr(article, "my_status", AssignmentStatus.TODO) != "todo":
        return
    Assignment.objects.filter(
        article_id=article.pk, annotator_id=annotator_id, status=AssignmentStatus.TODO
    ).update(status=AssignmentStatus.IN_PROGRESS, updated_at=timezone.now())
    article.my_status = AssignmentStatus.IN_PROGRESS


def create_span(
    article: Article,
    annotator_id,
    *,
    label,
    start,
    end,
    client_id=None,
    note=None,
    text=None,
    origin=SpanOrigin.MANUAL,
    origin_model=None,
    labels: dict | None = None,
    locked: bool = False,
) -> tuple[Span, bool]:
    """Create a span in ``annotator_id``'s layer (None: gold); return ``(span, created)``.

    Idempotent on ``client_id``: if a span with that id already exists in the same layer of the
    same article, it is returned with ``created=False`` instead of making a second one (unless
    it was never edited and has other content, which means the client reused an id: 409).
    """
    client_id = parse_client_id(client_id)
    check_offsets(article, start, end)
    label_obj = resolve_label(article, label, labels)
    note = check_note(note)
    check_text(article, start, end, text)

    with _transaction(article, locked):
        existing = None
        if not article.project.allow_overlap:  # a rule, not a constraint: checked under the lock
            existing = _check_collisions(
                article, annotator_id, label_obj, start, end, client_id=client_id
            )
        if existing is None:
            span = Span(article=article, annotator_id=annotator_id, label=label_obj, origin=origin)
            span.origin_model = _origin_model(origin, origin_model)
            span.start, span.end, span.text, span.note = start, end, article.text[start:end], note
            span.client_id = client_id or uuid.uuid4()
            span.created_at = span.updated_at = timezone.now()
            if span_sql.insert(span):  # the usual case: one statement
                _mark_started(article, annotator_id)
                return span, True
            # Refused by a unique constraint: find out why (under the same lock, so it holds).
            existing = _check_collisions(
                article, annotator_id, label_obj, start, end, client_id=client_id
            )
        if existing is None:  # the other span is gone again: a concurrent write
            raise conflict({"client_id": [f"{client_id} was taken meanwhile; send it again."]})
    return _replay(existing, article, annotator_id, label_obj, start, end), False


def _origin_model(origin, origin_model) -> str:
    """The recommender and model version of an accepted recommendation; "" for other origins."""
    if origin != SpanOrigin.RECOMMENDER or origin_model is None:
        return ""
    if not isinstance(origin_model, str) or len(origin_model) > 100:
        raise invalid("origin_model", "Must be a string of at most 100 characters.")
    return origin_model.strip()


def _replay(existing: Span, article, annotator_id, label, start, end) -> Span:
    if existing.article_id != article.pk or existing.annotator_id != annotator_id:
        raise conflict({"client_id": [f"{existing.client_id} is already used by another span."]})
    if existing.version == 1 and not _same_content(existing, label, start, end):
        raise conflict(
            {
                "client_id": [
                    f"{existing.client_id} was already used for a different span "
                    f"({existing.label.key} at [{existing.start}, {existing.end}))."
                ]
            }
        )
    return existing


def check_version(span: Span, version=None, if_match=None) -> None:
    """Refuse a stale write: ``version`` from the body (409) or an If-Match ETag (412)."""
    if if_match is not None:
        if if_match.strip() not in {etag(span), "*"}:
            raise conflict(
                {
                    "version": [
                        f"If-Match {if_match} does not match the span's ETag {etag(span)}; "
                        "reload it and apply your change again."
                    ],
                    "current_version": span.version,
                },
                status=412,
            )
        return
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise invalid("version", f"Must be an integer, got {version!r}.")
    if version != span.version:
        raise conflict(
            {
                "version": [
                    f"The span is at version {span.version}, you sent {version}: someone "
                    "changed it since you read it. Reload it and apply your change again."
                ],
                "current_version": span.version,
            }
        )


def etag(span: Span) -> str:
    return f'"{span.pk}-{span.version}"'


def update_span(
    span: Span,
    *,
    version=None,
    if_match=None,
    changes: dict,
    labels: dict | None = None,
    locked: bool = False,
) -> Span:
    """Apply ``changes`` (label, start, end, note, text) if ``version``/``if_match`` is current.

    A stale write whose changes are already what is stored succeeds (a replayed request);
    any other stale write is a conflict (409, or 412 for If-Match), never a silent overwrite.
    """
    if version is None and if_match is None:
        raise invalid("version", "Send the version you edited (or an If-Match header).")
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise invalid(sorted(unknown)[0], "Is not a field you can change.")
    article = span.article
    start = changes.get("start", span.start)
    end = changes.get("end", span.end)
    check_offsets(article, start, end)
    label = resolve_label(article, changes["label"], labels) if "label" in changes else span.label
    note = check_note(changes["note"]) if "note" in changes else span.note
    check_text(article, start, end, changes.get("text"))

    text_now = article.text[start:end]
    expected = _expected_version(span, version, if_match)
    unchanged = _same_content(span, label, start, end) and span.note == note

    with _transaction(article, locked):
        if unchanged and expected in (span.version, ANY_VERSION):
            return span  # nothing to write
        # The usual case in one statement; its version condition makes a stale write change
        # nothing (the article lock already serialises writers; this holds for callers that
        # skipped it too).
        changes = {
            "label_id": label.pk,
            "start": start,
            "end": end,
            "text": text_now,
            "note": note,
            "updated_at": timezone.now(),
        }
        expected_version = None if expected is ANY_VERSION else expected
        if not span_sql.update(span, changes, expected_version, article.project.allow_overlap):
            if not unchanged:  # a collision (raised here) or a stale version (below)
                _check_collisions(article, span.annotator_id, label, start, end, span.pk)
            current = only_row(Span.objects.select_related("label").filter(pk=span.pk))
            if current is None:
                raise SpanError({"detail": "The span was deleted."}, status=404)
            if _same_content(current, label, start, end) and current.note == note:
                current.article = span.article
                return current  # a replay of a write already applied
            check_version(current, version, if_match)  # raises the conflict
            raise conflict({"version": ["The span changed; reload it."]})
    span.label, span.start, span.end, span.note, span.text = label, start, end, note, text_now
    span.version = (span.version if expected is ANY_VERSION else expected) + 1
    span.updated_at = changes["updated_at"]
    return span


ANY_VERSION = object()  # If-Match: *


def _expected_version(span: Span, version, if_match):
    """The version a write is conditional on, from the body's version or an If-Match ETag."""
    if if_match is not None:
        value = if_match.strip()
        if value == "*":
            return ANY_VERSION
        prefix = f'"{span.pk}-'
        quoted = value.startswith(prefix) and value.endswith('"')
        if quoted and (version := parse_id(value[len(prefix) : -1])) is not None:
            return version
        message = f"If-Match {if_match} is not an ETag of this span ({etag(span)})."
        raise conflict({"version": [message], "current_version": span.version}, status=412)
    if isinstance(version, bool) or not isinstance(version, int):
        raise invalid("version", f"Must be an integer, got {version!r}.")
    return version


@contextmanager
def _transaction(article: Article, locked: bool):
    """The write's transaction: ``locked`` means the caller's transaction already holds the
    article lock (no savepoint then: an error rolls the caller's whole transaction back)."""
    if locked:
        with transaction.atomic(savepoint=False):
            yield
        return
    with transaction.atomic():
        _lock(article)
        yield


def delete_span(span: Span, *, version=None, if_match=None, locked: bool = False) -> None:
    with _transaction(span.article, locked):
        current = only_row(Span.objects.filter(pk=span.pk))
        if current is None:
            return
        check_version(current, version, if_match)
        current.delete()


# --- sync ---------------------------------------------------------------------------------


def sync_spans(article: Article, annotator_id, operations) -> list[dict]:
    """Apply a batch of operations to one layer of an article, all or nothing.

    Each operation is ``{"op": "create", "client_id", "label", "start", "end", "note"?,
    "text"?}``, ``{"op": "update", "id" | "client_id", "version", <changes>}`` or
    ``{"op": "delete", "id" | "client_id", "version"?}``. Returns one result per operation
    (``{"index", "op", "status", "span"?}``). On the first failing operation everything is
    rolled back and :class:`SyncFailed` says which one and why. Replaying a whole batch is
    safe: creates are idempotent, updates already applied succeed, deleting a span that is
    already gone succeeds.
    """
    if not isinstance(operations, list):
        raise invalid("operations", "Must be a list of operations.")
    if not operations:
        raise invalid("operations", "Must contain at least one operation.")
    if len(operations) > MAX_SYNC_OPERATIONS:
        raise invalid("operations", f"At most {MAX_SYNC_OPERATIONS} operations per batch.")
    labels = {
        label.key: label for label in Label.objects.filter(schema_id=article.project.schema_id)
    }
    results: list[dict] = []
    with transaction.atomic():
        _lock(article)
        for index, operation in enumerate(operations):
            try:
                results.append(_apply(article, annotator_id, index, operation, labels))
            except SpanError as error:
                # Leaving the atomic block with an exception rolls back the whole batch.
                kind = operation.get("op") if isinstance(operation, dict) else None
                raise SyncFailed(index, kind, error) from None
    return results


def _apply(article, annotator_id, index, operation, labels) -> dict:
    if not isinstance(operation, dict):
        raise invalid("op", "Each operation must be an object.")
    kind = operation.get("op")
    if kind == "create":
        fields = {k: operation.get(k) for k in CHANGEABLE}
        fields["origin"] = operation.get("origin") or SpanOrigin.MANUAL
        fields["origin_model"] = operation.get("origin_model")
        span, created = create_span(
            article,
            annotator_id,
            client_id=operation.get("client_id"),
            labels=labels,
            locked=True,
            **fields,
        )
        return {"index": index, "op": kind, "status": 201 if created else 200, "span": span}
    if kind not in {"update", "delete"}:
        raise invalid("op", f"Must be create, update or delete, got {kind!r}.")
    span = _find_in_layer(article, annotator_id, operation)
    if span is None:
        if kind == "delete":
            return {"index": index, "op": kind, "status": 204, "existed": False}
        raise SpanError({"id": ["No such span in this layer of the article."]}, status=404)
    if kind == "delete":
        delete_span(span, version=operation.get("version"), locked=True)
        return {"index": index, "op": kind, "status": 204, "existed": True}
    changes = {k: operation[k] for k in CHANGEABLE if k in operation}
    if "version" not in operation:
        raise invalid("version", "Send the version you edited.")
    span = update_span(
        span, version=operation["version"], changes=changes, labels=labels, locked=True
    )
    return {"index": index, "op": kind, "status": 200, "span": span}


def _find_in_layer(article, annotator_id, operation):
    spans = Span.objects.select_related("label").filter(
        article_id=article.pk, annotator_id=annotator_id
    )
    if operation.get("id") is not None:
        span_id = operation["id"]
        if isinstance(span_id, bool) or not isinstance(span_id, int):
            raise invalid("id", f"Must be an integer span id, got {span_id!r}.")
        span = only_row(spans.filter(pk=span_id))
    elif operation.get("client_id") is not None:
        span = only_row(spans.filter(client_id=parse_client_id(operation["client_id"])))
    else:
        raise invalid("id", "Give the span's id or client_id.")
    if span is not None:
        span.article = article
    return span
