"""The API shape of a project's background jobs (core.jobs), the same for every kind:
``GET``/``POST projects/<slug>/<jobs>/`` lists them (newest first, paged) and requests one
(201; 503 JSON when the task queue is unreachable), ``GET .../<id>/`` shows one.

A kind subclasses JobList and JobDetail naming its serializers (JobSerializer with its model
and fields), ``find_project(user, slug)`` (who may see its jobs) and, for JobList,
``create_job(project, data, user)`` (its service). The OpenAPI description follows from these
(``extra_errors``: the statuses a kind answers besides 400 and 404, e.g. 403; ``post_errors``:
those of its POST only, e.g. 413).
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core import jobs
from annotator.core.pagination import DefaultPagination
from annotator.core.serializers import ErrorSerializer, validated

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


def is_stalled(job: jobs.Job) -> bool:
    beat = job.heartbeat_at or job.started_at
    return job.status == jobs.JobStatus.RUNNING and (
        beat is None or timezone.now() - beat > jobs.lease()
    )


def message(job: jobs.Job) -> str:
    """What is happening to the job, or what went wrong, in words."""
    if job.status == jobs.JobStatus.DONE:
        return job.done_message()
    if job.status == jobs.JobStatus.FAILED:
        return f"failed: {job.error}"
    if is_stalled(job):
        return (
            f"stalled: no heartbeat since {job.heartbeat_at or job.started_at} (its worker was "
            f"lost); it is queued again shortly (attempt {job.attempts} of {jobs.MAX_ATTEMPTS})"
        )
    if job.status == jobs.JobStatus.RUNNING:
        return f"running: {job.progress_done}/{job.progress_total}"
    return "queued: waiting for a worker"


class JobSerializer(serializers.ModelSerializer):
    """A job's life. A kind's serializer sets ``Meta.model`` and adds its fields."""

    project = serializers.CharField(source="project.slug")
    requester = serializers.CharField(source="requester.username", default=None, allow_null=True)
    progress = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField(
        help_text="Running without a heartbeat for a while: its worker was lost (it is queued "
        "again, or failed after its attempts)."
    )
    message = serializers.SerializerMethodField(help_text="The status in words.")

    class Meta:
        fields = [
            "id",
            "project",
            "status",
            "stalled",
            "message",
            "progress",
            "error",
            "attempts",
            "requester",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_progress(self, job: jobs.Job) -> dict[str, int]:
        return {"done": job.progress_done, "total": job.progress_total}

    def get_stalled(self, job: jobs.Job) -> bool:
        return is_stalled(job)

    def get_message(self, job: jobs.Job) -> str:
        return message(job)


class JobViewMixin:
    serializer_class: ClassVar[type[JobSerializer]]  # its Meta.model is the kind of job
    find_project: ClassVar[Callable[[Any, str], Any]]
    extra_errors: ClassVar[tuple[int, ...]] = ()  # documented besides 400 and 404

    @classmethod
    def errors(cls, *more: int) -> dict:
        return ERRORS | {code: ErrorSerializer for code in (*cls.extra_errors, *more)}

    @classmethod
    def model(cls) -> type[jobs.Job]:
        return cls.serializer_class.Meta.model

    def jobs_of(self, request, slug: str):
        project = type(self).find_project(request.user, slug)
        # `project` is a field of every kind of job, not of the abstract Job: hence the ignores.
        found = self.model()._default_manager.filter(project=project)  # type: ignore[misc]
        return found.select_related("project", "requester")  # type: ignore[misc]

    def get_job(self, request, slug: str, pk: int):
        job = self.jobs_of(request, slug).filter(pk=pk).first()
        if job is None:
            raise NotFound(f"No {self.model()._meta.verbose_name} #{pk} in {slug}.")
        return job


class JobList(JobViewMixin, APIView):
    create_serializer_class: ClassVar[type[serializers.Serializer]]
    post_errors: ClassVar[tuple[int, ...]] = ()
    list_defer: ClassVar[tuple[str, ...]] = ()  # big fields the list leaves out
    pagination_class = DefaultPagination

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.model()._meta.verbose_name
        extend_schema_view(
            get=extend_schema(
                responses={200: cls.serializer_class(many=True), **cls.errors()},
                summary=str(cls.model()._meta.verbose_name_plural).capitalize(),
            ),
            post=extend_schema(
                request=cls.create_serializer_class,
                responses={
                    201: cls.serializer_class,
                    503: ErrorSerializer,
                    **cls.errors(*cls.post_errors),
                },
                summary=f"Request a new {name} (a worker runs it; poll its status)",
            ),
        )(cls)

    def create_job(self, project, data: dict, user) -> jobs.Job:
        raise NotImplementedError

    def get(self, request, slug):
        queryset = self.jobs_of(request, slug).defer(*self.list_defer).order_by("-pk")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(self.serializer_class(page, many=True).data)

    def post(self, request, slug):
        project = type(self).find_project(request.user, slug)
        data = validated(self.create_serializer_class, request.data)
        job = self.create_job(project, data, request.user)
        jobs.enqueue(job)  # a 503 if the broker is down (jobs.BrokerUnavailable)
        return Response(self.serializer_class(job).data, status=status.HTTP_201_CREATED)


class JobDetail(JobViewMixin, APIView):
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        extend_schema_view(
            get=extend_schema(
                responses={200: cls.serializer_class, **cls.errors()},
                summary=f"A {cls.model()._meta.verbose_name}: status, progress, then its result",
            )
        )(cls)

    def get(self, request, slug, pk):
        return Response(self.serializer_class(self.get_job(request, slug, pk)).data)
