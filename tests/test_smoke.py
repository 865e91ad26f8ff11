"""What `make run` ends in (honcho running Procfile.dev): it serves the app, a worker and beat,
and one Ctrl-C (SIGINT to its process group, as a terminal sends it) leaves nothing running."""

import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from processes import BIN, REPO, clean_env, free_port, pids_with_env, run_python, wait_for

pytestmark = pytest.mark.worker

QUEUE_PING = """
import sys, django
django.setup()
from annotator.core.tasks import ping
ping.delay(sys.argv[1])
"""


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture
def running_app(tmp_path):
    port = free_port()
    env = clean_env(tmp_path, ANNOTATOR_JOB_RECOVERY_SECONDS=1)
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "Procfile.dev"],
            cwd=REPO,
            env={**env, "RUN_PORT": str(port), "PATH": f"{BIN}:{env.get('PATH', '')}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, like a shell job, so SIGINT reaches it alone
        )
    app = {"proc": proc, "port": port, "env": env, "var_dir": tmp_path, "log": log_path}
    yield app
    if proc.poll() is None:  # the test failed before stopping it: clean up anyway
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    for pid in pids_with_env("ANNOTATOR_VAR_DIR", str(tmp_path)):
        os.kill(pid, signal.SIGKILL)


def test_run_serves_web_worker_and_beat_and_ctrl_c_stops_them_all(running_app):
    proc, var_dir = running_app["proc"], running_app["var_dir"]
    login = f"http://127.0.0.1:{running_app['port']}/accounts/login/"

    def login_page_up():
        assert proc.poll() is None, f"honcho exited early:\n{running_app['log'].read_text()}"
        return status_of(login) == 200

    wait_for(login_page_up, 60, f"{login} to answer 200")

    # The worker started beside the server consumes what another process queues.
    token = uuid.uuid4().hex
    sent = run_python(QUEUE_PING, running_app["env"], token)
    assert sent.returncode == 0, sent.stderr
    wait_for((var_dir / "ping" / token).exists, 60, "the run script's worker to run ping")

    # Beat sends the periodic job recovery (every second here), the worker takes it (it fails
    # here: `make run` migrates first, this test does not).
    ran = re.compile(r"Task core\.recover_jobs\[[\w-]+\] received")
    wait_for(lambda: ran.search(running_app["log"].read_text()), 60, "beat's job recovery to run")

    marker = ("ANNOTATOR_VAR_DIR", str(var_dir))
    # honcho, runserver (and its autoreloaded child), the worker and beat.
    assert len(pids_with_env(*marker)) >= 4, running_app["log"].read_text()

    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130, running_app["log"].read_text()  # stopped by SIGINT
    wait_for(lambda: not pids_with_env(*marker), 15, "every started process to exit")
    assert status_of(login) is None, "something still answers on the port"
    log = running_app["log"].read_text()
    for name in ("web", "worker", "beat"):
        assert re.search(rf"system +\| {name}\.1 stopped", log), log


def test_when_one_process_dies_the_others_are_stopped(running_app):
    """A half-running app is worse than none: the worker killed, honcho stops web and beat."""
    proc, var_dir = running_app["proc"], running_app["var_dir"]
    login = f"http://127.0.0.1:{running_app['port']}/accounts/login/"
    wait_for(lambda: status_of(login) == 200, 60, f"{login} to answer 200")
    marker = ("ANNOTATOR_VAR_DIR", str(var_dir))
    worker = next(
        pid
        for pid in pids_with_env(*marker)
        if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"python\0-m\0celery")
        and b"\0worker\0" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    os.kill(worker, signal.SIGKILL)
    proc.wait(timeout=60)
    wait_for(lambda: not pids_with_env(*marker), 30, "every started process to exit")
