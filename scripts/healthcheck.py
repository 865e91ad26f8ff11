#!/usr/bin/env python3
"""Container health check for the web service: exit 0 when the login page answers 200.

Usage: scripts/healthcheck.py [URL]   (default http://127.0.0.1:8000/accounts/login/)

It asks under the first host in DJANGO_ALLOWED_HOSTS and says the request came over HTTPS (as
the TLS proxy in front would), so neither host validation nor the HTTPS redirect gets in the way.
Standard library only: it runs in the slim image with no curl.
"""

import os
import sys
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/accounts/login/"


def main(url=DEFAULT_URL):
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            ok = response.status == 200
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
