"""Jobs always finish (core.jobs), on real prefork workers, Redis and PostgreSQL, for every
kind (an export, an agreement report), each slowed down to 0.25 s per article (and one agreement
report end to end, checking its results):

- the pool process building a job is SIGKILLed (as the OOM killer does): Celery requeues its
  message at once, and the new delivery takes the job over instead of skipping it;
- the whole worker is SIGKILLed (its message stays unacknowledged in Redis for an hour) and a
  new one started at once: beat's periodic recovery queues the job again;
- the broker is down when a job is requested: 503 JSON, and the job is failed with the reason.

Each job must end done within BOUND seconds. With the lease of 2 s used here, the expected
time is about 1 s (pool process) or 3 s (whole worker) plus the rebuild (3 s): docs/exports.md
gives the bounds for the default settings.
"""

import json
import os
import signal
import uuid

import pytest
from api_helpers import make_span
from django.contrib.auth import get_user_model
from processes import (
    Celery,
    child_database_url,
    clean_env,
    free_port,
    run_python,
    running_children,
    wait_for,
)
from rest_framework.test import APIClient

from annotator.agreement.models import AgreementReport
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.exports.models import Export
from annotator.schemas.models import Label, LabelSchema

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]

ARTICLES = 12
BOUND = 60  # seconds: generous for a shared 2-core machine; the expected time is ~6 s
KINDS = {
    "export": (Export, "exports", {"format": "jsonl"}),
    "agreement": (AgreementReport, "agreement", {}),
}


@pytest.fixture
def env(transactional_db, settings, tmp_path):
    queue = f"test-jobs-{uuid.uuid4().hex[:12]}"  # no other worker takes our messages
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ANNOTATOR_EXPORT_QUEUE = settings.ANNOTATOR_AGREEMENT_QUEUE = queue
    started: list[Celery] = []
    yield {
        "queue": queue,
        "tmp": tmp_path,
        "started": started,
        "env": clean_env(
            tmp_path,
            DATABASE_URL=child_database_url(),
            CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
            ANNOTATOR_MEDIA_ROOT=tmp_path / "media",
            ANNOTATOR_EXPORT_QUEUE=queue,
            ANNOTATOR_AGREEMENT_QUEUE=queue,
            ANNOTATOR_RECOVERY_QUEUE=queue,
            ANNOTATOR_JOB_LEASE_SECONDS=2,
            ANNOTATOR_JOB_RECOVERY_SECONDS=1,
            ANNOTATOR_TESTING=1,
            ANNOTATOR_TEST_JOB_DELAY=0.25,
        ),
    }
    for process in started:
        process.stop()


def start(env, name, *args) -> Celery:
    if args[0] == "worker":
        process = Celery.worker(env["env"], env["tmp"], name, env["queue"], *args[1:])
    else:
        process = Celery(env["env"], env["tmp"], name, *args)
    env["started"].append(process)
    return process


def make_project() -> APIClient:
    """A project of ARTICLES articles, each with a span by two annotators; a researcher."""
    schema = LabelSchema.objects.create(name="Techniques")
    label = Label.objects.create(schema=schema, key="loaded_language", name="Loaded")
    project = Project.objects.create(slug="news", name="News", schema=schema)
    users = [get_user_model().objects.create_user(name) for name in ("ann", "ann2", "res")]
    for user, role in zip(users, [Role.ANNOTATOR, Role.ANNOTATOR, Role.RESEARCHER], strict=True):
        Membership.objects.create(user=user, project=project, role=role)
    for n in range(ARTICLES):
        article = Article.objects.create(
            project=project, external_id=f"a{n}", text="Breaking 🔥 news: 👨‍👩‍👧 flee."
        )
        for user, start_at in zip(users[:2], (9, 11), strict=True):
            Assignment.objects.create(article=article, annotator=user)
            make_span(article, user, label, start_at, 16)
    client = APIClient()
    client.force_authenticate(users[2])
    return client


