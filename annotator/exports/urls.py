"""/api/v1/ routes of the exports app: exports."""

from django.urls import path

from annotator.exports import api as exports

urlpatterns = [
    path("projects/<slug:slug>/exports/", exports.ExportList.as_view(), name="api-exports"),
    path(
        "projects/<slug:slug>/exports/<id:pk>/", exports.ExportDetail.as_view(), name="api-export"
    ),
    path(
        "projects/<slug:slug>/exports/<id:pk>/download/",
        exports.ExportDownload.as_view(),
        name="api-export-download",
    ),
]
