"""Export benchmark: a real Celery worker exports a large project from PostgreSQL.

    .venv/bin/python bench/export.py                      # 10,000 then 100,000 articles
    .venv/bin/python bench/export.py --articles 20000      # one size
    .venv/bin/python bench/export.py --formats jsonl       # one format

For each size it creates the database ``annotator_export_bench`` (dropped at the end), migrates
it and fills it with COPY (``annotator.core.bulk``): articles of about 3,000 characters (emoji,
no-break spaces, right-to-left text) with 10 spans each, from two annotators. Then, per format,
it starts a fresh ``celery -A annotator worker --pool=solo``, requests the export through the
export service, waits for it and prints:

- seconds: the build on the worker (Export.started_at to finished_at: query, verify, write,
  zip, publish), and spans/s; CPU s: the worker process's CPU time for it (not its pool
  process's with ``--pool prefork``; PostgreSQL works in processes of its own);
- peak RSS: the worker process's high-water mark (VmHWM), so it includes Celery and Django,
  plus that of its pool process with ``--pool prefork`` (read every 50 ms; pages they share
  are counted twice); PSS: the highest proportional set size of the two together, sampled
  every 100 ms (shared pages counted once);
- floor: the seconds PostgreSQL takes to COPY the same article and span rows to a local file,
  the best of three runs.

Targets (issue #10), one process building: jsonl of 100,000 articles (1,000,000 spans) in at
most 8 s, semeval in at most 12 s, on a quiet machine; peak worker memory under 300 MB and flat
as the corpus grows. Issue #12: parquet no slower than 1.5x jsonl, measured in the same run
(``--formats jsonl,parquet``: the ratio and the load average are printed at the end, since the
machine may be shared), and under 300 MB. The broker is CELERY_BROKER_URL, by default the local
Redis (redis://127.0.0.1:6379/0), on a queue of the bench's own.
"""

import argparse
import contextlib
import hashlib
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "annotator_export_bench"
SPANS_PER_ARTICLE = 10
TEXT_LENGTH = 3000
BATCH = 2000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append", help="size(s) to run")
    parser.add_argument("--formats", default="jsonl,semeval")
    parser.add_argument(
        "--profile", action="store_true", help="build in this process under cProfile instead"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each size's database (<db>_<size>) and reuse it on the next run",
    )
    parser.add_argument("--db", default=DB_NAME, help=f"database name (default {DB_NAME})")
    parser.add_argument(
        "--pool",
        default="solo",
        choices=["solo", "prefork"],
        help="the worker's pool: solo (one process, its CPU and memory measured) or prefork "
        "(as docker-compose.yml runs it; the figures then count the pool's parent process too)",
    )
    args = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    sizes = args.articles or [10_000, 100_000]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    results = []
    try:
        for size in sizes:
            name = f"{args.db}_{size}" if args.keep else args.db
            os.environ["DATABASE_URL"] = f"{SERVER_URL}/{name}"
            reuse = args.keep and database_exists(name)
            if not reuse:
                recreate_database(name)
            import django

            django.setup()
            from django.db import connections

            connections.close_all()
            connections["default"].settings_dict["NAME"] = name
            project_id, spans = existing(size) if reuse else generate(size)
            floor = min(copy_floor(project_id) for _ in range(3))  # the best of 3
            print(f"{size:,} articles, {spans:,} spans; COPY floor {floor:.1f} s", flush=True)
            for fmt in formats:
                if args.profile:
                    profile_export(project_id, fmt)
                    continue
                figures = run_worker_export(project_id, fmt, args.pool)
                figures.update(articles=size, spans=spans, floor=floor, format=fmt)
                results.append(figures)
                print(
                    f"  {fmt}: {figures['seconds']:.1f} s ({figures['cpu']:.1f} s CPU), peak RSS "
                    f"{figures['peak_rss_mb']:.0f} MB (PSS {figures['peak_pss_mb']:.0f} MB), "
                    f"zip {figures['zip_mb']:.0f} MB",
                    flush=True,
                )
            connections.close_all()
            if not args.keep:
                drop_database(name)
    finally:
        if not args.keep:
            drop_database(name)

    print()
    print(
        f"{'format':>8} {'articles':>9} {'spans':>10} {'seconds':>8} {'CPU s':>6} {'spans/s':>10} "
        f"{'floor s':>8} {'x floor':>8} {'peak RSS MB':>12} {'PSS MB':>7} {'zip MB':>7}"
    )
    for r in results:
        print(
            f"{r['format']:>8} {r['articles']:>9,} {r['spans']:>10,} {r['seconds']:>8.1f} "
            f"{r['cpu']:>6.1f} "
            f"{r['spans'] / r['seconds']:>10,.0f} {r['floor']:>8.1f} "
            f"{r['seconds'] / r['floor']:>8.1f} {r['peak_rss_mb']:>12.0f} "
            f"{r['peak_pss_mb']:>7.0f} {r['zip_mb']:>7.0f}"
        )
    print_ratios(results, "jsonl")
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"load average (1, 5, 15 min): {' '.join(load_before)} before, {' '.join(load_after)} after"
    )


