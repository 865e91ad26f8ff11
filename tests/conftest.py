import os

import pytest

# The API tests' `world` fixture and helpers (tests/api_helpers.py), loaded here so that pytest
# rewrites its asserts before any test module imports it.
pytest_plugins = ["api_helpers"]

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
