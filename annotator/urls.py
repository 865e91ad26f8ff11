from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from annotator.web import token_views
from annotator.web import views as web_views

# Password reset works by mail: without a mail server it would tell users a mail was sent that
# never leaves, so it exists only when DJANGO_EMAIL_HOST is configured.
account_urls = [
    pattern
    for pattern in auth_urls.urlpatterns
    if settings.EMAIL_ENABLED
    or not (getattr(pattern, "name", "") or "").startswith("password_reset")
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file of its own: no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="web/apidocs/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="web/apidocs/redoc.html"),
        name="api-redoc",
    ),
    path("api/v1/", include("annotator.api_urls")),
    path("account/token/", token_views.token_page, name="token"),
    path("", include("annotator.web.urls")),
    path("", web_views.home, name="home"),
]

handler500 = "annotator.core.api.server_error"