def print_ratios(results: list[dict], base: str) -> None:
    """Each format's time against ``base``'s on the same data, in the same run."""
    by_size = {(r["articles"], r["format"]): r for r in results}
    for (size, fmt), r in by_size.items():
        other = by_size.get((size, base))
        if other and fmt != base:
            print(
                f"{fmt} / {base} at {size:,} articles: {r['seconds'] / other['seconds']:.2f}x "
                f"time, {r['cpu'] / other['cpu']:.2f}x CPU"
            )


# --- database ----------------------------------------------------------------------------


def _server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, [name]).fetchone() is not None


def recreate_database(name: str) -> None:
    drop_database(name)
    _server(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    _server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def existing(count: int) -> tuple[int, int]:
    """The project a previous ``--keep`` run generated (its article count must match)."""
    from annotator.annotations.models import Span
    from annotator.corpus.models import Project

    project = Project.objects.get(slug="bench")
    if project.articles.count() != count:
        raise SystemExit(f"kept database has {project.articles.count()} articles, not {count}")
    return project.pk, Span.objects.filter(article__project=project).count()


def sentences(rng: random.Random) -> list[str]:
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10)))
        for _ in range(3000)
    ]
    words += [
        "🔥",
        "café",
        "naïve",
        "no\u00a0break",
        "عادلة",
        "שקר",
        "👨\u200d👩\u200d👧",
        "e\u0301",
    ]
    pool = []
    for _ in range(5000):
        pool.append(" ".join(rng.choices(words, k=rng.randint(8, 20))).capitalize() + ".")
    return pool


