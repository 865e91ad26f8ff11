"""No page of the console or the datasets page scrolls sideways at 1280, 1024 or 800 px: a
wide table (the label editor, the exports with their checksums) scrolls inside itself, and at
1280 px the label editor needs no scrolling at all."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from ui_helpers import login

from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Project
from annotator.exports.services import export_now

pytestmark = pytest.mark.browser

PAGES = [
    "settings",
    "labels",
    "members",
    "import",
    "assign",
    "recommenders",
    "articles",
    "dashboard",
    "datasets",
]


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_pages_fit_the_window(page, demo, width):
    admin = get_user_model().objects.get(username="admin")
    export_now(Project.objects.get(slug=PROJECT_SLUG), "semeval", requester=admin)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, demo, "admin", "demo-admin")
    for name in PAGES:
        page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/{name}/")
        if name == "datasets":  # its rows come from the API
            expect(page.locator("#exports tbody tr").first).to_contain_text("semeval")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if name == "labels" and width == 1280:
            editor = page.locator(".table-scroll:has(#labels)")
            assert editor.evaluate("el => el.scrollWidth <= el.clientWidth")
