"""Every /api/v1/ route: each app's urls.py, then a JSON 404 for anything else.
tests/test_authz_matrix.py walks this resolver and compares every route with its table."""

from django.urls import include, path, re_path

from annotator.core import api as core

urlpatterns = [
    path("", include("annotator.core.urls")),
    path("", include("annotator.corpus.urls")),
    path("", include("annotator.annotations.urls")),
    path("", include("annotator.imports.urls")),
    path("", include("annotator.exports.urls")),
    path("", include("annotator.agreement.urls")),
    path("", include("annotator.recommenders.urls")),
    # Last: anything else under /api/v1/ is a JSON 404 (not an endpoint, not in the matrix).
    re_path(r"", core.api_not_found, name="api-not-found"),
]
