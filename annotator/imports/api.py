"""Import endpoints: managers upload files (JSONL, .txt, zips of them or of SemEval/PTC
folders) into a project; a worker imports them (core.jobs_api: list, create, detail).

``POST projects/<slug>/imports/`` answers 201 with the queued import job, whose detail (poll
it) shows its progress and then its report; the life of an upload is in imports.uploads.
Spans in the files go into the layer of ``annotator`` (a member; default: the uploader), or
into the gold layer with ``gold``. Managers and staff only: other members get 403, others 404.
"""

from django.conf import settings
from rest_framework.parsers import MultiPartParser

from annotator.core.jobs_api import JobDetail, JobList
from annotator.core.parsers import PayloadTooLarge
from annotator.corpus.models import Project
from annotator.corpus.permissions import get_project, require_manager
from annotator.imports.serializers import ImportCreateSerializer, ImportJobSerializer
from annotator.imports.uploads import request_import


def managed_project(user, slug: str) -> Project:
    project = get_project(user, slug)
    require_manager(project, "import articles")
    return project


class UploadParser(MultiPartParser):
    """Multipart bodies up to IMPORT_MAX_UPLOAD_BYTES, refused from their Content-Length before
    they are read: a file over the limit is not even spooled to disk."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            size = 0
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if size > limit:
            raise PayloadTooLarge(f"The upload is {size} bytes; the limit is {limit}.")
        return super().parse(stream, media_type, parser_context)


class ImportList(JobList):
    serializer_class, create_serializer_class = ImportJobSerializer, ImportCreateSerializer
    find_project, extra_errors, post_errors = managed_project, (403,), (413,)
    parser_classes = [UploadParser]

    def create_job(self, project, data, user):
        return request_import(
            project,
            data["file"],
            requester=user,
            annotator=data.get("annotator", ""),
            gold=data["gold"],
            batch=data.get("batch", ""),
            utf16_offsets=data["utf16_offsets"],
            si_label=data.get("si_label", ""),
        )


class ImportDetail(JobDetail):
    serializer_class, find_project = ImportJobSerializer, managed_project
    extra_errors = (403,)
