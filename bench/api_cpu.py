"""CPU per API request, in process: the WSGI application called in a loop against PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_perf .venv/bin/python bench/api_cpu.py
    ... bench/api_cpu.py --requests 2000 --profile 25     # also print the top cProfile entries
    ... bench/api_cpu.py --profile 25 --profile-op list   # ... of another operation

Wall time on a shared machine says little; CPU time does not depend on the load of others. For
span create, update and list it prints the CPU milliseconds per request of this process (Django,
DRF, psycopg) and of its PostgreSQL backend (read from /proc, same machine), and the number of
SQL queries per request. The database named in DATABASE_URL is dropped and recreated.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The benchmark's settings (bench/api.py): production, with a user rate the loop cannot exceed.
SETTINGS_DIR = ROOT / "var" / "bench-api"
SETTINGS_DIR.mkdir(parents=True, exist_ok=True)
sys.path[:0] = [str(SETTINGS_DIR), str(ROOT / "bench")]
from api import BENCH_SETTINGS, LABELS, make_text  # noqa: E402

(SETTINGS_DIR / "bench_api_settings.py").write_text(BENCH_SETTINGS)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_api_settings"
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + uuid.uuid4().hex + uuid.uuid4().hex)
os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile rows")
    parser.add_argument(
        "--profile-op",
        default="create",
        choices=["create", "update", "list", "sync x10"],
        help="the operation to profile (default create)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is recreated).")
    recreate(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    # One backend for the whole run, so that its CPU can be read (production recycles after 60 s).
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.close()
    token, article_id, text = seed(make_text, LABELS)

    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    auth = f"Token {token}"
    rng = random.Random(1)
    state = {"slot": 0, "spans": []}

    def call(method, path, body=None):
        payload = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": auth,
            "CONTENT_TYPE": "application/json" if body is not None else "",
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status = []
        chunks = app(environ, lambda s, h, exc_info=None: status.append(s))
        data = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return int(status[0].split()[0]), data

    base = f"/api/v1/articles/{article_id}/spans/"

    def create():
        state["slot"] += 1
        start = state["slot"] % (len(text) - 1)
        end = min(start + 1 + (state["slot"] // (len(text) - 1)) % 40, len(text))
        body = {
            "client_id": str(uuid.uuid4()),
            "label": rng.choice(LABELS),
            "start": start,
            "end": end,
            "text": text[start:end],
        }
        code, data = call("POST", base, body)
        assert code == 201, (code, data)
        state["spans"].append(json.loads(data))

    def update():
        span = rng.choice(state["spans"])
        code, data = call(
            "PATCH",
            f"/api/v1/spans/{span['id']}/",
            {"note": f"n{time.time()}", "version": span["version"]},
        )
        assert code == 200, (code, data)
        span["version"] = json.loads(data)["version"]

    def listing():
        code, data = call("GET", base)
        assert code == 200, (code, data)

    def sync10():
        ops = []
        for _ in range(10):
            state["slot"] += 1
            start = state["slot"] % (len(text) - 1)
            end = min(start + 1 + (state["slot"] // (len(text) - 1)) % 40, len(text))
            ops.append(
                {
                    "op": "create",
                    "client_id": str(uuid.uuid4()),
                    "label": LABELS[0],
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                }
            )
        code, data = call("POST", base + "sync/", {"operations": ops})
        assert code == 200, (code, data)

    for _ in range(50):  # warm up: imports, connection, caches
        create()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    print(
        f"{'operation':>10} {'requests':>8} {'app CPU ms':>10} {'app p10 ms':>12} "
        f"{'db CPU ms':>9} {'queries':>7}"
    )
    for name, func, count in (
        ("create", create, args.requests),
        ("update", update, args.requests // 2),
        ("list", listing, max(args.requests // 20, 20)),
        ("sync x10", sync10, max(args.requests // 20, 20)),
    ):
        with CaptureQueriesContext(connection) as captured:
            func()
        queries = len(captured)
        if os.environ.get("BENCH_SQL"):
            print("\n".join(q["sql"][:300] for q in captured.captured_queries))
        reset_queries()
        profiled = args.profile and name == args.profile_op
        profiler = cProfile.Profile(time.process_time) if profiled else None
        cpu0, db0 = time.process_time(), backend_cpu(backend)
        if profiler:
            profiler.enable()
        batches = []  # CPU per request of batches of 10: the best is the least disturbed by others
        for done in range(0, count, 10):
            batch0 = time.process_time()
            for _ in range(min(10, count - done)):
                func()
            batches.append((time.process_time() - batch0) / min(10, count - done))
        if profiler:
            profiler.disable()
        app_ms = (time.process_time() - cpu0) * 1000 / count
        db_ms = (backend_cpu(backend) - db0) * 1000 / count
        best = sorted(batches)[len(batches) // 10] * 1000  # 10th percentile
        print(
            f"{name:>10} {count:>8} {app_ms:>10.2f} {best:>12.2f} {db_ms:>9.2f} {queries:>7}",
            flush=True,
        )
        if profiler:
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.profile)
                print(out.getvalue())
    if args.profile:
        print(f"({args.profile_op} figures include cProfile overhead)")


def recreate(url: str):
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def seed(make_text, labels):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotator.corpus.models import Article, Assignment, Membership, Project, Role
    from annotator.schemas.models import Label, LabelSchema

    schema = LabelSchema.objects.create(name="bench")
    for i, key in enumerate(labels):
        Label.objects.create(schema=schema, key=key, name=key, order=i)
    project = Project.objects.create(slug="bench", name="Bench", schema=schema)
    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
    article = Article.objects.create(
        project=project, external_id="b", text=make_text(random.Random(5))
    )
    Assignment.objects.create(article=article, annotator=user)
    return Token.objects.create(user=user).key, article.pk, article.text


if __name__ == "__main__":
    main()
