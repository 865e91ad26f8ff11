"""Every page passes axe-core with no serious or critical violation, in the light and the dark
theme, in the states people use it in (a span selected with its card, the guidelines and the
shortcut list open, the review editor and rows open, the narrow layout with the label drawer)."""

import pytest
from a11y import assert_accessible, axe_violations
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from ui_helpers import article, hotkey, login, open_article, select_phrase, wait_saved

from annotator.agreement.services import report_now
from annotator.annotations.spans import create_span
from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Assignment, AssignmentStatus, Project

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark"]


def mark(username: str, label: str, phrase: str, note: str = ""):
    seed = article("seed")
    user = get_user_model().objects.get(username=username)
    start = seed.text.index(phrase)
    create_span(seed, user.pk, label=label, start=start, end=start + len(phrase), note=note)


@pytest.fixture
def marked(demo):
    mark("annotator1", "inserted_phrase", "Protecting ISIS", note="Not in the original")
    mark("annotator2", "inserted_phrase", "Protecting ISIS")
    mark("annotator2", "loaded_language", "Major Showdown", note="loaded?")
    Assignment.objects.filter(article=article("seed")).update(status=AssignmentStatus.DONE)
    report_now(Project.objects.get(slug=PROJECT_SLUG), done_only=True)
    return demo


@pytest.mark.parametrize("scheme", SCHEMES)
def test_annotator_pages(page, marked, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(marked.url + "/accounts/login/")
    assert_accessible(page, "login")
    login(page, marked)
    assert_accessible(page, "my projects")
    page.goto(marked.url + "/account/token/")
    expect(page.locator("h1")).to_have_text("Your API token")
    assert_accessible(page, "API token")
    page.goto(f"{marked.url}/review/{article('seed').pk}/")  # not a reviewer: the site's 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page, "page not found")

    open_article(page, marked, article("seed"))
    assert_accessible(page, "annotation page")
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    wait_saved(page)
    expect(page.locator(".span-card")).to_be_visible()  # the selected span's card
    page.locator("#span-discussion-box summary").click()
    page.locator("#article-discussion-box summary").click()
    page.check("#show-names")
    assert_accessible(page, "annotation page, a span selected, discussions open")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+G")
    expect(page.locator("#guidelines-panel")).to_be_visible()
    assert_accessible(page, "guidelines panel")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#keys-dialog")).to_be_visible()
    assert_accessible(page, "shortcut list")
    page.keyboard.press("Escape")

    page.set_viewport_size({"width": 800, "height": 900})
    page.click("#labels-toggle")
    expect(page.locator("#palette")).to_be_visible()
    assert_accessible(page, "annotation page at 800 px, labels open")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_curator_and_researcher_pages(page, marked, scheme):
    page.emulate_media(color_scheme=scheme)
    seed = article("seed")
    login(page, marked, "reviewer", "demo-reviewer")
    assert_accessible(page, "my projects (reviewer)")
    page.goto(f"{marked.url}/projects/{PROJECT_SLUG}/articles/")
    assert_accessible(page, "article list")
    page.goto(f"{marked.url}/projects/{PROJECT_SLUG}/annotate/")
    expect(page.locator("#all-done")).to_be_visible()
    assert_accessible(page, "nothing left to annotate")

    page.goto(f"{marked.url}/review/{seed.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")
    assert_accessible(page, "review page")
    page.check("#rows-toggle")
    page.locator("#groups .group").first.focus()
    page.keyboard.press("e")
    expect(page.locator("#groups .group #edit-form")).to_be_visible()
    page.locator("#groups .group").first.locator("details.group-discussion summary").click()
    page.locator("#gold-labels summary").click()
    assert_accessible(page, "review page, rows, editor and discussion open")

    page.goto(f"{marked.url}/projects/{PROJECT_SLUG}/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")
    page.locator("#chart-heatmap a").first.click()
    expect(page.locator("#pair")).to_be_visible()
    assert_accessible(page, "dashboard, a heat map cell drilled down")
    page.goto(f"{marked.url}/projects/{PROJECT_SLUG}/datasets/")
    expect(page.locator("#datasets")).to_be_visible()
    assert_accessible(page, "datasets")

    page.get_by_role("button", name="Log out").click()
    assert_accessible(page, "logged out")
    login(page, marked, "researcher", "demo-researcher")
    assert_accessible(page, "my projects (researcher)")
    page.goto(f"{marked.url}/projects/{PROJECT_SLUG}/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")
    assert_accessible(page, "dashboard (researcher)")


def test_the_check_catches_what_it_should(page, demo):
    """The checker can fail: a nameless button and grey-on-grey text are reported."""
    page.goto(demo.url + "/accounts/login/")
    page.evaluate(
        """() => {
            const b = document.createElement("button");
            document.querySelector("main").append(b);
            const p = document.createElement("p");
            p.textContent = "faint";
            p.style.color = "#bbbbbb";
            document.querySelector("main").append(p);
        }"""
    )
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("button-name") == "critical"
    assert found.get("color-contrast") == "serious"
