"""Fast bulk inserts: COPY on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_insert(Model, fields, rows)`` takes plain tuples in the order of ``fields`` (attnames, so
``article_id`` for a foreign key) and fills every other column once per call: ``auto_now`` /
``auto_now_add`` timestamps get "now", the rest their field default. Model ``save()`` methods
and signals do NOT run, so callers compute what ``save()`` would (e.g. ``Article.text_sha256``).

With ``return_ids=True`` the new primary keys come back in row order, so dependent rows (spans of
just-inserted articles) can reference them. On PostgreSQL they are reserved from the table's
sequence before the COPY (COPY cannot return anything); on SQLite they are the next free ones
(the transaction holds SQLite's write lock); elsewhere they come from bulk_create.

With ``check_foreign_keys=False`` (PostgreSQL, inside a transaction, after
:func:`foreign_key_checks_skippable` said yes) the COPY runs with
``session_replication_role = replica``: PostgreSQL's per-row foreign-key triggers, more than half
of the server's work in a bulk load, do not fire. The caller then guarantees every reference
itself (see ``annotator/imports/service.py``).
"""

import queue
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, nullcontext

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    return_ids: bool = False,
    check_foreign_keys: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> list[int] | None:
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return [] if return_ids else None
    vendor = connections[using].vendor
    if vendor == "postgresql":
        return _copy_insert(model, list(fields), rows, return_ids, check_foreign_keys, using)
    if vendor == "sqlite":
        return _sqlite_insert(model, list(fields), rows, return_ids, using)
    return _bulk_create(model, list(fields), rows, return_ids, using)


def reserve_ids(model: type[models.Model], count: int, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Take ``count`` values from the primary key's sequence (PostgreSQL only)."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _filled_fields(model, fields: list[str]) -> tuple[list[models.Field], tuple]:
    """The concrete fields the caller did not give, and the value each gets in every row."""
    given = set(fields)
    now = timezone.now()
    extra, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append(now)
        elif field.has_default() or field.null or field.empty_strings_allowed:
            values.append(field.get_default())  # the default, else None or ""
        else:
            raise ValueError(f"bulk_insert({model.__name__}): no value for {field.attname!r}")
        extra.append(field)
    return extra, tuple(values)


def _copy_insert(model, fields, rows, return_ids, check_foreign_keys, using):
    """COPY in binary format: no text escaping of long texts on our side, no parsing of numbers
    and timestamps on the server's; psycopg dumps each value by its column's type."""
    opts = model._meta
    connection = connections[using]
    extra, extra_values = _filled_fields(model, fields)
    columns = [opts.get_field(name).column for name in fields] + [f.column for f in extra]
    ids = None
    if return_ids:
        ids = reserve_ids(model, len(rows), using)
        columns.insert(0, opts.pk.column)
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) "
        "FROM STDIN (FORMAT BINARY)"
    )
    types = _column_types(connection, opts.db_table, columns)
    # wrap_database_errors: psycopg's errors become Django's, as for every ORM query
    with (
        nullcontext() if check_foreign_keys else _foreign_key_triggers_off(connection),
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        copy.set_types(types)
        write_row = copy.write_row
        if ids is not None:
            for pk, row in zip(ids, rows, strict=True):
                write_row((pk, *row, *extra_values))
        else:
            for row in rows:
                write_row((*row, *extra_values))
    return ids


def foreign_key_checks_skippable(
    model: type[models.Model],
    references: Iterable[type[models.Model]],
    using: str = DEFAULT_DB_ALIAS,
) -> bool:
    """Whether ``bulk_insert(model, ..., check_foreign_keys=False)`` may run here: PostgreSQL,
    inside a transaction, the role may set ``session_replication_role`` (a superuser, or
    ``GRANT SET ON PARAMETER session_replication_role`` on PostgreSQL >= 15), and the only
    things that fire on INSERT into ``model``'s table are foreign-key checks against the tables
    of ``references`` (the ones the caller vouches for). ``session_replication_role = replica``
    skips every ordinary trigger and rule, not only foreign keys: a trigger or rule added to the
    table later (an audit trigger, a search-vector trigger) turns this off rather than being
    skipped silently, unless it is enabled ALWAYS (then replica mode runs it too, as the
    workload counts' triggers are). CHECK, NOT NULL and unique constraints are not triggers and
    always run.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return False
    tables = [connection.ops.quote_name(m._meta.db_table) for m in references]
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]  # PostgreSQL's wrapper
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
        # tgtype & 4: fires on INSERT; RI_FKey_check_ins: the check a FOREIGN KEY installs on
        # the referencing table; tgenabled 'D': disabled, 'A': always (replica mode runs it).
        # ev_type '3': an ON INSERT rule.
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "  LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint "
            "  WHERE t.tgrelid = %s::regclass AND t.tgenabled NOT IN ('D', 'A') "
            "  AND t.tgtype & 4 <> 0 "
            "  AND NOT (p.proname = 'RI_FKey_check_ins' "
            "           AND c.confrelid = ANY(%s::regclass[]))) "
            "+ (SELECT count(*) FROM pg_rewrite WHERE ev_class = %s::regclass AND ev_type = '3')",
            [
                connection.ops.quote_name(model._meta.db_table),
                tables,
                connection.ops.quote_name(model._meta.db_table),
            ],
        )
        return cursor.fetchone()[0] == 0


@contextmanager
def _foreign_key_triggers_off(connection):
    """``SET LOCAL session_replication_role = replica`` for one COPY, ``origin`` again right
    after it. If the COPY fails the transaction (or savepoint) is rolled back, which undoes
    the SET LOCAL too, so the setting never outlives the statement it was made for."""
    if not connection.in_atomic_block:
        raise RuntimeError("check_foreign_keys=False needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")


def _column_types(connection, table: str, columns: list[str]) -> list[int]:
    """The type oid of each column, for binary COPY."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [connection.ops.quote_name(table)],
        )
        by_name = dict(cursor.fetchall())
    return [by_name[column] for column in columns]


