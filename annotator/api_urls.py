"""Every /api/v1/ route: each app's urls.py, then a JSON 404 for anything else.
tests/test_authz_matrix.py walks this resolver and compares every route with its table.

The apps' lists are joined into one rather than included: Django tries the patterns in order,
and each ``include`` level is another resolver to walk. Span saves, most of the API's requests,
come first (a span create resolved in 70 µs behind two include levels and the corpus routes,
~20 µs here)."""

from django.urls import re_path

from annotator.agreement import urls as agreement
from annotator.annotations import urls as annotations
from annotator.core import api as core
from annotator.core import urls as core_urls
from annotator.corpus import urls as corpus
from annotator.exports import urls as exports
from annotator.imports import urls as imports
from annotator.recommenders import urls as recommenders

urlpatterns = [
    *annotations.urlpatterns,
    *core_urls.urlpatterns,
    *corpus.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
    *agreement.urlpatterns,
    *recommenders.urlpatterns,
    # Last: anything else under /api/v1/ is a JSON 404 (not an endpoint, not in the matrix).
    re_path(r"", core.api_not_found, name="api-not-found"),
]
