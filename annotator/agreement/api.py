"""Agreement endpoints: start a report, list reports, read one with its results
(core.jobs_api).

Agreement compares annotators with each other, so it is for those who may see every layer or the
project's statistics: researchers, reviewers, managers and staff. Annotators (blind to each other)
and non-members get 404, as for exports.
"""

from annotator.agreement.models import AgreementReport
from annotator.agreement.serializers import (
    AgreementCreateSerializer,
    AgreementReportDetailSerializer,
    AgreementReportSerializer,
)
from annotator.agreement.services import request_report
from annotator.core.jobs_api import JobDetail, JobList
from annotator.corpus.permissions import DATA_READERS, get_project


def agreement_project(user, slug):
    return get_project(user, slug, roles=DATA_READERS)


class AgreementList(JobList):
    model, find_project = AgreementReport, agreement_project
    serializer_class, create_serializer_class = AgreementReportSerializer, AgreementCreateSerializer
    list_defer = ("results", "article_ids")

    def create_job(self, project, data, user):
        return request_report(project, requester=user, **data)


class AgreementDetail(JobDetail):
    model, find_project = AgreementReport, agreement_project
    serializer_class = AgreementReportDetailSerializer
