"""Background jobs: the one model shape and the one life of every job a worker runs (exports,
agreement reports, imports, recommenders' trained models).

A concrete job subclasses ``Job`` (adding its project and its own fields) and declares
``task_name`` and ``queue_setting``; its app's tasks.py binds that name to the work with
``job_task(Model, work)``, where ``work(job, progress) -> {field: value}`` does the job and
returns what to store with *done*, and may override ``release()`` to free what the job holds
(an import's uploaded files) once it has ended. API views and serializers come from
``core.jobs_api``.

Life of a job: *queued* (``enqueue`` publishes its task once the row is committed; when the
broker cannot be reached the job is *failed* with that reason and ``BrokerUnavailable``, a
ServiceError, makes the API answer 503) → *running* (``claim``: attempts + 1, ``owner`` names
the process and task) → *done* with what ``work`` returned, or *failed* with the reason.

Always finishing. While ``work`` runs, a thread of the same process writes its progress and
renews the heartbeat every ``LEASE / 10`` seconds; a heartbeat older than ``LEASE``
(``ANNOTATOR_JOB_LEASE_SECONDS``) means the process is gone. Then:
- a task delivered for a running job watches its heartbeat for ``LEASE / 3`` seconds: if it
  does not move, the owner is dead and the task takes the job over. This is what happens when
  a pool process is killed (out of memory): Celery requeues its message at once (acks_late,
  reject_on_worker_lost) and the new delivery builds the job instead of skipping it;
- ``recover`` (Celery beat, every ``ANNOTATOR_JOB_RECOVERY_SECONDS``) queues again every running
  job whose heartbeat is older than ``LEASE``: a worker killed whole keeps its message
  unacknowledged in Redis for the visibility timeout (an hour), and this does not wait for it;
- a job whose builder was lost ``MAX_ATTEMPTS`` times is failed with the reason.
Every transition is a compare-and-set on (status, attempts, heartbeat) or on the owner, so of
two processes that race for a job one wins, and a builder that lost its job cannot finish it.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module
from typing import Any, ClassVar, TypeVar

from celery import current_app, shared_task
from django.apps import apps
from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from annotator.core.exceptions import ServiceError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a job whose builder was lost this often is failed, not retried again
PROGRESS_INTERVAL = 0.25  # seconds between progress writes: at most 4 a second
DELAY_ENV = "ANNOTATOR_TEST_JOB_DELAY"  # tests only (with ANNOTATOR_TESTING): sleep per progress


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """What every background job stores about its life; see the module's docstring."""

    task_name: ClassVar[str]  # the Celery task that runs it (core.jobs.job_task)
    queue_setting: ClassVar[str]  # the setting that names its queue (None: the default queue)

    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The process running it: "<host> pid <pid> task <task id>" (for people; see claim).
    owner = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def done_message(self) -> str:
        return "done"

    def release(self) -> None:
        """Free what the job holds once it has ended, done or failed (called once, by whoever
        ended it: its builder, a failed publish, or the recovery that gave up). Nothing here."""


J = TypeVar("J", bound=Job)


class JobFailed(Exception):
    """Raised by a job's work: the job fails with this message as its reason."""


class BrokerUnavailable(ServiceError):
    """The task could not be queued: the broker did not answer. The job is failed (503)."""

    status = 503


def lease() -> timedelta:
    return timedelta(seconds=settings.ANNOTATOR_JOB_LEASE_SECONDS)


# --- queueing ----------------------------------------------------------------------------


def enqueue(job: Job) -> None:
    """Publish the job's task once the row is committed (a worker must be able to read it)."""
    transaction.on_commit(lambda: publish(job))


def publish(job: Job) -> None:
    """Send the job's task now; if the broker cannot be reached, fail the job and raise
    BrokerUnavailable (the publish retry policy in settings keeps this to a second or two)."""
    import_module(f"{job._meta.app_config.name}.tasks")  # where job_task registered it
    task = current_app.tasks[job.task_name]
    try:
        task.apply_async(args=[job.pk], queue=getattr(settings, job.queue_setting))
    except BrokerError as exc:
        reason = f"the task queue (broker) could not be reached, so it was not started: {exc}"
        type(job)._default_manager.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        _release(job)
        detail = (
            f"{str(job._meta.verbose_name).capitalize()} #{job.pk} could not be started: the task "
            "queue (broker) is not reachable. It is marked failed; try again in a moment."
        )
        raise BrokerUnavailable({"detail": detail}) from exc


# --- running -----------------------------------------------------------------------------

Work = Callable[[Any, Callable[[int, int], None]], dict[str, Any]]


def job_task(model: type[Job], work: Work):
    """The Celery task that runs ``model`` jobs with ``work``. acks_late with
    reject_on_worker_lost: the message stays in the broker until the task returns and comes
    back at once when its process dies. Database errors are retried twice."""

    @shared_task(
        name=model.task_name,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=(OperationalError, InterfaceError),
        max_retries=2,
        retry_backoff=5,
        retry_jitter=False,
    )
    def task(self, pk: int) -> str:
        retry = self.request.retries < self.max_retries
        job = run(model, pk, work, task_id=self.request.id or "", retry_db_errors=retry)
        return job.status if job is not None else "skipped"

    return task


