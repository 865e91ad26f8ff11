"""The demo site (``seed_demo``) for tests of the server-rendered pages without a browser.

``demo`` is a fixture everywhere (tests/conftest.py loads this module); import ``login``.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from annotator.corpus.models import Article


@pytest.fixture
def demo(settings):
    """The demo project, users and articles; returns the seed article."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise
        call_command("seed_demo", verbosity=0)
    return Article.objects.get(project__slug="propaganda-demo", external_id="seed")


def login(client, username, password=None):
    """Through the login form, as a user does (and the lockout protection sees a request)."""
    response = client.post(
        "/accounts/login/", {"username": username, "password": password or f"demo-{username}"}
    )
    assert response.status_code == 302, response.content.decode()
