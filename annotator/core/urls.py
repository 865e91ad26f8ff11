"""/api/v1/ routes of the core app: the API token."""

from django.urls import path

from annotator.core import api as core

urlpatterns = [
    path("token/", core.MyToken.as_view(), name="api-token"),
    path("markdown/", core.MarkdownPreview.as_view(), name="api-markdown"),
]
