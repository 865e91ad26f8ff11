from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotator.web import token_views
from annotator.web import views as web_views

# Password reset works by mail: without a mail server it would tell users a mail was sent that
# never leaves, so it exists only when DJANGO_EMAIL_HOST is configured.
account_urls = [
    pattern
    for pattern in auth_urls.urlpatterns
    if settings.EMAIL_ENABLED or not (pattern.name or "").startswith("password_reset")
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("annotator.api_urls")),
    path("account/token/", token_views.token_page, name="token"),
    path("", include("annotator.web.urls")),
    path("", web_views.home, name="home"),
]
