"""Exports on a real Celery worker process, a real Redis broker and PostgreSQL (as in CI):

- the whole path a researcher takes: POST an export, poll its progress, download the zip; and a
  corrupted span snapshot failing the export with a reason;
- a worker SIGKILLed mid-export: the export is not done and nothing is published; the next
  worker to start finds it stalled and builds it again (attempt 2), to the end.

The worker reads the test database (committed rows: ``transactional_db``) and writes to the
same MEDIA_ROOT as this process. ANNOTATOR_TEST_EXPORT_DELAY (honoured only with
ANNOTATOR_TESTING set) slows the build down per article so that progress and a kill can happen
mid-export.
"""

import hashlib
import io
import json
import os
import signal
import subprocess
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from processes import PYTHON, REPO, clean_env, wait_for
from rest_framework.test import APIClient

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Membership, Project, Role
from annotator.exports.models import Export, ExportStatus
from annotator.schemas.models import Label, LabelSchema

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]

ARTICLES = 20
TEXT = "Breaking 🔥 news: 👨‍👩‍👧 families flee.\nCafe\u0301 owners say «Ñandú» is e\u0300vil.\u00a0"


def requirements_or_skip():
    """PostgreSQL and Redis, as CI has them; locally skipped without them."""
    in_ci = bool(os.environ.get("CI"))
    problems = []
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL is not PostgreSQL (the worker must share the test DB)")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        problems.append("CELERY_BROKER_URL is not redis://")
    if problems:
        if in_ci:
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))
    return broker


@pytest.fixture
def env(transactional_db, settings, tmp_path, monkeypatch):
    broker = requirements_or_skip()
    queue = f"test-exports-{uuid.uuid4().hex[:12]}"  # no other worker takes our messages
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media  # the API reads the worker's files here
    settings.ANNOTATOR_EXPORT_QUEUE = queue  # where this process queues builds
    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    test_db = settings.DATABASES["default"]["NAME"]
    database_url = (
        f"postgres://{url['USER']}@{url['HOST'] or '127.0.0.1'}:{url['PORT'] or 5432}/{test_db}"
    )
    yield {
        "queue": queue,
        "media": media,
        "tmp": tmp_path,
        "env": clean_env(
            tmp_path,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker,
            ANNOTATOR_MEDIA_ROOT=media,
            ANNOTATOR_EXPORT_QUEUE=queue,
            ANNOTATOR_TESTING=1,
        ),
    }


class Worker:
    def __init__(self, env, name, **extra):
        self.log_path = env["tmp"] / f"{name}.log"
        cmd = [PYTHON, "-m", "celery", "-A", "annotator", "worker", "--pool=solo", "-l", "INFO"]
        cmd += ["-Q", env["queue"], "-n", f"{name}-{env['queue']}@%h"]
        cmd += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        child_env = {**env["env"], **{k: str(v) for k, v in extra.items()}}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                cmd, cwd=REPO, env=child_env, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def workers():
    started = []
    yield started
    for worker in started:
        worker.stop()


def make_corpus():
    schema = LabelSchema.objects.create(name="Techniques")
    loaded = Label.objects.create(
        schema=schema, key="loaded_language", name="Loaded", official_label="Loaded_Language"
    )
    project = Project.objects.create(slug="news", name="News", schema=schema)
    annotator = get_user_model().objects.create_user("ann")
    researcher = get_user_model().objects.create_user("res")
    Membership.objects.create(user=annotator, project=project, role=Role.ANNOTATOR)
    Membership.objects.create(user=researcher, project=project, role=Role.RESEARCHER)
    start = TEXT.index("👨")
    end = TEXT.index(" flee")
    for n in range(ARTICLES):
        article = Article.objects.create(project=project, external_id=f"a{n}", text=TEXT)
        Span.objects.create(
            article=article, annotator=annotator, label=loaded, start=start, end=end,
            text=TEXT[start:end],
        )  # fmt: skip
    client = APIClient()
    client.force_authenticate(researcher)
    return project, client


