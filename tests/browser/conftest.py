"""Fixtures for the browser tests: fast passwords and the seeded demo behind a live server."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

TIMEOUT_MS = 20_000  # generous: a loaded 2-core machine


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(live_server):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)
    expect.set_options(timeout=TIMEOUT_MS)
    return live_server
