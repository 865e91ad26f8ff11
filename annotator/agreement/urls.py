"""/api/v1/ routes of the agreement app: agreement reports and statistics."""

from django.urls import path

from annotator.agreement import api as agreement
from annotator.agreement import stats_api

urlpatterns = [
    path(
        "projects/<slug:slug>/agreement/", agreement.AgreementList.as_view(), name="api-agreements"
    ),
    path(
        "projects/<slug:slug>/agreement/<id:pk>/",
        agreement.AgreementDetail.as_view(),
        name="api-agreement",
    ),
    path("projects/<slug:slug>/stats/", stats_api.ProjectStats.as_view(), name="api-stats"),
]
