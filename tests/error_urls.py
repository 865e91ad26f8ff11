"""The site's routes plus two that fail, for tests/test_error_pages.py."""

from django.urls import path

from annotator.urls import handler500
from annotator.urls import urlpatterns as site_patterns


def fail(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", fail), path("api/v1/boom/", fail), *site_patterns]

__all__ = ["handler500", "urlpatterns"]
