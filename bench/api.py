"""API benchmark: gunicorn on PostgreSQL, concurrent HTTP clients creating, updating and listing
spans.

    .venv/bin/python bench/api.py                      # 1, 8 and 32 clients, 10 s each
    .venv/bin/python bench/api.py --clients 8 --seconds 5 --workers 4 --threads 1
    .venv/bin/python bench/api.py --batch 10           # creates through sync, 10 per request

It creates the database ``annotator_bench_api`` (dropped at the end), migrates it, makes one
annotator per client with an API token and an assigned article of 5,000 characters (emoji and
no-break spaces included), and starts gunicorn (production settings, DEBUG off, throttling on
with a rate high enough not to refuse the benchmark, counted in Redis: ``REDIS_URL``, by default
redis://127.0.0.1:6379/1). Each client is a thread with its own keep-alive connection that
loops for the given time: create a span (with a client id and the text it expects), every
third round change one of its spans (with its version), every fifth list its spans. Per
concurrency level it prints p50/p95/p99 latency per operation and requests/s and span
writes/s. Afterwards it reads every acknowledged span back from the database and checks that
it is there with the acknowledged version: no acknowledged write may be lost.

Targets: span create p95 <= 30 ms at 8 clients; >= 400 span writes/s at 32 clients.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "annotator_bench_api"
LABELS = ["loaded_language", "name_calling", "doubt", "flag_waving"]
TEXT_LENGTH = 5000
BENCH_SETTINGS = """
from annotator.settings import *  # noqa: F403

# The benchmark's clients would exceed the per-user rate; the throttle still runs (cache hits).
RATES = {"anon": "120/min", "user": "1000000/min"}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, action="append", help="concurrency level(s)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per level")
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="create spans through the sync endpoint, this many per request (as the browser "
        "flushes its queue) instead of one create per request",
    )
    args = parser.parse_args()
    levels = args.clients or [1, 8, 32]

    database_url = f"{SERVER_URL}/{DB_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        # the rate limits' counters in Redis, as in production (docker-compose.yml)
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
        "PYTHONPATH": f"{ROOT}/var/bench-api{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
    }
    settings_dir = ROOT / "var" / "bench-api"
    settings_dir.mkdir(parents=True, exist_ok=True)
    (settings_dir / "bench_api_settings.py").write_text(BENCH_SETTINGS)

    recreate_database()
    server = None
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
        print("migrated", flush=True)
        seed = run([sys.executable, __file__, "--seed", str(max(levels))], env, capture=True)
        users = json.loads(seed.strip().splitlines()[-1])
        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads)
        wait_until_up(port)
        workers, threads = gunicorn_shape(args.workers, args.threads)
        print(f"gunicorn: {workers} workers x {threads} threads on 127.0.0.1:{port}\n")
        all_acked = {}
        summaries = []
        for level in levels:
            summary, acked = run_level(port, users[:level], args.seconds, server.pid, args.batch)
            summaries.append(summary)
            all_acked.update(acked)
        missing, stale = verify(env, all_acked)
        print_table(summaries)
        print(
            f"\nacknowledged spans: {len(all_acked):,}; missing afterwards: {missing}; "
            f"with an older version than acknowledged: {stale}"
        )
        if missing or stale:
            sys.exit(1)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        drop_database()


# --- setup ------------------------------------------------------------------------------------


def run(command, env, capture=False):
    result = subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout if capture else None


def admin_connection():
    import psycopg

    return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True)


def recreate_database():
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database():
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def make_text(rng: random.Random) -> str:
    words = [
        "the",
        "enemy",
        "is",
        "evil",
        "🔥",
        "heroes",
        "fight",
        "for",
        "freedom",
        "👨‍👩‍👧",
        "e\u0301lite",
        "lies",
        "truth",
        "100%",
        "catastrophe",
        "מלחמה",
        "حرب",
    ]
    out = []
    while sum(len(w) + 1 for w in out) < TEXT_LENGTH:
        out.append(rng.choice(words))
    return "\u00a0".join(out[:3]) + " " + " ".join(out[3:])


