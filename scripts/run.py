#!/usr/bin/env python3
"""Run the dev server, a Celery worker and Celery beat side by side; one Ctrl-C (or SIGTERM)
stops them all. Beat queues the periodic recovery of jobs whose worker was lost (core.jobs).

`make run` calls this after migrating and seeding; CI's smoke run and tests/test_smoke.py call it
the same way. Each child gets its own process group, so stopping it also stops what it spawned
(runserver's autoreloader runs the server in a grandchild). If one child dies, the others are
stopped too and the exit status is non-zero: a half-running app is worse than none.

Usage: scripts/run.py [--host 127.0.0.1] [--port 8000] [--noreload]
Runs with the Python that runs it (the venv's, under `make run`) from the repository root.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 15  # seconds a child gets after SIGTERM before SIGKILL


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--noreload", action="store_true", help="no autoreload of runserver")
    return parser.parse_args(argv)


def commands(args):
    python = sys.executable
    web = [python, "manage.py", "runserver", f"{args.host}:{args.port}"]
    if args.noreload:
        web.append("--noreload")
    celery = [python, "-m", "celery", "-A", "annotator"]
    worker = [*celery, "worker", "--pool=solo", "-l", "INFO"]
    return {"web": web, "worker": worker, "beat": [*celery, "beat", "-l", "INFO"]}


def start(name, cmd):
    # A new session: the terminal's Ctrl-C reaches only this supervisor, which then stops each
    # child's whole group in order, instead of every process racing to die on its own.
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    print(f"[run] started {name} (pid {proc.pid}): {' '.join(cmd[1:])}", flush=True)
    return proc


def stop(children):
    for proc in children.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run] {name} ignored SIGTERM, killing it", flush=True)
            proc.kill()
            proc.wait()
        # Whatever the child left in its group (e.g. runserver's reloaded server) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)

    # Installed before the children start so that no signal is lost in between.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    children = {name: start(name, cmd) for name, cmd in commands(args).items()}
    print(f"[run] serving http://{args.host}:{args.port}/ - press Ctrl-C to stop", flush=True)
    status = 0
    try:
        while not stopping:
            dead = [name for name, proc in children.items() if proc.poll() is not None]
            if dead:
                print(f"[run] {', '.join(dead)} exited; stopping the rest", flush=True)
                status = 1
                break
            time.sleep(0.2)
    finally:
        print(f"[run] stopping {', '.join(children)}", flush=True)
        stop(children)
    print("[run] stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