def run(
    model: type[J], pk: int, work: Work, *, task_id: str = "", retry_db_errors: bool = False
) -> J | None:
    """Claim job ``pk`` and run ``work`` on it; the job as it ended, or None when there was
    nothing to do. Never raises for a failing job (it is failed with the reason), except a
    database error with ``retry_db_errors``: the task's retry takes the job over."""
    owner = f"{socket.gethostname()} pid {os.getpid()} task {task_id or '-'}"
    job = claim(model, pk, owner)
    if job is None:
        return None
    mine = model._default_manager.filter(pk=pk, status=JobStatus.RUNNING, owner=owner)
    beat = _Heartbeat(mine)
    try:
        with beat:
            fields = work(job, beat.progress)
        fields |= {"status": JobStatus.DONE, "error": ""}
    except (OperationalError, InterfaceError) as exc:
        if retry_db_errors:
            raise
        fields = {"status": JobStatus.FAILED, "error": f"database error, retries used up: {exc}"}
    except JobFailed as exc:
        fields = {"status": JobStatus.FAILED, "error": str(exc)}
    except Exception as exc:
        log.exception("%s #%s failed", model.__name__, pk)
        fields = {"status": JobStatus.FAILED, "error": f"{type(exc).__name__}: {exc}"}
    fields["error"] = fields["error"][:5000]
    if beat.numbers:  # the last progress, which the heartbeat thread may not have written
        fields = dict(zip(("progress_done", "progress_total"), beat.numbers, strict=True)) | fields
    if mine.update(finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields):
        _release(job)
    else:
        log.warning("%s #%s was taken over before it ended; its result is dropped", model, pk)
    return model._default_manager.get(pk=pk)


def claim(model: type[J], pk: int, owner: str) -> J | None:
    """Make ``owner`` the job's builder (running, attempts + 1). None when there is nothing to
    do: done or failed, or running with a live builder (its heartbeat moves). A running job
    whose builder is dead is taken over, or failed once it has used MAX_ATTEMPTS."""
    job = model._default_manager.filter(pk=pk).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return None
    if job.status == JobStatus.RUNNING:
        if not _builder_is_dead(job):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            if _same_state(job).update(**_lost(job)):
                _release(job)
            return None
    now = timezone.now()
    won = _same_state(job).update(
        status=JobStatus.RUNNING,
        attempts=job.attempts + 1,
        owner=owner,
        started_at=now,
        heartbeat_at=now,
        progress_done=0,
        error="",
    )
    return model._default_manager.get(pk=pk) if won else None


def _same_state(job: Job) -> models.QuerySet:
    """The job's row if nobody has changed its life since ``job`` was read."""
    return type(job)._default_manager.filter(
        pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at=job.heartbeat_at
    )


def _builder_is_dead(job: Job) -> bool:
    """Whether the running job's builder is gone: its heartbeat is older than the lease, or
    does not move for a third of it (a live builder renews it ten times per lease)."""
    if job.heartbeat_at is None or timezone.now() - job.heartbeat_at > lease():
        return True
    deadline = time.monotonic() + lease().total_seconds() / 3
    while time.monotonic() < deadline:
        time.sleep(lease().total_seconds() / 30)
        if not _same_state(job).exists():
            return False  # it moved (or ended): someone is on it
    return True


def _release(job: Job) -> None:
    """``job.release()``, which must not stop the job's life: a failure is logged."""
    try:
        job.release()
    except Exception:
        log.exception("%s #%s: releasing what it held failed", type(job).__name__, job.pk)


def _lost(job: Job) -> dict[str, Any]:
    since = job.heartbeat_at.isoformat() if job.heartbeat_at else "its start"
    return {
        "status": JobStatus.FAILED,
        "finished_at": timezone.now(),
        "error": f"the worker running this {job._meta.verbose_name} stopped (no heartbeat since "
        f"{since}) {job.attempts} time(s); not retried again. Request a new one.",
    }


class _Heartbeat:
    """While a job runs: ``progress(done, total)`` notes how far it is; a thread of this
    process writes that (at most every PROGRESS_INTERVAL) and renews the heartbeat (every
    LEASE / 10) through a database connection of its own, so that the work may read inside one
    long transaction."""

    def __init__(self, mine: models.QuerySet):
        self.mine = mine
        self.numbers: tuple[int, int] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name="job-heartbeat")
        delay = os.environ.get(DELAY_ENV) if os.environ.get("ANNOTATOR_TESTING") else None
        self.delay = float(delay or 0)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()

    def progress(self, done: int, total: int) -> None:
        self.numbers = (done, total)
        if self.delay:
            time.sleep(self.delay)

    def _beat(self) -> None:
        renew = lease().total_seconds() / 10
        written, renewed = None, time.monotonic()
        try:
            while not self.stopping.wait(min(PROGRESS_INTERVAL, renew / 2)):
                numbers = self.numbers
                if numbers == written and time.monotonic() - renewed < renew:
                    continue
                fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
                if numbers is not None:
                    fields["progress_done"], fields["progress_total"] = numbers
                try:
                    self.mine.update(**fields)
                    written, renewed = numbers, time.monotonic()
                except DatabaseError as exc:
                    log.warning("could not write a job's heartbeat: %s", exc)
        finally:
            connection.close()  # this thread's own


# --- recovery ----------------------------------------------------------------------------


def recover() -> list[str]:
    """Queue again every running job whose heartbeat is older than the lease (its worker is
    gone), or fail it once it has used MAX_ATTEMPTS. Returns what it did, for the log."""
    done = []
    for model in (model for model in apps.get_models() if issubclass(model, Job)):
        stale = model._default_manager.filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=timezone.now() - lease()
        )
        for job in stale:
            if job.attempts >= MAX_ATTEMPTS:
                if _same_state(job).update(**_lost(job)):
                    _release(job)
                    done.append(f"failed {job}")
            elif _same_state(job).update(status=JobStatus.QUEUED, owner=""):
                done.append(f"queued again {job}")
                with contextlib.suppress(BrokerUnavailable):  # then failed, with the reason
                    publish(job)
    return done
