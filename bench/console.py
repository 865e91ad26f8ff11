"""Manager console benchmark, on PostgreSQL.

    .venv/bin/python bench/console.py                    # both parts, 100,000 articles
    .venv/bin/python bench/console.py --articles 20000   # a smaller project
    .venv/bin/python bench/console.py --only lists       # or: --only upload

1. Upload: the same JSONL file (bench/import.py's articles: ~3,000 characters and 10 spans each)
   is imported once by ``manage.py import_articles`` and once uploaded to
   ``POST /api/v1/projects/<slug>/imports/`` on a gunicorn server (one worker) and imported by a
   Celery worker (solo pool), each into a fresh database; the upload's time runs from the POST
   to the import job's detail saying done (polled every 0.2 s). Prints both times, their ratio
   (target: the upload within 1.3x the command) and the peak memory (RSS high-water mark) of the
   command's process, of the gunicorn worker and of the Celery worker (target: under 300 MB,
   flat with the file's size). The broker is CELERY_BROKER_URL's (Redis), or else the embedded
   one under a temporary folder.
2. Lists: a project of that many articles, 5 annotators, 2 assignments an article and 4 spans
   an assignment, filled by COPY. Then the manager's article list (first page, a page deep in
   the list, a search, a filter by status and annotator) and the workload table, each requested
   50 times through Django in this process; prints the p50 and p95 server time per request
   (target: p95 under 100 ms).

``BENCH_DB`` names the database (default ``annotator_bench_console``; dropped at the end). The
machine's load is printed: on a shared machine the figures are an upper bound.
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "annotator_bench_console")
ANNOTATORS = 5
PER_ARTICLE = 2
SPANS_PER_ASSIGNMENT = 4
REQUESTS = 50


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--only", choices=["upload", "lists"])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.only in (None, "upload"):
        upload_bench(args.articles)
    if args.only in (None, "lists"):
        lists_bench(args.articles)
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


# --- helpers ----------------------------------------------------------------------------------


def _server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_database() -> dict:
    _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _server(f"CREATE DATABASE {DB_NAME}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER_URL}/{DB_NAME}",
        "DJANGO_DEBUG": "1",
        # the 100,000-article file is ~380 MB: above the default upload limit of 200 MB
        "ANNOTATOR_IMPORT_MAX_UPLOAD_MB": "1024",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return env


def drop_database() -> None:
    _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def child(action: str, *rest: str) -> None:
    """Django set up on the bench database (DATABASE_URL), in a process of its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if action == "setup-project":
        from django.contrib.auth import get_user_model

        from annotator.corpus.projects import project_create

        user = get_user_model().objects.create_user("bench", password="bench-password-1")
        user.is_superuser = True  # creates projects; manager of this one
        user.save()
        project_create(
            user=user,
            data={"name": "Bench", "slug": "bench"},
            schema_source={"presets": ["semeval2020"]},
        )
    elif action == "import":
        import resource

        from django.core.management import call_command

        started = time.perf_counter()
        call_command("import_articles", rest[0], project="bench", annotator="bench", verbosity=0)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_rss_mb": peak}))
    elif action == "lists":
        lists_child(int(rest[0]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- 1. upload --------------------------------------------------------------------------------


def upload_bench(articles: int) -> None:
    from importlib import import_module

    generate = import_module("import").generate  # bench/import.py's articles
    with tempfile.TemporaryDirectory(prefix="console-bench-") as folder:
        path = Path(folder) / "articles.jsonl"
        generate(path, articles)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {articles:,} articles, {size_mb:,.0f} MB")
        try:
            env = fresh_database()
            run_child(env, "setup-project")
            command = json.loads(run_child(env, "import", str(path)).strip().splitlines()[-1])
            print(f"import_articles: {command['seconds']:.1f} s, {command['peak_rss_mb']:.0f} MB")
            env = fresh_database()
            run_child(env, "setup-project")
            upload = upload_through_api(env, path, Path(folder))
        finally:
            drop_database()
    ratio = upload["seconds"] / command["seconds"]
    print(f"{'':24} {'seconds':>8} {'peak RSS MB':>12}")
    print(f"{'import_articles':24} {command['seconds']:>8.1f} {command['peak_rss_mb']:>12.0f}")
    print(f"{'upload (API + worker)':24} {upload['seconds']:>8.1f}")
    print(
        f"{'  request (gunicorn)':24} {upload['request_seconds']:>8.1f} {upload['web_mb']:>12.0f}"
    )
    print(
        f"{'  import job (Celery)':24} {upload['job_seconds']:>8.1f} {upload['worker_mb']:>12.0f}"
    )
    print(
        f"upload / command: {ratio:.2f} (target <= 1.3); {upload['articles']:,} articles imported"
    )


def run_child(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def upload_through_api(env: dict, path: Path, folder: Path) -> dict:
    import requests

    queue = f"bench-imports-{os.getpid()}"  # no other worker takes the job
    env = {
        **env,
        "ANNOTATOR_VAR_DIR": str(folder / "var"),
        "ANNOTATOR_IMPORT_QUEUE": queue,
        "ANNOTATOR_MEDIA_ROOT": str(folder / "media"),
    }
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "annotator.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "1200",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    log = folder / "worker.log"
    with log.open("w") as out:
        celery = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "annotator",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-l",
                "INFO",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        session = requests.Session()
        deadline = time.monotonic() + 60
        while True:
            try:
                session.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        while " ready." not in log.read_text():
            if time.monotonic() > deadline or celery.poll() is not None:
                raise SystemExit(f"the Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        worker = worker_pid(server.pid)
        headers = {"Authorization": f"Token {run_token(env)}"}
        url = f"http://127.0.0.1:{port}/api/v1/projects/bench/imports/"
        started = time.perf_counter()
        with path.open("rb") as handle:
            response = session.post(
                url,
                files={"file": (path.name, handle, "application/octet-stream")},
                headers=headers,
                timeout=1200,
            )
        answered = time.perf_counter()
        if response.status_code != 201:
            raise SystemExit(f"upload failed: {response.status_code} {response.text[:500]}")
        while (job := session.get(f"{url}{response.json()['id']}/", headers=headers).json())[
            "status"
        ] not in ("done", "failed"):
            time.sleep(0.2)
        ended = time.perf_counter()
        if job["status"] != "done" or not job["report"]["ok"]:
            raise SystemExit(f"the import failed: {job['message']}")
        return {
            "seconds": ended - started,
            "request_seconds": answered - started,
            "job_seconds": ended - answered,
            "web_mb": peak_rss_mb(worker),
            "worker_mb": peak_rss_mb(celery.pid),
            "articles": job["report"]["articles_created"],
        }
    finally:
        for process in (server, celery):
            process.terminate()
            process.wait(30)


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker")


def run_token(env: dict) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'annotator.settings');"
        "django.setup(); from annotator.core.tokens import create_token;"
        "from django.contrib.auth import get_user_model;"
        "print(create_token(get_user_model().objects.get(username='bench')).key)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return out.strip().splitlines()[-1]


# --- 2. lists ---------------------------------------------------------------------------------


def lists_bench(articles: int) -> None:
    try:
        env = fresh_database()
        run_child(env, "setup-project")
        print(run_child(env, "lists", str(articles)), end="")
    finally:
        drop_database()


def lists_child(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from annotator.annotations.models import Span
    from annotator.core.bulk import bulk_insert
    from annotator.corpus.models import Article, Assignment, Membership, Project, Role

    rng = random.Random(5)
    project = Project.objects.get(slug="bench")
    labels = list(project.schema.labels.values_list("pk", flat=True))
    User = get_user_model()
    annotators = [User.objects.create_user(f"annotator{i}") for i in range(ANNOTATORS)]
    Membership.objects.bulk_create(
        Membership(user=user, project=project, role=Role.ANNOTATOR) for user in annotators
    )
    started = time.perf_counter()
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20
    statuses = ["todo", "in_progress", "done", "done", "skipped"]
    for base in range(0, count, 10_000):
        ids = bulk_insert(
            Article,
            [
                "project_id",
                "external_id",
                "title",
                "text",
                "original_text",
                "source_url",
                "metadata",
                "text_sha256",
                "batch",
            ],
            [
                (
                    project.pk,
                    f"a{n}",
                    f"Article {n} about topic {n % 97}",
                    text,
                    "",
                    "",
                    {},
                    "x",
                    f"batch-{n // 25_000}",
                )
                for n in range(base, min(base + 10_000, count))
            ],
            return_ids=True,
        )
        assignments, spans = [], []
        for i, article_id in enumerate(ids):
            first = (base + i) % ANNOTATORS
            for k in range(PER_ARTICLE):
                user = annotators[(first + k) % ANNOTATORS]
                assignments.append((article_id, user.pk, rng.choice(statuses)))
                for j in range(SPANS_PER_ASSIGNMENT):  # distinct starts: no identical spans
                    start = j * 100 + rng.randrange(0, 80)
                    end = start + rng.randint(3, 20)
                    spans.append(
                        (
                            article_id,
                            user.pk,
                            rng.choice(labels),
                            start,
                            end,
                            text[start:end],
                            "manual",
                        )
                    )
        bulk_insert(Assignment, ["article_id", "annotator_id", "status"], assignments)
        bulk_insert(
            Span,
            ["article_id", "annotator_id", "label_id", "start", "end", "text", "origin"],
            spans,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"project: {count:,} articles, {ANNOTATORS} annotators, "
        f"{Assignment.objects.count():,} assignments, {Span.objects.count():,} spans "
        f"(filled in {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    someone = annotators[2].pk
    deep = count // 50 // 2  # a page in the middle of the list (50 a page)
    cases = [
        ("article list, first page", "/api/v1/projects/bench/articles/"),
        ("article list, middle page", f"/api/v1/projects/bench/articles/?page={deep}"),
        ("article list, search", "/api/v1/projects/bench/articles/?q=topic%2042"),
        (
            "article list, status+annotator",
            f"/api/v1/projects/bench/articles/?assignment_status=skipped&annotator={someone}",
        ),
        ("article list page (HTML)", "/projects/bench/articles/"),
        ("workload (API)", "/api/v1/projects/bench/workload/"),
        ("assign page with workload", "/projects/bench/assign/"),
    ]
    print(f"{'request':34} {'p50 ms':>8} {'p95 ms':>8}")
    for name, url in cases:
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        print(f"{name:34} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
