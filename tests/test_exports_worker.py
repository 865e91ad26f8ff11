"""Exports on a real Celery worker process, a real Redis broker and PostgreSQL (as in CI):

- the whole path a researcher takes: POST an export, poll its progress, download the zip; and a
  corrupted span snapshot failing the export with a reason.
Killed pool processes and killed workers, for every kind of job: tests/test_jobs_worker.py.

The worker reads the test database (committed rows: ``transactional_db``) and writes to the
same MEDIA_ROOT as this process. ANNOTATOR_TEST_EXPORT_DELAY (honoured only with
ANNOTATOR_TESTING set) slows the build down per article so that progress and a kill can happen
mid-export.
"""

import hashlib
import io
import json
import os
import uuid
import zipfile

import pytest
from django.contrib.auth import get_user_model
from processes import Celery, child_database_url, clean_env, wait_for
from rest_framework.test import APIClient

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Membership, Project, Role
from annotator.schemas.models import Label, LabelSchema

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]

ARTICLES = 20
TEXT = "Breaking 🔥 news: 👨‍👩‍👧 families flee.\nCafe\u0301 owners say «Ñandú» is e\u0300vil.\u00a0"


@pytest.fixture
def env(transactional_db, settings, tmp_path):
    queue = f"test-exports-{uuid.uuid4().hex[:12]}"  # no other worker takes our messages
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media  # the API reads the worker's files here
    settings.ANNOTATOR_EXPORT_QUEUE = queue  # where this process queues builds
    return {
        "queue": queue,
        "media": media,
        "tmp": tmp_path,
        "env": clean_env(
            tmp_path,
            DATABASE_URL=child_database_url(),
            CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
            ANNOTATOR_MEDIA_ROOT=media,
            ANNOTATOR_EXPORT_QUEUE=queue,
            ANNOTATOR_RECOVERY_QUEUE=queue,
            ANNOTATOR_JOB_LEASE_SECONDS=2,
            ANNOTATOR_JOB_RECOVERY_SECONDS=1,
            ANNOTATOR_TESTING=1,
        ),
    }


def start_worker(env, name, **extra) -> Celery:
    child_env = {**env["env"], **{k: str(v) for k, v in extra.items()}}
    return Celery.worker(child_env, env["tmp"], name, env["queue"], "--pool=solo")


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
            article=article,
            annotator=annotator,
            label=loaded,
            start=start,
            end=end,
            text=TEXT[start:end],
        )
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
    workers.append(start_worker(env, "w1", ANNOTATOR_TEST_EXPORT_DELAY=0.1))
    created = client.post(
        f"/api/v1/projects/{project.slug}/exports/",
        {"format": "jsonl", "options": {"layer": "all"}},
        format="json",
    )
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
