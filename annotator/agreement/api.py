"""Agreement endpoints: start a report, list reports, read one with its results
(core.jobs_api).

Agreement compares annotators with each other, so it is for those who may see every layer or the
project's statistics: researchers, reviewers, managers and staff. Annotators (blind to each other)
and non-members get 404, as for exports.
"""

from annotator.agreement.serializers import (
    AgreementCreateSerializer,
    AgreementReportDetailSerializer,
    AgreementReportSerializer,
)
from annotator.agreement.services import request_report
from annotator.core.jobs_api import JobDetail, JobList
from annotator.corpus.permissions import get_data_project


class AgreementList(JobList):
    serializer_class, create_serializer_class = AgreementReportSerializer, AgreementCreateSerializer
    find_project, list_defer = get_data_project, ("results", "article_ids")

    def create_job(self, project, data, user):
        return request_report(project, requester=user, **data)


class AgreementDetail(JobDetail):
    serializer_class, find_project = AgreementReportDetailSerializer, get_data_project
