"""Hand-written SQL for the span API's hot paths: create, update and list a layer.

Measured with bench/api_cpu.py against the same functions written with querysets (CPU of the
web process per request, PostgreSQL 15, two runs each, 2026-12-04, shared 2-core machine):
create 2.1 ms here against 5.5 ms through the ORM, update 2.3-3.1 against 5.1-5.6 ms, and
listing a layer of 2,050 spans 8.5-9.0 against 78-87 ms (model instances, then JSON in Python).

Each statement is literal SQL, as it runs. Only the span's own column list comes from
``Span._meta`` (:data:`FIELDS`), so that a new field of the model is stored, read back and
listed with no change here (tests/test_span_fields.py checks every representation of a span).
The statements are portable between PostgreSQL and SQLite, so the tests of both backends run
them. The rules stay in the service (annotator.annotations.spans): these functions only fetch
rows and store one.
"""

from functools import cache

from django.db import connection

from annotator.annotations.models import Span
from annotator.core.queries import from_row
from annotator.corpus.models import Article, Project
from annotator.schemas.models import Label

FIELDS = tuple(Span._meta.concrete_fields)
INSERTED = tuple(field for field in FIELDS if not field.primary_key)
BY_ATTNAME = {field.attname: field for field in FIELDS}


def _columns(fields, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{field.column}"' for field in fields)


# The article ``a``'s project, the caller's (%(user)s) membership and assignment, and the label
# %(label)s of the project's schema; ACCESS_COLUMNS are what _access() reads.
ACCESS_JOINS = """
JOIN corpus_project p ON p.id = a.project_id
LEFT JOIN corpus_membership m ON m.project_id = a.project_id AND m.user_id = %(user)s
LEFT JOIN corpus_assignment asg ON asg.article_id = a.id AND asg.annotator_id = %(user)s
LEFT JOIN schemas_label l ON l.schema_id = p.schema_id AND l.key = %(label)s"""
ACCESS_COLUMNS = (
    "a.id, a.project_id, a.text, p.schema_id, p.allow_overlap, m.role, asg.status, l.id, l.retired"
)

ARTICLE_ACCESS = f"""
SELECT {ACCESS_COLUMNS}
FROM corpus_article a {ACCESS_JOINS}
WHERE a.id = %(article)s"""

SPAN_TARGET = f"""
SELECT {_columns(FIELDS, "s")}, cur.key, cur.retired, {ACCESS_COLUMNS}
FROM annotations_span s
JOIN schemas_label cur ON cur.id = s.label_id
JOIN corpus_article a ON a.id = s.article_id {ACCESS_JOINS}
WHERE s.id = %(span)s"""

# Serialises span writers per article (only that row: not the project's, which every writer
# of the project would then queue on). SQLite has one writer at a time anyway.
LOCK_ARTICLE = " FOR UPDATE OF a"

# Refused by the unique constraints on an identical span in the layer or a taken client id.
INSERT = f"""
INSERT INTO annotations_span ({_columns(INSERTED)})
VALUES ({", ".join(f"%({field.attname})s" for field in INSERTED)})
ON CONFLICT DO NOTHING
RETURNING id"""

# Written unless the row has moved on from %(version)s (NULL: any version) or the span would
# sit next to an identical span of its layer or, where the project forbids it, overlap one.
UPDATE = """
UPDATE annotations_span
SET label_id = %(label_id)s, start = %(start)s, "end" = %(end)s, text = %(text)s,
    note = %(note)s, updated_at = %(updated_at)s, version = version + 1
WHERE id = %(id)s
  AND (%(version)s IS NULL OR version = %(version)s)
  AND NOT EXISTS (
    SELECT 1 FROM annotations_span o
    WHERE o.article_id = %(article_id)s AND o.id <> %(id)s
      AND (o.annotator_id = %(annotator_id)s
           OR (o.annotator_id IS NULL AND %(annotator_id)s IS NULL))
      AND ((o.label_id = %(label_id)s AND o.start = %(start)s AND o."end" = %(end)s)
           OR (NOT %(allow_overlap)s AND o.start < %(end)s AND o."end" > %(start)s)))"""

# The spans of an article, of one layer (%(annotator)s, NULL: gold) or of all (%(every)s), each
# row the values of serializers.SPAN_JSON_KEYS as the API writes them.
LAYER = """
SELECT {columns}, CASE WHEN s.annotator_id IS NULL THEN 'gold' ELSE 'annotator' END
FROM annotations_span s
JOIN schemas_label l ON l.id = s.label_id
WHERE s.article_id = %(article)s
  AND (%(every)s OR s.annotator_id = %(annotator)s
       OR (s.annotator_id IS NULL AND %(annotator)s IS NULL))
ORDER BY s.start, s."end", s.id"""


def load_article_access(user_id, article_id, label_key=None, *, lock: bool = False):
    """The article with ``my_role``/``my_status`` and a one-entry label map, in one query
    (what ``permissions.check_article_access`` then judges).

    ``lock`` locks the article row until the end of the transaction, as the span service's
    writers do. Returns ``(article, labels)``, or ``(None, {})`` for no such article.
    """
    key = label_key if isinstance(label_key, str) else None
    sql = ARTICLE_ACCESS + (LOCK_ARTICLE if lock and _lock_of() else "")
    row = _fetch(sql, {"user": user_id, "label": key, "article": article_id})
    return _access(row, key) if row else (None, {})


def load_span_target(user_id, span_id, label_key):
    """A span with its label and article (``my_role``/``my_status`` set, project loaded) and a
    one-entry map of the label ``label_key``, in one query that locks the span's article row.

    Returns ``(span, labels)``, or ``(None, {})`` for no such span.
    """
    key = label_key if isinstance(label_key, str) else None
    sql = SPAN_TARGET + (LOCK_ARTICLE if _lock_of() else "")
    row = _fetch(sql, {"user": user_id, "label": key, "span": span_id})
    if row is None:
        return None, {}
    span = from_row(Span, row[: len(FIELDS)])
    label_key_now, label_retired = row[len(FIELDS) : len(FIELDS) + 2]
    article, labels = _access(row[len(FIELDS) + 2 :], key)
    span.label = Label(
        id=span.label_id,
        schema_id=article.project.schema_id,
        key=label_key_now,
        retired=bool(label_retired),
    )
    span.article = article
    return span, labels


def insert(span: Span) -> bool:
    """INSERT ``span`` (its primary key is set) unless a unique constraint refuses it: its
    layer has the identical span or its client id is taken. False then, and nothing stored:
    the caller looks for the identical span or the earlier span with this client id (a replay)."""
    params = {f.attname: f.get_db_prep_save(getattr(span, f.attname), connection) for f in INSERTED}
    row = _fetch(INSERT, params)
    if row is None:
        return False
    span.pk = row[0]
    span._state.adding, span._state.db = False, connection.alias
    return True


def update(span: Span, changes: dict, version: int | None, allow_overlap: bool) -> bool:
    """Write ``changes`` (label_id, start, end, text, note, updated_at) to ``span``'s row and
    add one to its version, if the row is at ``version`` (None: any) and its layer has no span
    it would collide with. Returns whether the row was written."""
    params = {
        name: BY_ATTNAME[name].get_db_prep_save(value, connection)
        for name, value in changes.items()
    }
    params.update(
        id=span.pk,
        version=version,
        article_id=span.article_id,
        annotator_id=span.annotator_id,
        allow_overlap=allow_overlap,
    )
    with connection.cursor() as cursor:
        cursor.execute(UPDATE, params)
        return cursor.rowcount == 1


def layer_rows(article_id: int, annotator_id: int | None, every_layer: bool = False) -> list:
    """The spans of one layer of an article (``annotator_id`` None: the gold layer), or of
    every layer, as rows of the values of ``serializers.SPAN_JSON_KEYS``."""
    params = {"article": article_id, "annotator": annotator_id, "every": every_layer}
    with connection.cursor() as cursor:
        cursor.execute(_layer_sql(connection.vendor), params)
        return cursor.fetchall()


@cache
def _layer_sql(vendor: str) -> str:
    """LAYER with each span column as the API writes it: the database formats client ids and
    timestamps (converting a thousand rows in Python took most of the CPU of a list)."""
    return LAYER.format(columns=", ".join(_json_column(field, vendor) for field in FIELDS))


def _json_column(field, vendor: str) -> str:
    column = f's."{field.column}"'
    if field.name == "label":
        return "l.key"
    if field.get_internal_type() == "UUIDField":
        if vendor == "postgresql":
            return f"{column}::text"
        # SQLite: Django keeps UUIDs as 32 hex digits
        parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        return " || '-' || ".join(f"substr({column}, {at}, {n})" for at, n in parts)
    if field.get_internal_type() == "DateTimeField":  # as datetime.isoformat() in UTC, and Z
        if vendor == "postgresql":  # microseconds only when not zero, as isoformat()
            iso = f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')"""
            return f"replace({iso}, '.000000', '') || 'Z'"
        return f"replace({column}, ' ', 'T') || 'Z'"  # SQLite: UTC isoformat(" ")
    return column


def _fetch(sql: str, params: dict):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _lock_of() -> bool:
    return connection.features.has_select_for_update_of


def _access(row, label_key):
    """(article, labels) from the ACCESS_COLUMNS of a row."""
    pk, project_id, text, schema_id, allow_overlap, role, status, label_id, retired = row
    article = Article(id=pk, project_id=project_id, text=text)
    article.project = Project(id=project_id, schema_id=schema_id, allow_overlap=bool(allow_overlap))
    article.my_role, article.my_status = role, status
    labels = {}
    if label_id is not None:
        labels[label_key] = Label(
            id=label_id, schema_id=schema_id, key=label_key, retired=bool(retired)
        )
    return article, labels
