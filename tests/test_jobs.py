"""Background jobs (annotator.core.jobs) in this process, for every kind (exports, agreement
reports, imports): the life of a job, a builder that dies, recovery, and a broker that is down.
Real workers killed mid-job: tests/test_jobs_worker.py."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

import pytest
from api_helpers import client_for
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from processes import wait_for

from annotator.agreement import services as agreement
from annotator.agreement.models import AgreementReport
from annotator.celery import app
from annotator.core import jobs
from annotator.core.tasks import recover_jobs
from annotator.exports import services as exports
from annotator.exports.models import Export
from annotator.imports import uploads
from annotator.imports.models import ImportJob

pytestmark = pytest.mark.django_db


@dataclass
class Kind:
    model: type
    work: object
    request: Callable  # world -> a queued job
    url: str
    body: Callable[[], dict]  # what POST url takes
    reader: str = "researcher"  # the world's user who may request and read these jobs
    format: str = "json"
    progress: int = 2  # when done: the project's two articles


UPLOAD = b'{"id": "up1", "text": "Uploaded."}\n{"id": "up2", "text": "Also uploaded."}\n'


def upload() -> dict:
    return {"file": [SimpleUploadedFile("up.jsonl", UPLOAD)]}


def request_import(world):
    return uploads.request_import(world.project, upload()["file"], requester=world.manager)


KINDS = {
    "export": Kind(
        Export,
        exports.build,
        lambda w: exports.request_export(w.project, "jsonl"),
        "/api/v1/projects/news/exports/",
        lambda: {"format": "jsonl"},
    ),
    "agreement": Kind(
        AgreementReport,
        agreement.run,
        lambda w: agreement.request_report(w.project),
        "/api/v1/projects/news/agreement/",
        dict,
    ),
    "import": Kind(
        ImportJob,
        uploads.run,
        request_import,
        "/api/v1/projects/news/imports/",
        upload,
        reader="manager",
        format="multipart",
        progress=len(UPLOAD),
    ),
}


@pytest.fixture(params=KINDS)
def kind(request, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return KINDS[request.param]


@pytest.fixture
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_a_job_runs_once_and_a_second_delivery_does_nothing(kind, world):
    job = kind.request(world)
    ended = jobs.run(kind.model, job.pk, kind.work, task_id="t1")
    assert (ended.status, ended.error, ended.attempts) == ("done", "", 1)
    assert ended.progress_done == ended.progress_total == kind.progress
    assert ended.owner.endswith("task t1")
    assert jobs.run(kind.model, job.pk, kind.work) is None
    assert kind.model.objects.get(pk=job.pk).finished_at == ended.finished_at


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (jobs.JobFailed("span #3 does not match"), "span #3 does not match"),
        (KeyError("boom"), "KeyError: 'boom'"),
    ],
)
def test_a_failing_job_is_failed_with_the_reason(kind, world, error, reason):
    def work(job, progress):
        progress(1, 2)
        raise error

    ended = jobs.run(kind.model, kind.request(world).pk, work)
    assert (ended.status, ended.error, ended.progress_done) == ("failed", reason, 1)
    body = client_for(getattr(world, kind.reader)).get(f"{kind.url}{ended.pk}/").json()
    assert body["message"] == f"failed: {reason}"


def test_a_database_error_is_retried_by_the_task_then_fails_the_job(kind, world, settings):
    settings.ANNOTATOR_JOB_LEASE_SECONDS = 0.3  # the retry watches the heartbeat for 0.1 s

    def work(job, progress):
        raise OperationalError("server closed the connection")

    job = kind.request(world)
    with pytest.raises(OperationalError):  # Celery retries the task (autoretry_for)
        jobs.run(kind.model, job.pk, work, retry_db_errors=True)
    assert kind.model.objects.get(pk=job.pk).status == "running"
    ended = jobs.run(kind.model, job.pk, work)  # the last retry takes it over
    assert ended.status == "failed"
    assert ended.attempts == 2
    assert ended.error == "database error, retries used up: server closed the connection"


# Two connections writing one table at once: SQLite's in-memory test database refuses that.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_live_builder_keeps_its_job_and_a_dead_one_is_taken_over(kind, world, settings):
    """A second delivery watches the heartbeat: while it moves, the job is left alone; once it
    stops (the builder died), the delivery builds the job instead of skipping it."""
    settings.ANNOTATOR_JOB_LEASE_SECONDS = 0.6
    job = kind.request(world)
    assert jobs.claim(kind.model, job.pk, "first builder")
    dead = threading.Event()

    def renew():  # what the first builder's heartbeat thread does while it lives
        while not dead.wait(0.02):
            kind.model.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        connection.close()

    beating = threading.Thread(target=renew)
    beating.start()
    try:
        assert jobs.run(kind.model, job.pk, kind.work) is None
    finally:
        dead.set()
        beating.join()
    job.refresh_from_db()
    assert (job.status, job.owner, job.attempts) == ("running", "first builder", 1)

    ended = jobs.run(kind.model, job.pk, kind.work, task_id="redelivered")
    assert (ended.status, ended.attempts) == ("done", 2)
    assert ended.owner.endswith("task redelivered")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_and_heartbeat_are_written_while_the_work_runs(kind, world, settings):
    settings.ANNOTATOR_JOB_LEASE_SECONDS = 0.5  # the heartbeat is renewed every 0.05 s
    row = kind.model.objects.filter(pk=kind.request(world).pk)

    def work(job, progress):
        claimed = job.heartbeat_at
        wait_for(lambda: row.get().heartbeat_at > claimed, 10, "the heartbeat to be renewed")
        progress(1, 7)
        wait_for(lambda: row.get().progress_done == 1, 10, "progress 1 to be written")
        progress(5, 7)
        wait_for(lambda: row.get().progress_done == 5, 10, "progress 5 to be written")
        return {"progress_done": 7}

    ended = jobs.run(kind.model, row.get().pk, work)
    assert (ended.status, ended.progress_done, ended.progress_total) == ("done", 7, 7)


def test_recovery_queues_stalled_jobs_again_and_fails_them_after_their_attempts(kind, world, eager):
    long_ago = timezone.now() - timedelta(hours=1)
    stalled, lost, live = (kind.request(world) for _ in range(3))
    for job, attempts, beat in [
        (stalled, 1, long_ago),
        (lost, jobs.MAX_ATTEMPTS, long_ago),
        (live, 1, timezone.now()),
    ]:
        kind.model.objects.filter(pk=job.pk).update(
            status="running", attempts=attempts, heartbeat_at=beat, owner="a lost worker"
        )
    body = client_for(getattr(world, kind.reader)).get(f"{kind.url}{stalled.pk}/").json()
    assert (body["status"], body["stalled"]) == ("running", True)
    assert body["message"].startswith("stalled: no heartbeat since")

    assert len(jobs.recover()) == 2  # the queued task runs here (eagerly)
    stalled.refresh_from_db(), lost.refresh_from_db(), live.refresh_from_db()
    assert (stalled.status, stalled.attempts) == ("done", 2)
    assert lost.status == "failed"
    assert "stopped (no heartbeat since" in lost.error
    assert "3 time(s)" in lost.error
    assert (live.status, live.owner) == ("running", "a lost worker")


def test_recovery_runs_on_celery_beat(settings):
    entry = app.conf.beat_schedule["recover-jobs"]
    assert entry["task"] == recover_jobs.name
    assert entry["schedule"] == settings.ANNOTATOR_JOB_RECOVERY_SECONDS


@pytest.mark.django_db(transaction=True)  # the task is queued at once, in the request
def test_a_job_requested_while_the_broker_is_down_answers_503_and_is_failed(
    kind, world, monkeypatch
):
    def refused(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    import_module(f"{kind.model._meta.app_config.name}.tasks")  # registers the task
    monkeypatch.setattr(app.tasks[kind.model.task_name], "apply_async", refused)
    response = client_for(getattr(world, kind.reader)).post(
        kind.url, kind.body(), format=kind.format
    )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "the task queue (broker) is not reachable" in response.json()["detail"]
    job = kind.model.objects.get()
    assert job.status == "failed"
    assert job.error.startswith("the task queue (broker) could not be reached")
    assert "Connection refused" in job.error
