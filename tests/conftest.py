import os

import pytest

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
REDIS_BROKER = (
    os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
).startswith("redis://")
IN_CI = bool(os.environ.get("CI"))

# The API tests' `world` fixture and helpers (tests/api_helpers.py) and the demo site for the
# page tests (tests/demo_helpers.py; the browser tests' own `demo` serves it live), loaded here
# so that pytest rewrites their asserts before any test module imports them.
pytest_plugins = ["api_helpers", "demo_helpers"]

# Playwright's sync API runs an event loop in the main thread; Django's ORM refuses to run
# inside it unless told that this is a test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` or ``redis`` need that server; without it they are skipped
    here, all for the same reason. ``make test`` runs them in a second pass when a local
    PostgreSQL answers (see the Makefile); CI runs everything on PostgreSQL and Redis."""
    missing = {
        "postgres": None if ON_POSTGRESQL else "needs PostgreSQL: set DATABASE_URL=postgres://...",
        "redis": None if REDIS_BROKER else "needs Redis: set CELERY_BROKER_URL=redis://...",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test fails the run: a test skipped in CI is a test that does not exist."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI: {reason}"


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_process():
    """Rate-limit counters of this test process in its own memory: with REDIS_URL set (CI) the
    settings use Redis, where counts would outlive a test and cache.clear() would flush the
    broker's database. Tests of the shared cache run real processes (test_shared_limits.py)."""
    from django.test import override_settings

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


# Text that breaks tools which count UTF-16 units or bytes instead of code points: astral emoji,
# a ZWJ family, combining marks, right-to-left Arabic and Hebrew, no-break spaces.
UNICODE_SAMPLE = (
    "Breaking 🔥 news: 👨‍👩‍👧 families flee.\n"
    "Cafe\u0301 owners say «Ñandú» is e\u0300vil.\n"
    "قال المتحدث إن الحرب عادلة\u00a0تماما.\n"
    "עברית: הם שקרנים.\n"
    "Price\u00a0rises are a 💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢."
)


@pytest.fixture
def unicode_sample():
    return UNICODE_SAMPLE
