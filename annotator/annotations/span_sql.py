"""Hand-written SQL for the hot paths of the span API (create, update, list a layer).

Building and compiling ORM queries cost most of a span create's CPU; these statements are
written once per process (table and column names from the models, quoted for the backend) and
run with parameters. They are portable between PostgreSQL and SQLite, so that the tests of
both backends run them. The rules stay in the service (annotator.annotations.spans) and the
permissions module: these functions only fetch rows and store one.
"""

from functools import cache

from django.db import connection

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Assignment, Membership, Project
from annotator.schemas.models import Label


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


@cache
def _article_access_sql(vendor: str, lock: bool) -> str:
    a, p, m, s, label = (_col(Article, "id"), _col(Project, "id"), _col(Membership, "user"),
                         _col(Assignment, "annotator"), _col(Label, "key"))  # fmt: skip
    lock = " FOR UPDATE OF a" if lock and connection.features.has_select_for_update_of else ""
    return (
        f"SELECT a.{a}, a.{_col(Article, 'project')}, a.{_col(Article, 'text')}, "
        f"p.{_col(Project, 'schema')}, p.{_col(Project, 'allow_overlap')}, "
        f"m.{_col(Membership, 'role')}, s.{_col(Assignment, 'status')}, "
        f"l.{_col(Label, 'id')}, l.{_col(Label, 'retired')} "
        f"FROM {_table(Article)} a "
        f"JOIN {_table(Project)} p ON p.{p} = a.{_col(Article, 'project')} "
        f"LEFT JOIN {_table(Membership)} m ON m.{_col(Membership, 'project')} = "
        f"a.{_col(Article, 'project')} AND m.{m} = %s "
        f"LEFT JOIN {_table(Assignment)} s ON s.{_col(Assignment, 'article')} = a.{a} "
        f"AND s.{s} = %s "
        f"LEFT JOIN {_table(Label)} l ON l.{_col(Label, 'schema')} = p.{_col(Project, 'schema')} "
        f"AND l.{label} = %s "
        f"WHERE a.{a} = %s{lock}"
    )


