"""/api/v1/ routes of the imports app: import jobs."""

from django.urls import path

from annotator.imports import api

urlpatterns = [
    path("projects/<slug:slug>/imports/", api.ImportList.as_view(), name="api-imports"),
    path("projects/<slug:slug>/imports/<id:pk>/", api.ImportDetail.as_view(), name="api-import"),
]
