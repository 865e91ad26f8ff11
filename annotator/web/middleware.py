"""Content-Security-Policy header (Django 5.2 has no built-in CSP).

Pages load scripts and styles only from this site: no inline script, so text that slips into
the page as HTML cannot run. Swagger UI (/api/docs/) loads its assets from a CDN with an inline
bootstrap script and keeps its own defaults; the admin keeps inline style attributes.
"""

from django.conf import settings

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ADMIN_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
EXEMPT_PREFIXES = ("/api/docs/",)


def policy_for(path: str) -> str | None:
    if path.startswith(EXEMPT_PREFIXES):
        return None
    if path.startswith("/admin/"):
        return ADMIN_POLICY
    return getattr(settings, "CONTENT_SECURITY_POLICY", POLICY)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = policy_for(request.path)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
