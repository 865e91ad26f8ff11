"""A real Celery worker consumes a task queued by another process: on the embedded filesystem
broker (no configuration at all) and on Redis (CELERY_BROKER_URL, as CI and production set it)."""

import os
import signal
import subprocess
import uuid

import pytest
from processes import PYTHON, REPO, clean_env, run_python, wait_for

pytestmark = pytest.mark.worker

QUEUE_PING = """
import sys, django
django.setup()
from annotator.core.tasks import ping
ping.apply_async(args=[sys.argv[1]], queue=sys.argv[2])
"""


def start_worker(env, queue, log):
    cmd = [PYTHON, "-m", "celery", "-A", "annotator", "worker", "--pool=solo", "-l", "INFO"]
    cmd += ["-Q", queue, "-n", f"{queue}@%h", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def round_trip(var_dir, env):
    """Start a worker, queue `ping` from a separate process, see it run, stop the worker."""
    # A queue of its own: another worker on the same broker (a developer's `make run`, a
    # parallel CI job) must not take this test's message.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    token = uuid.uuid4().hex
    log_path = var_dir / "worker.log"
    with log_path.open("w") as log:
        worker = start_worker(env, queue, log)
    try:
        sent = run_python(QUEUE_PING, env, token, queue)
        assert sent.returncode == 0, sent.stderr
        mark = var_dir / "ping" / token
        wait_for(lambda: mark.exists(), 60, f"the worker to run ping (file {mark})")
        assert mark.read_text() == "pong"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            pytest.fail(f"worker ignored SIGTERM for 30 s:\n{log_path.read_text()}")
    output = log_path.read_text()
    assert worker.returncode == 0, output
    assert "core.ping" in output, output
    assert "succeeded" in output, output
    return output


def test_worker_runs_a_task_on_the_embedded_filesystem_broker(tmp_path):
    env = clean_env(tmp_path)
    output = round_trip(tmp_path, env)
    assert "filesystem://" in output
    # The broker's folders were made by the app itself, under ANNOTATOR_VAR_DIR.
    assert (tmp_path / "celery" / "queue").is_dir()
    assert list((tmp_path / "celery" / "queue").iterdir()) == [], "the message was not consumed"


def redis_url_or_skip():
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    in_ci = bool(os.environ.get("CI"))
    if not url:
        if in_ci:
            pytest.fail("CI must set CELERY_BROKER_URL (or REDIS_URL) to test the Redis broker")
        pytest.skip("no CELERY_BROKER_URL/REDIS_URL: Redis broker test not run")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError as exc:
        if in_ci:
            pytest.fail(f"Redis at {url} unreachable in CI: {exc}")
        pytest.skip(f"Redis at {url} unreachable: {exc}")
    return url


@pytest.mark.redis
def test_worker_runs_a_task_on_redis(tmp_path):
    url = redis_url_or_skip()
    env = clean_env(tmp_path, CELERY_BROKER_URL=url)
    output = round_trip(tmp_path, env)
    assert "redis://" in output
    assert not (tmp_path / "celery").exists(), "the embedded broker must stay unused"
