"""Content-Security-Policy through django-csp (settings.CONTENT_SECURITY_POLICY).

Pages load scripts and styles only from this site: no inline script, so text that slips into
the page as HTML cannot run. The admin keeps its inline style attributes, and Redoc
(/api/redoc/) the style elements it writes at run time (styled-components) and the web worker
it starts from a blob: URL; scripts stay 'self' everywhere, Swagger UI and Redoc included (both
from drf-spectacular-sidecar).
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

INLINE_STYLE_PREFIXES = ("/admin/", "/api/redoc/")
REDOC_PREFIX = "/api/redoc/"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(INLINE_STYLE_PREFIXES) and parts.update is None:
            parts.update = {"style-src": ["'unsafe-inline'"]}
            if request.path_info.startswith(REDOC_PREFIX):
                # Redoc's search runs in a web worker it builds from a blob: URL.
                parts.update["worker-src"] = ["'self'", "blob:"]
        return parts