def seed(count: int):
    """In a child process with the bench settings: users, tokens, articles, assignments."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotator.corpus.models import Article, Assignment, Membership, Project, Role
    from annotator.schemas.models import Label, LabelSchema

    rng = random.Random(5)
    schema = LabelSchema.objects.create(name="bench")
    for i, key in enumerate(LABELS):
        Label.objects.create(schema=schema, key=key, name=key, order=i)
    project = Project.objects.create(slug="bench", name="Bench", schema=schema)
    users = []
    for i in range(count):
        user = get_user_model().objects.create_user(f"bench{i}")
        Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
        article = Article.objects.create(project=project, external_id=f"b{i}", text=make_text(rng))
        Assignment.objects.create(article=article, annotator=user)
        token = Token.objects.create(user=user).key
        users.append({"token": token, "article": article.pk, "text": article.text})
    print(json.dumps(users))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, workers, threads):
    """gunicorn as the image runs it (gunicorn.conf.py), without the access log."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "annotator.wsgi",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def gunicorn_shape(workers, threads):
    """The workers and threads gunicorn runs with: the options given, else the config file's."""
    config: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)
    return workers or config["workers"], threads or config["threads"]


def wait_until_up(port):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/projects/")
            if conn.getresponse().status == 401:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up in 30 s")


# --- load -------------------------------------------------------------------------------------