def _sqlite_insert(model, fields, rows, return_ids, using):
    """One ``executemany`` through Django's cursor; ids are the next free ones: the caller's
    transaction holds SQLite's write lock (settings use BEGIN IMMEDIATE). Not ``bulk_create``:
    with DEBUG on (the embedded default) Django's query log keeps the text of each statement
    with its values, hundreds of MB for batches of 3 KB articles; for ``executemany`` it keeps
    the statement once, without values (a 30,000-article import stays at 82 MB)."""
    opts = model._meta
    connection = connections[using]
    extra, extra_values = _filled_fields(model, fields)
    given = [opts.get_field(name) for name in fields]
    adapt = [_sqlite_adapter(field, connection) for field in given]
    adapt_given = [(i, fn) for i, fn in enumerate(adapt) if fn is not None]
    extra_values = tuple(
        value if fn is None else fn(value)
        for field, value in zip(extra, extra_values, strict=True)
        for fn in [_sqlite_adapter(field, connection)]
    )
    columns = [f.column for f in given + extra]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    ids = None
    with connection.cursor() as cursor:
        if return_ids:
            pk = quote(opts.pk.column)
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"coalesce((SELECT max({pk}) FROM {table}), 0))",
                [opts.db_table],
            )
            (last,) = cursor.fetchone()
            ids = list(range(last + 1, last + 1 + len(rows)))
            columns.insert(0, opts.pk.column)

        def prepared():
            for n, row in enumerate(rows):
                if adapt_given:
                    row = list(row)
                    for i, fn in adapt_given:
                        row[i] = fn(row[i])
                yield (ids[n], *row, *extra_values) if ids is not None else (*row, *extra_values)

        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            prepared(),
        )
    return ids


_PLAIN_SQLITE_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _sqlite_adapter(field, connection):
    """None when sqlite3 takes the Python value as it is, else Django's conversion."""
    if isinstance(field, _PLAIN_SQLITE_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _bulk_create(model, fields, rows, return_ids, using):
    objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.using(using).bulk_create(objs, batch_size=500)
    return [obj.pk for obj in objs] if return_ids else None


def use_fast_compression(using: str = DEFAULT_DB_ALIAS) -> None:
    """PostgreSQL: compress large text values written by this transaction with lz4 instead of
    pglz, several times faster for bulk loads (PostgreSQL >= 14, when built with lz4).
    Reading is unaffected: each value records its own compression method."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


@contextmanager
def planned_each_time(using: str = DEFAULT_DB_ALIAS):
    """PostgreSQL: no prepared statements while a bulk load runs (settings turn them on for
    statements a connection repeats). A statement that the load repeats, such as the batch's
    existing external ids, would be prepared with the plan of a table still near empty (a
    sequential scan) and keep it while the table grows inside the load's transaction, whose rows
    no statistics see: 100,000 articles took 79 s instead of 27 s (bench/import.py)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    threshold = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = threshold


@contextmanager
def immediate_constraints(using: str = DEFAULT_DB_ALIAS):
    """PostgreSQL: check deferrable constraints (Django's foreign keys) row by row while a bulk
    load runs instead of queueing every check for COMMIT, where they would run after all the
    work, unoverlapped, and hold one queued event per row in server memory. Django's default
    (all deferred) is restored afterwards."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Not after an error: the transaction is being rolled back (and may be aborted already).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class BackgroundWriter:
    """Runs ``write(batch)`` calls in a thread that shares this thread's database connection
    (and so its transaction), while the caller prepares the next batch: parsing in Python and
    inserting in the database then overlap, on two cores. One batch waits at most, so memory
    stays bounded. Only on PostgreSQL (the writer waits on the server with the GIL released);
    elsewhere ``put`` writes at once.

    The caller must not use the connection between ``put`` calls and ``close()``; ``close()``
    waits for the last batch and re-raises the writer's exception, if any.
    """

    def __init__(self, write, using: str = DEFAULT_DB_ALIAS):
        self._write = write
        self._using = using
        self._error: BaseException | None = None
        self._thread = None
        connection = connections[using]
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self._connection = connection
            self._queue: queue.Queue = queue.Queue(maxsize=1)
            connection.inc_thread_sharing()
            self._thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True)
            self._thread.start()

    def put(self, batch) -> None:
        if self._thread is None:
            self._write(batch)
            return
        if self._error is not None:
            self.close()
        self._queue.put(batch)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
            self._connection.dec_thread_sharing()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        # The ORM in this thread must use the caller's connection, inside its transaction.
        connections[self._using] = self._connection
        try:
            while (batch := self._queue.get()) is not None:
                if self._error is None:
                    try:
                        self._write(batch)
                    except BaseException as exc:  # handed to the caller by close()
                        self._error = exc
        finally:
            del connections[self._using]
