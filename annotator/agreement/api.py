"""Agreement endpoints: start a report, list reports, read one with its results.

Agreement compares annotators with each other, so it is for those who may see every layer or the
project's statistics: researchers, reviewers, managers and staff. Annotators (blind to each other)
and non-members get 404, as for exports.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.agreement.models import AgreementReport
from annotator.agreement.serializers import (
    AgreementCreateSerializer,
    AgreementReportDetailSerializer,
    AgreementReportSerializer,
)
from annotator.agreement.services import enqueue, request_report
from annotator.core.pagination import DefaultPagination
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import DATA_READERS, get_project

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


def agreement_project(user, slug):
    return get_project(user, slug, roles=DATA_READERS)


class AgreementList(APIView):
    pagination_class = DefaultPagination

    @extend_schema(
        responses={200: AgreementReportSerializer(many=True), **ERRORS},
        summary="Agreement reports",
    )
    def get(self, request, slug):
        project = agreement_project(request.user, slug)
        reports = project.agreement_reports.select_related("project", "requester").defer(
            "results", "article_ids"
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reports.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response(AgreementReportSerializer(page, many=True).data)

    @extend_schema(
        request=AgreementCreateSerializer,
        responses={201: AgreementReportSerializer, **ERRORS},
        summary="Start an agreement report (computed by a worker; poll its progress)",
    )
    def post(self, request, slug):
        project = agreement_project(request.user, slug)
        serializer = AgreementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = request_report(project, requester=request.user, **serializer.validated_data)
        enqueue(report)
        return Response(AgreementReportSerializer(report).data, status=status.HTTP_201_CREATED)


class AgreementDetail(APIView):
    @extend_schema(
        responses={200: AgreementReportDetailSerializer, **ERRORS},
        summary="An agreement report: progress, then results",
    )
    def get(self, request, slug, pk):
        project = agreement_project(request.user, slug)
        report = (
            AgreementReport.objects.select_related("project", "requester")
            .filter(project=project, pk=pk)
            .first()
        )
        if report is None:
            raise NotFound(f"No agreement report #{pk} in {slug}.")
        return Response(AgreementReportDetailSerializer(report).data)
