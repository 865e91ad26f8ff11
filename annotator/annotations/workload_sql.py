"""The triggers that keep WorkloadCount, as literal SQL for PostgreSQL and SQLite.

Measured on a 100,000-article project with 5 annotators (200,000 assignments, 800,000 spans,
bench/console.py): counting them per request took 460 ms (p50) on PostgreSQL; reading the
counts takes a few. Every write to ``corpus_assignment`` and ``annotations_span`` goes through a
trigger, so the counts hold whatever writes the rows (the API, imports' COPY, the admin,
``QuerySet.update``). On PostgreSQL the triggers run once per statement over its transition
tables (one grouped UPSERT for a COPY of thousands of spans), enabled ALWAYS so that the import's
fast path (``session_replication_role = replica``) runs them too; on SQLite once per row.

Decrements are plain UPDATEs: when a whole project or user is deleted, Django may delete the
counts before the rows they count, and a decrement then has nothing to change. Gold spans
(annotator NULL) are not counted. ``tests/test_workload.py`` compares the counts with a plain
count after every kind of write.
"""

STATUSES = ("todo", "in_progress", "done", "skipped")
COUNTS = "annotations_workloadcount"

# --- PostgreSQL: statement-level triggers over transition tables --------------------------------


def _pg_status_sums(rows: str) -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE {rows}.status = '{status}') AS {status}" for status in STATUSES
    )


POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION workload_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE {COUNTS} AS w SET
      {", ".join(f"{s} = w.{s} - d.{s}" for s in STATUSES)},
      last_activity = CASE WHEN TG_OP = 'DELETE' THEN greatest(w.last_activity, now())
                           ELSE w.last_activity END
    FROM (SELECT a.project_id, o.annotator_id, {_pg_status_sums("o")}
          FROM old_rows o JOIN corpus_article a ON a.id = o.article_id
          GROUP BY a.project_id, o.annotator_id) AS d
    WHERE w.project_id = d.project_id AND w.annotator_id = d.annotator_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {COUNTS} AS w (project_id, annotator_id, {", ".join(STATUSES)}, spans,
                              last_activity)
    SELECT a.project_id, n.annotator_id, {_pg_status_sums("n")}, 0, max(n.updated_at)
    FROM new_rows n JOIN corpus_article a ON a.id = n.article_id
    GROUP BY a.project_id, n.annotator_id
    ON CONFLICT (project_id, annotator_id) DO UPDATE SET
      {", ".join(f"{s} = w.{s} + EXCLUDED.{s}" for s in STATUSES)},
      last_activity = greatest(w.last_activity, EXCLUDED.last_activity);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION workload_spans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE {COUNTS} AS w SET spans = w.spans - d.n,
                             last_activity = greatest(w.last_activity, now())
    FROM (SELECT a.project_id, o.annotator_id, count(*) AS n
          FROM old_rows o JOIN corpus_article a ON a.id = o.article_id
          WHERE o.annotator_id IS NOT NULL
          GROUP BY a.project_id, o.annotator_id) AS d
    WHERE w.project_id = d.project_id AND w.annotator_id = d.annotator_id;
  ELSE
    INSERT INTO {COUNTS} AS w (project_id, annotator_id, {", ".join(STATUSES)}, spans,
                              last_activity)
    SELECT a.project_id, n.annotator_id, 0, 0, 0, 0,
           CASE WHEN TG_OP = 'INSERT' THEN count(*) ELSE 0 END, max(n.updated_at)
    FROM new_rows n JOIN corpus_article a ON a.id = n.article_id
    WHERE n.annotator_id IS NOT NULL
    GROUP BY a.project_id, n.annotator_id
    ON CONFLICT (project_id, annotator_id) DO UPDATE SET
      spans = w.spans + EXCLUDED.spans,
      last_activity = greatest(w.last_activity, EXCLUDED.last_activity);
  END IF;
  RETURN NULL;
