"""Helpers for tests that run the app's real processes (settings imports, workers, run script)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def clean_env(var_dir=None, **overrides):
    """This process's environment without any variable the settings read, plus `overrides`:
    the child sees the embedded defaults unless a test asks otherwise."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the test process's own business (see conftest.py).
    dropped = {*settings.ENV_VARS, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    env["PYTHONUNBUFFERED"] = "1"
    if var_dir is not None:
        env["ANNOTATOR_VAR_DIR"] = str(var_dir)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def run_python(code, env, *args, timeout=60):
    """Run `python -c code args...` from the repository root; sys.argv[1:] is `args`."""
    return subprocess.run(
        [PYTHON, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(predicate, timeout, what):
    """Poll `predicate` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.2)


def pids_with_env(name, value):
    """Pids of live processes whose environment has name=value (a unique temp dir marks every
    process a test started, grandchildren included; a reaped or zombie process has none)."""
    needle = f"{name}={value}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if needle in environ.split(b"\0"):
            found.append(int(proc.name))
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_database_url() -> str:
    """A DATABASE_URL for child processes: the PostgreSQL database this test run created."""
    import dj_database_url

    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = settings.DATABASES["default"]["NAME"]
    return f"postgres://{url['USER']}@{url['HOST'] or '127.0.0.1'}:{url['PORT'] or 5432}/{name}"


class Celery:
    """``celery -A annotator ARGS`` (a worker, beat) in a process group of its own, logging to
    ``folder/name.log``: ``kill()`` takes its pool processes with it, as a lost machine would."""

    def __init__(self, env, folder, name, *args):
        self.log_path = Path(folder) / f"{name}.log"
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "annotator", *args, "-l", "INFO"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @classmethod
    def worker(cls, env, folder, name, queue, *options):
        """A worker that takes only ``queue`` (no other test's messages)."""
        quiet = ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        return cls(
            env, folder, name, "worker", "-Q", queue, "-n", f"{name}-{queue}@%h", *quiet, *options
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()  # and whatever is left in its group


def running_children(pid: int) -> list[int]:
    """Child processes of ``pid`` that have not exited (zombies left out)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if alive(int(child)):
                found.append(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}