def generate(count: int, seed: int = 7) -> tuple[int, int]:
    """A project with ``count`` articles and 10 spans each, inserted with COPY in batches."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from annotator.annotations.models import Span
    from annotator.core.bulk import bulk_insert
    from annotator.core.text import text_checksum
    from annotator.corpus.models import Article, Membership, Project, Role
    from annotator.schemas.services import load_schema

    call_command("migrate", verbosity=0)
    schema = load_schema("semeval2020", name="Bench schema")
    labels = list(schema.labels.values_list("pk", flat=True))
    project = Project.objects.create(slug="bench", name="Bench", schema=schema)
    users = [get_user_model().objects.create_user(f"ann{n}") for n in (1, 2)]
    for user in users:
        Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
    rng = random.Random(seed)
    pool = sentences(rng)
    started = time.perf_counter()
    spans_total = 0
    for first in range(0, count, BATCH):
        articles, texts = [], []
        for n in range(first, min(first + BATCH, count)):
            parts, length = [], 0
            while length < TEXT_LENGTH:
                sentence = rng.choice(pool)
                parts.append(sentence)
                length += len(sentence) + 1
            text = f"Article {n}\n" + " ".join(parts)
            texts.append(text)
            articles.append(
                (
                    project.pk,
                    f"bench-{n}",
                    f"Article {n}",
                    text,
                    text_checksum(text),
                    {"source": "bench", "n": n},
                )
            )
        with transaction.atomic():
            ids = bulk_insert(
                Article,
                ["project_id", "external_id", "title", "text", "text_sha256", "metadata"],
                articles,
                return_ids=True,
            )
            spans = []
            for article_id, text in zip(ids, texts, strict=True):
                for k in range(SPANS_PER_ARTICLE):
                    start = rng.randrange(0, len(text) - 80)
                    end = start + rng.randint(5, 80)
                    spans.append(
                        (
                            article_id,
                            users[k % 2].pk,
                            rng.choice(labels),
                            start,
                            end,
                            text[start:end],
                        )
                    )
            bulk_insert(
                Span, ["article_id", "annotator_id", "label_id", "start", "end", "text"], spans
            )
            spans_total += len(spans)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated {count:,} articles in {time.perf_counter() - started:.1f} s", flush=True)
    return project.pk, spans_total


def copy_floor(project_id: int) -> float:
    """Seconds to COPY the rows an export reads (articles, then their spans) to a file."""
    from django.db import connection

    queries = [
        "COPY (SELECT id, external_id, title, text, metadata, source_url, published, "
        f"original_text FROM corpus_article WHERE project_id = {project_id} ORDER BY id) TO STDOUT",
        "COPY (SELECT s.article_id, s.annotator_id, s.label_id, s.start, s.end, s.text, s.note, "
        "s.origin FROM annotations_span s JOIN corpus_article a ON a.id = s.article_id "
        f"WHERE a.project_id = {project_id} ORDER BY s.article_id, s.start, s.end, s.id) TO STDOUT",
    ]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with open(Path(folder) / "rows.copy", "wb") as out:
            connection.ensure_connection()
            raw = connection.connection
            for sql in queries:
                with raw.cursor().copy(sql) as copy:
                    for block in copy:
                        out.write(block)
        return time.perf_counter() - started


# --- the worker --------------------------------------------------------------------------


def layer_of(fmt: str) -> dict:
    """Both annotators' spans, as the targets were set: in one file where the format names
    the annotator, else one folder each (the same spans; ``all`` is refused there)."""
    from annotator.exports.formats import FORMATS

    return {"layer": "all" if FORMATS[fmt].carries_annotator else "each"}


def run_worker_export(project_id: int, fmt: str, pool: str = "solo") -> dict:
    from django.db import connections

    from annotator.core.jobs import JobStatus
    from annotator.corpus.models import Project
    from annotator.exports.models import Export
    from annotator.exports.services import request_export

    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        queue = f"bench-{os.getpid()}-{fmt}"
        env = {
            **os.environ,
            "ANNOTATOR_VAR_DIR": folder,
            "ANNOTATOR_MEDIA_ROOT": str(Path(folder) / "media"),
            "ANNOTATOR_EXPORT_QUEUE": queue,
            "DJANGO_LOG_LEVEL": "WARNING",
            # production settings, as a deployed worker runs (no query log)
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(32),
            "DJANGO_ALLOWED_HOSTS": "localhost",
        }
        os.environ["ANNOTATOR_EXPORT_QUEUE"] = queue
        cmd = [sys.executable, "-m", "celery", "-A", "annotator", "worker", f"--pool={pool}"]
        cmd += ["--concurrency=1"] if pool == "prefork" else []
        cmd += ["-Q", queue, "-n", f"{queue}@%h", "--without-mingle", "--without-gossip"]
        cmd += ["-l", "WARNING"]
        log = open(Path(folder) / "worker.log", "w")  # noqa: SIM115 (closed below)
        worker = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            cpu_before = wait_until_idle(worker.pid)
            export = request_export(Project.objects.get(pk=project_id), fmt, layer_of(fmt))
            from annotator.exports.tasks import build_export

            build_export.apply_async(args=[export.pk], queue=queue)
            child_peak, pss_peak, polls = 0.0, 0.0, 0
            while True:
                polls += 1
                if polls % 4 == 0:
                    export.refresh_from_db()
                    if export.status in (JobStatus.DONE, JobStatus.FAILED):
                        break
                if worker.poll() is not None:
                    raise SystemExit(f"worker died:\n{Path(folder, 'worker.log').read_text()}")
                child_peak = max(child_peak, children_hwm_mb(worker.pid))
                if polls % 2 == 0:
                    pss_peak = max(pss_peak, pss_mb(worker.pid))
                time.sleep(0.05)
            peak = vm_hwm_mb(worker.pid) + child_peak
            cpu = cpu_seconds(worker.pid) - cpu_before
            if export.status != JobStatus.DONE:
                raise SystemExit(f"export failed: {export.error}")
            path = Path(folder) / "media" / export.file.name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == export.sha256
            seconds = (export.finished_at - export.started_at).total_seconds()
            return {
                "seconds": seconds,
                "cpu": cpu,
                "peak_rss_mb": peak,
                "peak_pss_mb": pss_peak,
                "zip_mb": export.size / 1e6,
            }
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            log.close()
            Export.objects.all().delete()
            connections.close_all()


def profile_export(project_id: int, fmt: str) -> None:
    import cProfile
    import pstats

    from annotator.corpus.models import Project
    from annotator.exports.build import build_zip
    from annotator.exports.options import clean_options

    project = Project.objects.get(pk=project_id)
    with tempfile.TemporaryDirectory() as folder:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        opts = clean_options(project, fmt, layer_of(fmt))
        profiler.runcall(build_zip, project, opts, f"{folder}/x.zip")
        print(f"  {fmt}: {time.perf_counter() - started:.1f} s in this process (profiled)")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process and its finished children have used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_hwm_mb(pid: int) -> float:
    """The summed peak resident memory of the process's children now running (a prefork
    worker's pool process), in MB; shared pages are counted in both processes."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(OSError, RuntimeError):
                total += vm_hwm_mb(int(child))
    return total


def pss_mb(pid: int) -> float:
    """The proportional set size of the process and its children now (pages they share
    counted once, split between them), in MB."""
    pids = [pid] + [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    total = 0.0
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
    return total


def wait_until_idle(pid: int) -> float:
    """Wait for the worker to finish starting (its CPU time stops moving); return that time."""
    last = -1.0
    while True:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return now
        last = now


def vm_hwm_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


if __name__ == "__main__":
    main()