def status_of(client, project, export_id):
    response = client.get(f"/api/v1/projects/{project.slug}/exports/{export_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def published_zips(media):
    return sorted(p.name for p in media.rglob("*.zip"))


def test_export_end_to_end_through_the_api_and_a_worker(env, workers):
    project, client = make_corpus()
    workers.append(Worker(env, "w1", ANNOTATOR_TEST_EXPORT_DELAY=0.1))
    created = client.post(f"/api/v1/projects/{project.slug}/exports/", {"format": "jsonl"})
    assert created.status_code == 201, created.content
    export_id = created.json()["id"]

    seen = []

    def finished(pk):
        status = status_of(client, project, pk)
        seen.append((status["status"], status["progress"]["done"]))
        return status if status["status"] in ("done", "failed") else None

    status = wait_for(lambda: finished(export_id), 45, f"export {export_id}\n{workers[0].log()}")
    assert status["status"] == "done", status
    progress = [done for state, done in seen if state == "running"]
    assert progress == sorted(progress), "progress went backwards"
    assert any(0 < done < ARTICLES for done in progress), f"no progress seen mid-export: {seen}"
    assert status["progress"] == {"done": ARTICLES, "total": ARTICLES}

    download = client.get(status["download_url"])
    assert download.status_code == 200
    blob = b"".join(download.streaming_content)
    assert hashlib.sha256(blob).hexdigest() == status["sha256"]
    archive = zipfile.ZipFile(io.BytesIO(blob))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["spans"] == ARTICLES
    lines = archive.read("articles.jsonl").decode().splitlines()
    first = json.loads(lines[0])
    span = first["spans"][0]
    assert first["text"][span["start"] : span["end"]] == "👨‍👩‍👧 families"

    # A corrupted snapshot: the worker fails the export and says which span.
    bad = Span.objects.order_by("pk").last()
    Span.objects.filter(pk=bad.pk).update(text="?" * len(bad.text))
    created = client.post(f"/api/v1/projects/{project.slug}/exports/", {"format": "semeval"})
    failed_id = created.json()["id"]
    seen.clear()
    status = wait_for(lambda: finished(failed_id), 45, f"export {failed_id}\n{workers[0].log()}")
    assert status["status"] == "failed"
    assert f"span #{bad.pk}" in status["error"]
    download = client.get(f"/api/v1/projects/{project.slug}/exports/{failed_id}/download/")
    assert download.status_code == 409
    assert published_zips(env["media"]) == [f"news-jsonl-{export_id}.zip"]


def kill_mid_export(client, project, fmt: str, worker: Worker, done: int, before_kill=None):
    """Request an export, wait until ``worker`` has built ``done`` articles of it, call
    ``before_kill(worker)``, SIGKILL the worker; return the export's id."""
    created = client.post(f"/api/v1/projects/{project.slug}/exports/", {"format": fmt})
    export_id = created.json()["id"]

    def under_way():
        export = Export.objects.get(pk=export_id)
        return export.status == ExportStatus.RUNNING and export.progress_done >= done

    wait_for(under_way, 30, f"the export to be under way\n{worker.log()}")
    if before_kill:
        before_kill(worker)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait()
    return export_id


def rebuilt_by_a_new_worker(env, workers, export_id: int, **extra) -> tuple[Export, Worker]:
    """Start a worker once the export's heartbeat is stale (1 s here) and wait for it to
    rebuild the export; return the export as it ended and the worker."""

    def stale():
        beat = Export.objects.get(pk=export_id).heartbeat_at
        return timezone.now() - beat > timedelta(seconds=1.5)

    wait_for(stale, 10, "the heartbeat to be more than 1.5 s old")
    second = Worker(env, "w2", ANNOTATOR_EXPORT_STALE_SECONDS=1, **extra)
    workers.append(second)

    def ended():
        export = Export.objects.get(pk=export_id)
        return export if export.status in (ExportStatus.DONE, ExportStatus.FAILED) else None

    return wait_for(ended, 45, f"the export to be rebuilt\n{second.log()}"), second


def test_a_worker_killed_mid_export_publishes_nothing_and_the_export_is_rebuilt(env, workers):
    project, client = make_corpus()
    first = Worker(env, "w1", ANNOTATOR_TEST_EXPORT_DELAY=0.3)
    workers.append(first)
    export_id = kill_mid_export(client, project, "semeval", first, done=2)

    export = Export.objects.get(pk=export_id)
    assert export.status == ExportStatus.RUNNING  # not done, and no file
    assert not export.file and not export.sha256
    assert published_zips(env["media"]) == []
    assert export.attempts == 1

    # A worker that starts looks for stalled exports.
    export, second = rebuilt_by_a_new_worker(env, workers, export_id)
    assert export.status == ExportStatus.DONE, export.error
    assert export.attempts == 2
    assert published_zips(env["media"]) == [f"news-semeval-{export_id}.zip"]
    assert list((env["media"] / "exports" / ".building").iterdir()) == []  # temp file gone
    status = status_of(client, project, export_id)
    blob = b"".join(client.get(status["download_url"]).streaming_content)
    assert hashlib.sha256(blob).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(blob))
    assert len([n for n in archive.namelist() if n.endswith(".labels")]) == ARTICLES
    assert "queued stalled exports again" in second.log()


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


def test_a_killed_worker_takes_the_second_half_of_its_export_with_it(env, workers):
    """A large jsonl export is built by the worker and a child process (parallel.py); when
    the worker is killed, the child stops by itself and the export is rebuilt whole."""
    project, client = make_corpus()
    first = Worker(env, "w1", ANNOTATOR_TEST_EXPORT_DELAY=0.5,
                   ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES=2)  # fmt: skip
    workers.append(first)
    children = []

    def note_children(worker):
        children.extend(running_children(worker.process.pid))

    export_id = kill_mid_export(client, project, "jsonl", first, done=4, before_kill=note_children)
    assert len(children) == 1, children
    # It notices within an article (0.5 s here), long before its ~10 articles are written.
    wait_for(lambda: not alive(children[0]), 2, "the second-half process to stop")
    assert Export.objects.get(pk=export_id).status == ExportStatus.RUNNING
    assert published_zips(env["media"]) == []

    export, _ = rebuilt_by_a_new_worker(env, workers, export_id,
                                        ANNOTATOR_EXPORT_PARALLEL_MIN_ARTICLES=2)  # fmt: skip
    assert export.status == ExportStatus.DONE, export.error
    assert list((env["media"] / "exports" / ".building").iterdir()) == []  # halves gone too
    status = status_of(client, project, export_id)
    blob = b"".join(client.get(status["download_url"]).streaming_content)
    lines = zipfile.ZipFile(io.BytesIO(blob)).read("articles.jsonl").decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"a{n}" for n in range(ARTICLES)]
