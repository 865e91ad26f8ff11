"""Login/logout, my projects, the managers' article list, and the page's security: article text
with HTML or script is shown as characters and runs nothing; every page has a strict CSP."""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import article, hotkey, login, open_article, select_phrase, span_items, wait_saved

from annotator.corpus.models import Article, ArticleImage, Assignment

pytestmark = pytest.mark.browser

HOSTILE_TITLE = "<b>Bold</b> title"
HOSTILE_TEXT = (
    "Before <img src=x onerror=\"document.title='pwned-img';window.__pwned=1\"> middle\n\n"
    "<script>window.__pwned=2;document.title='pwned-script'</script> after &amp; done."
)


def test_html_in_article_is_text_and_csp_is_strict(page, demo):
    seed = article("seed")
    hostile = Article.objects.create(
        project=seed.project, external_id="hostile", title=HOSTILE_TITLE, text=HOSTILE_TEXT
    )
    Assignment.objects.create(
        article=hostile,
        annotator_id=Assignment.objects.filter(
            article=seed, annotator__username="annotator1"
        ).values_list("annotator_id", flat=True)[0],
    )
    login(page, demo)
    response = page.goto(f"{demo.url}/annotate/{hostile.pk}/")
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.split() == ["'self'"]
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#text")).to_have_text(HOSTILE_TEXT)
    expect(page.locator("#title")).to_have_text(HOSTILE_TITLE)
    assert page.locator("#text img, #text script, #title b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert "pwned" not in page.title()
    # A span over the markup keeps the characters exactly.
    select_phrase(page, "<script>")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    assert hostile.spans.get().text == "<script>"
    assert page.evaluate("window.__pwned") is None


def test_login_projects_article_list_and_logout(page, demo):
    login(page, demo)
    project = page.locator(".project", has_text="Propaganda demo")
    expect(project.locator(".role")).to_have_text("annotator")
    expect(project.locator("progress")).to_have_count(1)
    expect(project.locator(".progress-text")).to_have_text(re.compile(r"^0 of \d+ done$"))
    expect(project.get_by_role("link", name="Articles", exact=True)).to_have_count(0)
    project.get_by_role("link", name="Annotate").click()
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#progress")).to_have_text(re.compile(r"^0 of \d+ done$"))
    page.click("#skip")
    page.click("#finish-now")  # Skip waits a few seconds for an undo; "Now" goes at once
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    # Skipped is not done (#14: "n of m done" counted skipped articles).
    expect(page.locator("#progress")).to_have_text(re.compile(r"^0 of \d+ done, 1 skipped$"))
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("h1")).to_have_text("Logged out")
    page.goto(demo.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # A reviewer sees every article with each annotator's status.
    login(page, demo, "reviewer", "demo-reviewer")
    project = page.locator(".project", has_text="Propaganda demo")
    expect(project.locator(".role")).to_have_text("reviewer")
    project.get_by_role("link", name="Articles").click()
    rows = page.locator("table.articles tbody tr")
    expect(rows).to_have_count(Article.objects.filter(project__slug="propaganda-demo").count())
    skipped = page.locator(".status-skipped")
    expect(skipped).to_have_count(1)
    expect(skipped).to_have_text("annotator1: Skipped")


def test_label_palette_tooltip_and_guidelines(page, demo):
    login(page, demo)
    open_article(page, demo, article("seed"))
    button = page.locator(".label-button[data-label=inserted_phrase]")
    expect(button.locator(".hotkey")).to_have_text(hotkey("inserted_phrase"))
    tip = page.locator("#tip-inserted_phrase")
    expect(tip).to_be_hidden()
    button.focus()
    expect(tip).to_be_visible()
    page.click("#guidelines-toggle")
    expect(page.locator("#guidelines-panel")).to_contain_text("Mark the exact words")


def test_image_floats_beside_its_caption(page, demo):
    seed = article("seed")
    caption = "A picture is worth\u00a0a thousand words: ISIS and US Army fighting side by side."
    start = seed.text.index(caption)
    # A 1x1 PNG from the site's own origin would need a file; a data: URL is allowed by the CSP.
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    ArticleImage.objects.create(
        article=seed, url=pixel, caption_start=start, caption_end=start + len(caption)
    )
    login(page, demo)
    open_article(page, demo, seed)
    figure = page.locator("#text figure.article-image")
    expect(figure).to_have_count(1)
    expect(figure.locator("img")).to_have_attribute("alt", caption)
    # The figure stands right before the block that holds the caption, and adds no text.
    following = figure.evaluate("f => f.nextElementSibling.textContent")
    assert following.startswith(caption)
    assert page.locator("#text").text_content() == seed.text