def request_and_wait_until_under_way(kind: str, worker: Celery) -> int:
    model, path, body = KINDS[kind]
    created = make_project().post(f"/api/v1/projects/news/{path}/", body, format="json")
    assert created.status_code == 201, created.content
    row = model.objects.filter(pk=created.json()["id"])
    wait_for(lambda: row.get().progress_done >= 3, BOUND, f"progress\n{worker.log()}")
    return row.get().pk


def ended(kind: str, pk: int, log) -> object:
    row = KINDS[kind][0].objects.filter(pk=pk)
    return wait_for(
        lambda: row.get() if row.get().status in ("done", "failed") else None,
        BOUND,
        f"{kind} #{pk} to end\n{log()}",
    )


def test_an_agreement_report_through_the_api_and_a_worker(env):
    worker = start(env, "w1", "worker", "--pool=solo")
    pk = make_project().post("/api/v1/projects/news/agreement/", {}, format="json").json()["id"]
    report = ended("agreement", pk, worker.log)
    assert report.status == "done", report.error
    assert report.progress_done == report.progress_total == ARTICLES
    (pair,) = report.results["pairs"]
    # "🔥 news:" [9,16) is 7 code points (the emoji is one), "news:" [11,16) 5, all shared.
    assert pair["articles"] == ARTICLES
    assert pair["semeval_unlabelled"]["precision"] == pytest.approx(5 / 7)
    assert pair["semeval_unlabelled"]["recall"] == 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_a_pool_process_killed_mid_job_is_taken_over_by_the_redelivered_task(env, kind):
    worker = start(env, "w1", "worker", "--pool=prefork", "-c", "1")
    pk = request_and_wait_until_under_way(kind, worker)
    (child,) = running_children(worker.process.pid)
    os.kill(child, signal.SIGKILL)

    job = ended(kind, pk, worker.log)
    assert (job.status, job.error, job.attempts) == ("done", "", 2)
    assert job.progress_done == ARTICLES
    assert "WorkerLostError" in worker.log()  # the message was requeued, not recovered by beat


@pytest.mark.parametrize("kind", KINDS)
def test_a_worker_killed_whole_and_restarted_at_once_finishes_its_job(env, kind):
    start(env, "beat", "beat")
    first = start(env, "w1", "worker", "--pool=prefork", "-c", "1")
    pk = request_and_wait_until_under_way(kind, first)
    first.kill()  # the worker and its pool process: the message stays unacknowledged
    second = start(env, "w2", "worker", "--pool=prefork", "-c", "1")

    job = ended(kind, pk, second.log)
    assert (job.status, job.error, job.attempts) == ("done", "", 2)
    assert "job recovery: queued again" in second.log()
    if kind == "export":  # the first attempt's half-built zip is gone, the published one whole
        media = env["tmp"] / "media" / "exports"
        assert list((media / ".building").iterdir()) == []
        assert [p.name for p in (media / "news").iterdir()] == [f"news-jsonl-{pk}.zip"]


REQUEST_WITH_BROKER_DOWN = """
import json, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient
setup_test_environment()
client = APIClient()
client.force_authenticate(get_user_model().objects.get(username="res"))
answers = []
for path, body in json.loads(__import__("sys").argv[1]):
    started = time.monotonic()
    response = client.post(f"/api/v1/projects/news/{path}/", body, format="json")
    answers.append([response.status_code, response["Content-Type"], response.content.decode(),
                    round(time.monotonic() - started, 2)])
print(json.dumps(answers))
"""


def test_a_job_requested_while_the_broker_is_down_answers_503_json_and_is_failed(env):
    make_project()
    down = {**env["env"], "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    requests = [[path, body] for _, path, body in KINDS.values()]
    result = run_python(REQUEST_WITH_BROKER_DOWN, down, json.dumps(requests))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    for (status, content_type, content, seconds), model in zip(
        answers, [Export, AgreementReport], strict=True
    ):
        assert (status, content_type) == (503, "application/json"), content
        assert "the task queue (broker) is not reachable" in json.loads(content)["detail"]
        print(f"{model.__name__}: 503 after {seconds} s")  # for the record, not asserted
        job = model.objects.get()
        assert job.status == "failed"
        assert job.error.startswith("the task queue (broker) could not be reached")
