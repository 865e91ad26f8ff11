"""A throwaway demo site for scripts that drive a browser (scripts/screenshots.py,
bench/render.py): a fresh SQLite database in a temporary folder, migrated and seeded with the
demo, served by Django's live-server thread with the static files. Nothing of the developer's
own database is touched.

Call :func:`demo_site` before importing any model: it configures Django itself.
"""

import contextlib
import os
import shutil
import tempfile

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_options() -> dict:
    """Launch options for Debian's Chromium (no browser download on these machines)."""
    return {
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@contextlib.contextmanager
def demo_site():
    """Yields the base URL of a running demo site; removes everything afterwards."""
    folder = tempfile.mkdtemp(prefix="annotator-demo-site-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["ANNOTATOR_MEDIA_ROOT"] = f"{folder}/media"
    # No worker here: background jobs (an upload on the import page) run in their request.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    # Playwright's sync API runs an event loop in this thread; the ORM is used beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.testcases import LiveServerThread

    thread = None
    try:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        if thread is not None:
            thread.terminate()
        shutil.rmtree(folder, ignore_errors=True)