def load_article_access(user_id, article_id, label_key=None, *, lock: bool = False):
    """The article with ``my_role``/``my_status`` and a one-entry label map, in one query
    (what ``permissions.check_article_access`` then judges).

    ``lock`` locks the article row (only that row) until the end of the transaction, as the
    span service's writers do. Returns ``(article, labels)``, or ``(None, {})`` for no such
    article.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _article_access_sql(connection.vendor, lock),
            [user_id, user_id, label_key if isinstance(label_key, str) else None, article_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None, {}
    pk, project_id, text, schema_id, allow_overlap, role, status, label_id, retired = row
    article = Article(id=pk, project_id=project_id, text=text)
    article.project = Project(id=project_id, schema_id=schema_id, allow_overlap=bool(allow_overlap))
    article.my_role, article.my_status = role, status
    labels = {}
    if label_id is not None:
        labels[label_key] = Label(id=label_id, schema_id=schema_id, key=label_key,
                                  retired=bool(retired))  # fmt: skip
    return article, labels


INSERT_FIELDS = ("article", "annotator", "label", "start", "end", "text", "note", "client_id",
                 "origin", "version", "created_at", "updated_at")  # fmt: skip


@cache
def _insert_sql(vendor: str, gold: bool, allow_overlap: bool) -> str:
    columns = ", ".join(_col(Span, name) for name in INSERT_FIELDS)
    # PostgreSQL types the parameters of a SELECT list itself; say what they are.
    casts = {"client_id": "::uuid", "created_at": "::timestamptz", "updated_at": "::timestamptz"}
    values = ", ".join(
        "%s" + (casts.get(name, "") if vendor == "postgresql" else "") for name in INSERT_FIELDS
    )
    return (
        f"INSERT INTO {_table(Span)} ({columns}) SELECT {values} WHERE NOT EXISTS ("
        f"{_clash_sql(gold, allow_overlap)}) ON CONFLICT ({_col(Span, 'client_id')}) DO NOTHING "
        f"RETURNING {_col(Span, 'id')}"
    )


def insert_unless_clash(span: Span, allow_overlap: bool):
    """INSERT ``span`` unless its layer has a colliding span or its client id is taken.

    Returns the new id, or None when nothing was stored: the caller then looks for the
    colliding span or the earlier span with this client id (a replay) to answer.
    """
    fields = [Span._meta.get_field(name) for name in INSERT_FIELDS]
    values = [field.get_db_prep_save(getattr(span, field.attname), connection) for field in fields]
    params = [*values, *_clash_params(span, allow_overlap)]
    sql = _insert_sql(connection.vendor, span.annotator_id is None, allow_overlap)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


SPAN_FIELDS = ("id", "article", "annotator", "label", "start", "end", "text", "note", "client_id",
               "origin", "version", "created_at", "updated_at")  # fmt: skip


@cache
def _span_target(vendor: str):
    """The statement of :func:`load_span_target` and the converters of its span columns."""
    fields = [Span._meta.get_field(name) for name in SPAN_FIELDS]
    a, s = _col(Article, "id"), _col(Assignment, "annotator")
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    sql = (
        "SELECT " + ", ".join(f"x.{connection.ops.quote_name(f.column)}" for f in fields) + ", "
        f"cur.{_col(Label, 'key')}, cur.{_col(Label, 'retired')}, "
        f"a.{_col(Article, 'project')}, a.{_col(Article, 'text')}, "
        f"p.{_col(Project, 'schema')}, p.{_col(Project, 'allow_overlap')}, "
        f"m.{_col(Membership, 'role')}, asg.{_col(Assignment, 'status')}, "
        f"l.{_col(Label, 'id')}, l.{_col(Label, 'retired')} "
        f"FROM {_table(Span)} x "
        f"JOIN {_table(Label)} cur ON cur.{_col(Label, 'id')} = x.{_col(Span, 'label')} "
        f"JOIN {_table(Article)} a ON a.{a} = x.{_col(Span, 'article')} "
        f"JOIN {_table(Project)} p ON p.{_col(Project, 'id')} = a.{_col(Article, 'project')} "
        f"LEFT JOIN {_table(Membership)} m ON m.{_col(Membership, 'project')} = "
        f"a.{_col(Article, 'project')} AND m.{_col(Membership, 'user')} = %s "
        f"LEFT JOIN {_table(Assignment)} asg ON asg.{_col(Assignment, 'article')} = a.{a} "
        f"AND asg.{s} = %s "
        f"LEFT JOIN {_table(Label)} l ON l.{_col(Label, 'schema')} = p.{_col(Project, 'schema')} "
        f"AND l.{_col(Label, 'key')} = %s "
        f"WHERE x.{_col(Span, 'id')} = %s{lock}"
    )
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col("x")
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, col, found))
    return sql, [field.attname for field in fields], converters


def load_span_target(user_id, span_id, label_key):
    """A span with its label and article (``my_role``/``my_status`` set, project loaded) and a
    one-entry map of the label ``label_key``, in one query that locks the span's article row.

    Returns ``(span, labels)``, or ``(None, {})`` for no such span.
    """
    sql, names, converters = _span_target(connection.vendor)
    with connection.cursor() as cursor:
        key = label_key if isinstance(label_key, str) else None
        cursor.execute(sql, [user_id, user_id, key, span_id])
        row = cursor.fetchone()
    if row is None:
        return None, {}
    count = len(names)
    values = list(row[:count])
    for index, col, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], col, connection)
    span = Span.from_db(connection.alias, names, values)
    (label_key_now, label_retired, project_id, text, schema_id, allow_overlap, role, status,
     label_id, retired) = row[count:]  # fmt: skip
    span.label = Label(id=span.label_id, schema_id=schema_id, key=label_key_now,
                       retired=bool(label_retired))  # fmt: skip
    article = Article(id=span.article_id, project_id=project_id, text=text)
    article.project = Project(id=project_id, schema_id=schema_id, allow_overlap=bool(allow_overlap))
    article.my_role, article.my_status = role, status
    span.article = article
    labels = {}
    if label_id is not None:
        labels[key] = Label(id=label_id, schema_id=schema_id, key=key, retired=bool(retired))
    return span, labels


UPDATE_FIELDS = ("label", "start", "end", "text", "note", "updated_at")


@cache
def _update_sql(vendor: str, versioned: bool, check: bool, gold: bool, allow_overlap: bool):
    sets = ", ".join(f"{_col(Span, name)} = %s" for name in UPDATE_FIELDS)
    version, pk = _col(Span, "version"), _col(Span, "id")
    sql = f"UPDATE {_table(Span)} SET {sets}, {version} = {version} + 1 WHERE {pk} = %s"
    if versioned:
        sql += f" AND {version} = %s"
    if check:
        sql += f" AND NOT EXISTS ({_clash_sql(gold, allow_overlap)} AND {pk} <> %s)"
    return sql


def _clash_sql(gold: bool, allow_overlap: bool) -> str:
    """Spans of a layer that a span may not be stored next to (parameters: _clash_params)."""
    layer = f"{_col(Span, 'annotator')} IS NULL" if gold else f"{_col(Span, 'annotator')} = %s"
    start, end = _col(Span, "start"), _col(Span, "end")
    if allow_overlap:
        clash = f"{_col(Span, 'label')} = %s AND {start} = %s AND {end} = %s"
    else:
        clash = f"{start} < %s AND {end} > %s"
    return (
        f"SELECT 1 FROM {_table(Span)} WHERE {_col(Span, 'article')} = %s AND {layer} AND {clash}"
    )


def _clash_params(span: Span, allow_overlap: bool) -> list:
    params = [span.article_id]
    if span.annotator_id is not None:
        params.append(span.annotator_id)
    if allow_overlap:
        return [*params, span.label_id, span.start, span.end]
    return [*params, span.end, span.start]


def update_unless_clash(span: Span, version, allow_overlap: bool, check_collisions: bool) -> int:
    """Write ``span``'s label, range, text, note and updated_at to its row and add one to its
    version, if the row is at ``version`` (None: any) and (``check_collisions``) its layer has
    no colliding span. Returns the number of rows written (0 or 1)."""
    fields = [Span._meta.get_field(name) for name in UPDATE_FIELDS]
    params = [field.get_db_prep_save(getattr(span, field.attname), connection) for field in fields]
    params.append(span.pk)
    if version is not None:
        params.append(version)
    if check_collisions:
        params += [*_clash_params(span, allow_overlap), span.pk]
    sql = _update_sql(connection.vendor, version is not None, check_collisions,
                      span.annotator_id is None, allow_overlap)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@cache
def _layer_sql(vendor: str, scope: str) -> str:
    """The spans of an article (``scope``: ``all`` layers, one ``user``'s, or the ``gold``
    layer) in the model's order, each row the values of ``serializers.SPAN_JSON_KEYS``.

    The database writes the values as the API shows them (client id, layer, ISO timestamps):
    converting a thousand rows in Python took most of the CPU of listing a layer."""

    def col(name: str) -> str:
        return f"x.{_col(Span, name)}"

    client_id = col("client_id")
    if vendor == "postgresql":
        client_id = f"{client_id}::text"
        # datetime.isoformat(): microseconds only when not zero
        fmt = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'"
        stamps = [f"replace(to_char({col(n)} AT TIME ZONE 'UTC', {fmt}), '.000000', '') || 'Z'"
                  for n in ("created_at", "updated_at")]  # fmt: skip
    else:  # SQLite: Django keeps UUIDs as 32 hex digits, datetimes as UTC isoformat(" ")
        client_id = "||'-'||".join(
            f"substr({client_id}, {start}, {length})"
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        )
        stamps = [f"replace({col(n)}, ' ', 'T') || 'Z'" for n in ("created_at", "updated_at")]
    layer = f"CASE WHEN {col('annotator')} IS NULL THEN 'gold' ELSE 'annotator' END"
    columns = [col("id"), client_id, col("article"), col("annotator"), layer,
               f"l.{_col(Label, 'key')}", col("start"), col("end"), col("text"), col("note"),
               col("origin"), col("version"), *stamps]  # fmt: skip
    where = f"{col('article')} = %s"
    if scope == "user":
        where += f" AND {col('annotator')} = %s"
    elif scope == "gold":
        where += f" AND {col('annotator')} IS NULL"
    return (
        f"SELECT {', '.join(columns)} FROM {_table(Span)} x "
        f"JOIN {_table(Label)} l ON l.{_col(Label, 'id')} = {col('label')} "
        f"WHERE {where} ORDER BY {col('start')}, {col('end')}, {col('id')}"
    )


def layer_rows(article_id: int, annotator_id: int | None, every_layer: bool = False) -> list:
    """The spans of one layer of an article (``annotator_id`` None: the gold layer), or of
    every layer, as rows of the values of ``serializers.SPAN_JSON_KEYS``."""
    if every_layer:
        scope, params = "all", [article_id]
    elif annotator_id is None:
        scope, params = "gold", [article_id]
    else:
        scope, params = "user", [article_id, annotator_id]
    with connection.cursor() as cursor:
        cursor.execute(_layer_sql(connection.vendor, scope), params)
        return cursor.fetchall()
