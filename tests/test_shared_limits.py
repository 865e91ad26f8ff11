"""Limits hold across web processes: gunicorn with two worker processes, PostgreSQL and the
Redis cache, as in production. The access log names the process of every request, so each
test also checks that its requests were served by more than one process."""

import http.cookiejar
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from django.contrib.auth import get_user_model
from processes import BIN, REPO, child_database_url, clean_env, free_port, wait_for
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "the right pass phrase"


@pytest.fixture
def site(transactional_db, tmp_path):
    """gunicorn, 2 worker processes, one thread each, logging the pid of every request."""
    port = free_port()
    log = tmp_path / "access.log"
    redis_url = os.environ.get("REDIS_URL") or os.environ["CELERY_BROKER_URL"]
    # Rate counts of an earlier run outlive its test database, whose user ids come back.
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="*throttle_*"):
        client.delete(key)
    env = clean_env(
        tmp_path,
        DATABASE_URL=child_database_url(),
        REDIS_URL=redis_url,
        ANNOTATOR_API_RATE_USER="20/hour",  # a window the test will not straddle
    )
    cmd = [
        str(BIN / "gunicorn"),
        "annotator.wsgi",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "1",
        # A new connection per request, spread over the workers by the kernel (SO_REUSEPORT
        # hashes each connection; a shared accept queue may hand them all to one worker).
        "--keep-alive",
        "0",
        "--reuse-port",
        "--access-logfile",
        str(log),
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s",
    ]
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), 60, "gunicorn to answer")
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/accounts/login/", timeout=2).close()
    except OSError:
        return False
    return True


def served_by(log: Path, method: str, path: str) -> set[str]:
    pids = set()
    for line in log.read_text().splitlines():
        pid, m, url, _status = line.split()
        if m == method and url == path:
            pids.add(pid)
    return pids


def log_in(base: str, username: str, password: str) -> tuple[int, str]:
    """A login through the form, as a browser does (a new connection each time)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    request = urllib.request.Request(
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/accounts/login/"},
    )
    try:
        with opener.open(request, timeout=30) as response:
            logged_in = any(cookie.name == "sessionid" for cookie in jar)
            return (302 if logged_in else response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_lockout_holds_in_every_web_process(site, settings):
    base, log = site
    user = get_user_model().objects.create_user("ann", password=PASSWORD)
    other = get_user_model().objects.create_user("ben", password=PASSWORD)
    codes = [log_in(base, "ann", "wrong")[0] for _ in range(settings.LOGIN_FAILURE_LIMIT)]
    assert codes == [200] * (settings.LOGIN_FAILURE_LIMIT - 1) + [429]
    for _ in range(4):  # whichever process answers, the right password is refused now
        code, page = log_in(base, "ann", PASSWORD)
        assert code == 429, page
    assert "locked until" in page
    assert "manager" in page
    assert len(served_by(log, "POST", "/accounts/login/")) == 2, log.read_text()
    # Everyone else behind the same address logs in as usual.
    assert log_in(base, other.username, PASSWORD)[0] == 302
    assert user.pk


def test_api_rate_limits_count_across_processes(site):
    base, log = site
    user = get_user_model().objects.create_user("ann")
    token = Token.objects.create(user=user)
    codes = []
    for _ in range(24):
        request = urllib.request.Request(
            f"{base}/api/v1/projects/", headers={"Authorization": f"Token {token.key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)
    assert codes == [200] * 20 + [429] * 4
    assert len(served_by(log, "GET", "/api/v1/projects/")) == 2, log.read_text()


def test_api_rate_limits_count_concurrent_requests(site):
    """Requests at once in both processes: each is counted. (DRF's own throttles read a list
    of times and write it back: they let 21 of these 40 through in one of three runs.)"""
    base, log = site
    token = Token.objects.create(user=get_user_model().objects.create_user("ann"))

    def status(_: int) -> int:
        request = urllib.request.Request(
            f"{base}/api/v1/projects/", headers={"Authorization": f"Token {token.key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(status, range(40)))
    assert codes.count(200) == 20, codes
    assert codes.count(429) == 20, codes
    assert len(served_by(log, "GET", "/api/v1/projects/")) == 2, log.read_text()