class Client(threading.Thread):
    """One annotator: a keep-alive connection, creating, changing and listing their spans."""

    def __init__(self, port, user, stop_at, index, batch=0):
        super().__init__(daemon=True)
        self.port, self.user, self.stop_at, self.batch = port, user, stop_at, batch
        self.rng = random.Random(index)
        self.latencies = {"create": [], "sync": [], "update": [], "list": []}
        self.errors: list[str] = []
        self.acked: dict[int, int] = {}  # span id -> acknowledged version
        self.spans: list[dict] = []

    def request(self, method, path, body=None, op=None):
        headers = {"Authorization": f"Token {self.user['token']}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, payload, headers)
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
                continue  # a retry is safe: creates are idempotent, updates carry a version
            self.latencies[op].append(time.perf_counter() - started)
            return response.status, json.loads(data) if data else None
        raise AssertionError("unreachable")

    def next_range(self):
        text = self.user["text"]
        length = len(text) - 1
        # A new range each time (the user's counter goes on across levels): never a duplicate.
        slot = self.user["slot"] = self.user.get("slot", 0) + 1
        start = slot % length
        end = start + 1 + (slot // length) % 40
        return start, min(end, len(text)), text[start : min(end, len(text))]

    def new_span(self) -> dict:
        start, end, text = self.next_range()
        return {
            "client_id": str(uuid.uuid4()),
            "label": self.rng.choice(LABELS),
            "start": start,
            "end": end,
            "text": text,
        }

    def create_batch(self, base):
        operations = [{"op": "create", **self.new_span()} for _ in range(self.batch)]
        status, body = self.request("POST", base + "sync/", {"operations": operations}, "sync")
        if status != 200:
            self.errors.append(f"sync {status} {body}")
            return
        for result in body["results"]:
            self.acked[result["span"]["id"]] = result["span"]["version"]
            self.spans.append(result["span"])

    def run(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        base = f"/api/v1/articles/{self.user['article']}/spans/"
        rounds = 0
        while time.monotonic() < self.stop_at:
            rounds += 1
            if self.batch:
                self.create_batch(base)
            else:
                body = self.new_span()
                status, span = self.request("POST", base, body, "create")
                if status in (200, 201):
                    self.acked[span["id"]] = span["version"]
                    self.spans.append(span)
                else:
                    self.errors.append(f"create {status} {span}")
            if rounds % 3 == 0 and self.spans:
                span = self.rng.choice(self.spans)
                change = {"note": f"note {rounds}", "version": span["version"]}
                status, body = self.request(
                    "PATCH", f"/api/v1/spans/{span['id']}/", change, "update"
                )
                if status == 200:
                    span["version"] = body["version"]
                    self.acked[span["id"]] = body["version"]
                else:
                    self.errors.append(f"update {status} {body}")
            if rounds % 5 == 0:
                status, body = self.request("GET", base, None, "list")
                if status != 200:
                    self.errors.append(f"list {status}")
        self.conn.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_cpu_seconds() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the benchmark's database (same machine)."""

    with admin_connection() as conn:
        pids = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
        ).fetchall()
    return {pid: process_cpu_seconds(pid) for (pid,) in pids}


def run_level(port, users, seconds, server_pid, batch=0):
    db_before = database_cpu_seconds()
    cpu_before = process_cpu_seconds(server_pid)
    client_cpu_before = time.process_time()  # this process: the client threads
    stop_at = time.monotonic() + seconds
    clients = [Client(port, user, stop_at, i, batch) for i, user in enumerate(users)]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    latencies = {
        op: [x for c in clients for x in c.latencies[op]]
        for op in ("create", "sync", "update", "list")
    }
    errors = [e for c in clients for e in c.errors]
    acked = {k: v for c in clients for k, v in c.acked.items()}
    requests = sum(len(v) for v in latencies.values())
    writes = len(latencies["create"]) + len(latencies["sync"]) * batch + len(latencies["update"])
    server_cpu = process_cpu_seconds(server_pid) - cpu_before
    client_cpu = time.process_time() - client_cpu_before
    # Backends that ended during the level are not counted (connections live for 60 s).
    db_cpu = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in database_cpu_seconds().items())
    summary = {
        "clients": len(users),
        "seconds": elapsed,
        "requests": requests,
        "writes": writes,
        "latencies": latencies,
        "errors": errors,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "db_cpu": db_cpu,
    }
    print(
        f"{len(users):>2} clients: {requests:,} requests in {elapsed:.1f} s, "
        f"{len(errors)} errors{': ' + errors[0] if errors else ''}",
        flush=True,
    )
    return summary, acked


def percentile(values, q):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def print_table(summaries):
    print(f"\n{'clients':>7} {'op':>7} {'count':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for s in summaries:
        for op, values in s["latencies"].items():
            if not values:
                continue  # create or sync, whichever this run does not use
            p = [percentile(values, q) * 1000 for q in (50, 95, 99)]
            figures = " ".join(f"{x:>7.1f}" for x in p)
            print(f"{s['clients']:>7} {op:>7} {len(values):>7,} {figures}")
    header = (
        f"{'clients':>7} {'req/s':>8} {'span writes/s':>14} {'errors':>7} {'server CPU ms/req':>18}"
        f" {'db CPU ms/req':>14} {'client CPU ms/req':>18}"
    )
    print("\n" + header)
    for s in summaries:
        print(
            f"{s['clients']:>7} {s['requests'] / s['seconds']:>8.0f} "
            f"{s['writes'] / s['seconds']:>14.0f} {len(s['errors']):>7} "
            f"{s['server_cpu'] * 1000 / max(s['requests'], 1):>18.1f}"
            f" {s['db_cpu'] * 1000 / max(s['requests'], 1):>14.1f}"
            f" {s['client_cpu'] * 1000 / max(s['requests'], 1):>18.1f}"
        )
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs")


def verify(env, acked: dict[int, int]):
    """Count acknowledged spans that are missing or older than acknowledged, in the database."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        stored = dict(conn.execute("SELECT id, version FROM annotations_span").fetchall())
    missing = sum(1 for span_id in acked if span_id not in stored)
    stale = sum(1 for span_id, version in acked.items() if stored.get(span_id, version) < version)
    return missing, stale


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed(int(sys.argv[2]))
    else:
        main()
