"""Import benchmark: JSONL articles with spans into a fresh PostgreSQL database.

    .venv/bin/python bench/import.py                   # 10,000 then 100,000 articles
    .venv/bin/python bench/import.py --articles 20000   # one size
    .venv/bin/python bench/import.py --profile          # + the top of a cProfile of the import
    .venv/bin/python bench/import.py --fast             # the opt-in fast path (no FK triggers)
    .venv/bin/python bench/import.py --plain-role       # as a role that is not a superuser

For each size it writes a JSONL file (about 3,000 characters and 10 spans an article, with emoji
and no-break spaces) to a temporary folder, creates the database ``annotator_bench`` (dropped at
the end), migrates it and imports the file in a separate process through the same service the
``import_articles`` command uses. It prints articles/s, seconds and that process's peak memory
(the RSS high-water mark, so each size runs in a process of its own), plus the CPU seconds of
the Python process and of its PostgreSQL backend (wall time on a busy machine measures the
other work too), and the mode: "FK triggers" (the normal path), or with ``--fast`` "fast path"
when the role may skip PostgreSQL's foreign-key triggers (a superuser, as ``postgres`` here).
Targets: 100,000 articles in at most 60 s on the normal path, 30 s with ``--fast``; peak
memory under 300 MB and the same at every size. ``BENCH_DB`` names the database (default
``annotator_bench``), for runs side by side.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "annotator_bench")
# --plain-role: a role that may not set session_replication_role, owner of the bench database
PLAIN_ROLE = "annotator_bench_plain"
LABELS = [
    ("loaded_language", "Loaded_Language"),
    ("name_calling", "Name_Calling,Labeling"),
    ("doubt", "Doubt"),
    ("flag_waving", "Flag-Waving"),
    ("whataboutism", "Whataboutism,Straw_Men,Red_Herring"),
]
SPANS_PER_ARTICLE = 10
TEXT_LENGTH = 3000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append", help="size(s) to run")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument(
        "--plain-role",
        action="store_true",
        help=f"import as {PLAIN_ROLE}, not a superuser: the path with foreign-key triggers",
    )
    parser.add_argument("--fast", action="store_true", help="ask for the import's fast path")
    parser.add_argument("--child", metavar="JSONL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_import(Path(args.child), args.profile, args.plain_role, args.fast)

    sizes = args.articles or [10_000, 100_000]
    results = []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        for size in sizes:
            path = Path(folder) / f"articles-{size}.jsonl"
            started = time.perf_counter()
            generate(path, size)
            mb, seconds = path.stat().st_size / 1e6, time.perf_counter() - started
            print(f"generated {size:,} articles ({mb:,.0f} MB) in {seconds:.1f} s")
            recreate_database(args.plain_role)
            try:
                command = [sys.executable, __file__, "--child", str(path)]
                if args.profile:
                    command.append("--profile")
                if args.plain_role:
                    command.append("--plain-role")
                if args.fast:
                    command.append("--fast")
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            finally:
                drop_database()
            *lines, last = out.strip().splitlines()
            print("\n".join(lines)) if lines else None
            results.append(json.loads(last))
            path.unlink()
    print()
    print(
        f"{'articles':>10} {'spans':>10} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12} "
        f"{'Python CPU s':>13} {'PG backend CPU s':>17}  mode"
    )
    for r in results:
        backend = "n/a" if r["backend_cpu"] is None else f"{r['backend_cpu']:.1f}"
        print(
            f"{r['articles']:>10,} {r['spans']:>10,} {r['seconds']:>8.1f} "
            f"{r['articles'] / r['seconds']:>11,.0f} {r['peak_rss_mb']:>12.0f} "
            f"{r['python_cpu']:>13.1f} {backend:>17}  {r['mode']}"
        )
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def generate(path: Path, count: int, seed: int = 11) -> None:
    """Write ``count`` articles line by line (never the whole file in memory)."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10)))
        for _ in range(2000)
    ]
    words += ["🔥", "café", "naïve", "no\u00a0break", "عادلة", "שקר", "👨\u200d👩\u200d👧"]
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            parts, length = [], 0
            while length < TEXT_LENGTH:
                word = rng.choice(words)
                parts.append(word)
                length += len(word) + 1
            text = " ".join(parts)
            spans = []
            for _ in range(SPANS_PER_ARTICLE):
                start = rng.randrange(0, len(text) - 60)
                end = start + rng.randint(5, 60)
                spans.append({"start": start, "end": end, "label": rng.choice(LABELS)[1]})
            line = {
                "id": f"bench-{n}",
                "title": f"Article {n}: {parts[0]} {parts[1]}",
                "text": text,
                "url": f"https://example.org/news/{n}",
                "published": "2020-01-31",
                "meta": {"source": "bench", "n": n},
                "spans": spans,
            }
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")


def _server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(plain_role: bool = False) -> None:
    drop_database()
    if plain_role:
        _server(f"CREATE ROLE {PLAIN_ROLE} LOGIN NOSUPERUSER")
        _server(f"CREATE DATABASE {DB_NAME} OWNER {PLAIN_ROLE}")
    else:
        _server(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _server(f"DROP ROLE IF EXISTS {PLAIN_ROLE}")


def _database_url(plain_role: bool) -> str:
    if not plain_role:
        return f"{SERVER_URL}/{DB_NAME}"
    scheme, rest = SERVER_URL.split("://", 1)
    return f"{scheme}://{PLAIN_ROLE}@{rest.rsplit('@', 1)[-1]}/{DB_NAME}"


def run_import(path: Path, profile: bool, plain_role: bool = False, fast: bool = False) -> None:
    """In the child process: set Django up on the bench database, import, print JSON figures."""
    import resource

    os.environ["DATABASE_URL"] = _database_url(plain_role)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from annotator.corpus.models import Project
    from annotator.imports.service import import_paths

    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="bench", name="Bench", schema=make_schema())

    cpu_before, backend_before = _cpu_seconds(), _backend_cpu_seconds()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        report = profiler.runcall(import_paths, project, [path], annotator="bench", fast=fast)
        seconds = time.perf_counter() - started
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(25)
    else:
        report = import_paths(project, [path], annotator="bench", fast=fast)
        seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"import failed: {[str(e) for f in report.failed for e in f.errors]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    backend_after = _backend_cpu_seconds()
    figures = {
        "articles": report.articles_created,
        "spans": report.spans_created,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "python_cpu": _cpu_seconds() - cpu_before,
        "backend_cpu": None if backend_after is None else backend_after - backend_before,
        # PostgreSQL's foreign-key triggers skipped (the role may), or checked row by row
        "mode": "fast path" if all(f.fast_path for f in report.files) else "FK triggers",
    }
    print(json.dumps(figures))


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend process, when the server is local: on a
    machine shared with other work, CPU seconds say more than wall seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_schema():
    """The semeval2020 preset through the schema service; a few labels directly if it is absent."""
    try:
        from annotator.schemas.services import load_schema

        return load_schema("semeval2020", name="Bench schema")
    except ImportError:
        pass
    from annotator.schemas.models import Label, LabelSchema

    schema = LabelSchema.objects.create(name="Bench schema")
    for order, (key, official) in enumerate(LABELS):
        Label.objects.create(
            schema=schema, key=key, name=key.replace("_", " ").title(), official_label=official,
            order=order,
        )  # fmt: skip
    return schema


if __name__ == "__main__":
    main()
