"""/api/v1/ routes of the imports app."""

from django.urls import path

from annotator.imports import api

urlpatterns = [
    path("projects/<slug:slug>/imports/", api.ProjectImports.as_view(), name="api-imports"),
]