END $$;
"""


def _pg_triggers(table: str, function: str) -> str:
    statements = []
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        name = f"{function}_{event.lower()}"
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
        # ALWAYS: also under session_replication_role = replica (the import's opt-in fast path,
        # core.bulk), which skips ordinary triggers; the counts must not miss those rows.
        statements.append(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name};")
    return "\n".join(statements)


POSTGRES_INSTALL = (
    POSTGRES_FUNCTIONS
    + _pg_triggers("corpus_assignment", "workload_assignments")
    + "\n"
    + _pg_triggers("annotations_span", "workload_spans")
)
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS workload_assignments_insert ON corpus_assignment;
DROP TRIGGER IF EXISTS workload_assignments_update ON corpus_assignment;
DROP TRIGGER IF EXISTS workload_assignments_delete ON corpus_assignment;
DROP TRIGGER IF EXISTS workload_spans_insert ON annotations_span;
DROP TRIGGER IF EXISTS workload_spans_update ON annotations_span;
DROP TRIGGER IF EXISTS workload_spans_delete ON annotations_span;
DROP FUNCTION IF EXISTS workload_assignments();
DROP FUNCTION IF EXISTS workload_spans();
"""

# --- SQLite: row-level triggers ----------------------------------------------------------------


def _sqlite_add(row: str, *, spans: str, statuses: bool) -> str:
    status_values = (
        ", ".join(f"({row}.status = '{s}')" for s in STATUSES) if statuses else "0, 0, 0, 0"
    )
    return f"""
  INSERT INTO {COUNTS} (project_id, annotator_id, {", ".join(STATUSES)}, spans, last_activity)
  SELECT a.project_id, {row}.annotator_id, {status_values}, {spans}, {row}.updated_at
  FROM corpus_article a WHERE a.id = {row}.article_id
  ON CONFLICT (project_id, annotator_id) DO UPDATE SET
    {", ".join(f"{s} = {s} + excluded.{s}" for s in STATUSES)},
    spans = spans + excluded.spans,
    last_activity = max(coalesce(last_activity, ''), excluded.last_activity);"""


def _sqlite_subtract(row: str, *, statuses: bool) -> str:
    changes = (
        ", ".join(f"{s} = {s} - ({row}.status = '{s}')" for s in STATUSES)
        if statuses
        else "spans = spans - 1"
    )
    return f"""
  UPDATE {COUNTS} SET {changes},
    last_activity = max(coalesce(last_activity, ''), strftime('%Y-%m-%d %H:%M:%f', 'now'))
  WHERE annotator_id = {row}.annotator_id
    AND project_id = (SELECT project_id FROM corpus_article WHERE id = {row}.article_id);"""


SQLITE_INSTALL = [
    f"""CREATE TRIGGER workload_assignments_insert AFTER INSERT ON corpus_assignment BEGIN
{_sqlite_add("NEW", spans="0", statuses=True)}
END;""",
    f"""CREATE TRIGGER workload_assignments_update AFTER UPDATE ON corpus_assignment BEGIN
{_sqlite_subtract("OLD", statuses=True)}
{_sqlite_add("NEW", spans="0", statuses=True)}
END;""",
    f"""CREATE TRIGGER workload_assignments_delete AFTER DELETE ON corpus_assignment BEGIN
{_sqlite_subtract("OLD", statuses=True)}
END;""",
    f"""CREATE TRIGGER workload_spans_insert AFTER INSERT ON annotations_span
WHEN NEW.annotator_id IS NOT NULL BEGIN
{_sqlite_add("NEW", spans="1", statuses=False)}
END;""",
    f"""CREATE TRIGGER workload_spans_update AFTER UPDATE ON annotations_span
WHEN NEW.annotator_id IS NOT NULL BEGIN
{_sqlite_add("NEW", spans="0", statuses=False)}
END;""",
    f"""CREATE TRIGGER workload_spans_delete AFTER DELETE ON annotations_span
WHEN OLD.annotator_id IS NOT NULL BEGIN
{_sqlite_subtract("OLD", statuses=False)}
END;""",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "workload_assignments_insert",
        "workload_assignments_update",
        "workload_assignments_delete",
        "workload_spans_insert",
        "workload_spans_update",
        "workload_spans_delete",
    )
]


def install(schema_editor) -> None:
    """Create the triggers for this database (a migration's RunPython)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_INSTALL)
    else:
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)


def remove(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE)
    else:
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)
