"""An upload imported by a real Celery worker (prefork, Redis, PostgreSQL): the worker, another
process, reads the uploaded files from the storage; its pool process is SIGKILLed (as the OOM
killer does) after the first file has committed, and the redelivered task takes the job over
and goes on from the second file: each file is imported once, and the report says so.

Slowed down to 0.25 s per article read (ANNOTATOR_TEST_JOB_DELAY), so that the kill lands in
the second file. The life every kind of job shares: tests/test_jobs_worker.py.
"""

import json
import os
import signal
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from processes import Celery, child_database_url, clean_env, running_children, wait_for
from rest_framework.test import APIClient

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Membership, Project, Role
from annotator.imports.models import ImportJob
from annotator.schemas.models import Label, LabelSchema

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]

ARTICLES = 12  # a file
BOUND = 60  # seconds: generous for a shared 2-core machine; the expected time is ~10 s


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    queue = f"test-imports-{uuid.uuid4().hex[:12]}"  # no other worker takes our messages
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANNOTATOR_IMPORT_QUEUE = queue
    env = clean_env(
        tmp_path,
        DATABASE_URL=child_database_url(),
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        ANNOTATOR_MEDIA_ROOT=tmp_path / "media",
        ANNOTATOR_IMPORT_QUEUE=queue,
        ANNOTATOR_RECOVERY_QUEUE=queue,
        ANNOTATOR_JOB_LEASE_SECONDS=2,
        ANNOTATOR_TESTING=1,
        ANNOTATOR_TEST_JOB_DELAY=0.25,
    )
    process = Celery.worker(env, tmp_path, "w1", queue, "--pool=prefork", "-c", "1")
    yield process
    process.stop()


def jsonl(prefix: str) -> bytes:
    """ARTICLES articles, each with a span after an emoji (offsets in code points)."""
    lines = [
        {
            "id": f"{prefix}{n}",
            "text": f"🔥 Traitors {n} lie.\r\nAgain.",
            "spans": [{"start": 2, "end": 10, "label": "name_calling"}],
        }
        for n in range(ARTICLES)
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def test_a_pool_process_killed_between_files_is_taken_over_from_the_next_file(worker, tmp_path):
    schema = LabelSchema.objects.create(name="Techniques")
    Label.objects.create(schema=schema, key="name_calling", name="Name calling")
    project = Project.objects.create(slug="news", name="News", schema=schema)
    manager = get_user_model().objects.create_user("boss")
    Membership.objects.create(user=manager, project=project, role=Role.MANAGER)
    client = APIClient()
    client.force_authenticate(manager)
    first, second = jsonl("a"), jsonl("b")
    files = [SimpleUploadedFile("first.jsonl", first), SimpleUploadedFile("second.jsonl", second)]
    created = client.post("/api/v1/projects/news/imports/", {"file": files}, format="multipart")
    assert created.status_code == 201, created.content
    row = ImportJob.objects.filter(pk=created.json()["id"])

    def into_the_second_file():
        job = row.get()
        return len(job.report.get("files", [])) == 1 and job.progress_done > len(first)

    wait_for(into_the_second_file, BOUND, f"the second file to be read\n{worker.log()}")
    (child,) = running_children(worker.process.pid)
    os.kill(child, signal.SIGKILL)

    job = wait_for(
        lambda: row.get() if row.get().status in ("done", "failed") else None,
        BOUND,
        f"the import to end\n{worker.log()}",
    )
    assert (job.status, job.error, job.attempts) == ("done", "", 2)
    assert "WorkerLostError" in worker.log()  # the message was requeued at once
    reports = job.report["files"]
    assert [(f["path"], f["articles_created"], f["spans_created"]) for f in reports] == [
        ("first.jsonl", ARTICLES, ARTICLES),
        ("second.jsonl", ARTICLES, ARTICLES),
    ]
    assert job.report["duplicates"] == 0  # the first file was not imported again
    assert job.progress_done == job.progress_total == len(first) + len(second)
    assert Article.objects.filter(project=project).count() == 2 * ARTICLES
    span = Span.objects.get(article__external_id="b7")
    assert (span.annotator, span.text) == (manager, "Traitors")
    assert Article.objects.get(external_id="b7").text == "🔥 Traitors 7 lie.\nAgain."
    media = tmp_path / "media"
    assert [p for p in media.rglob("*") if p.is_file()] == []  # the uploads are deleted
