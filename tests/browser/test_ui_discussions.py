"""Discussions in the browser: an annotator comments on a span and on the article, the reviewer
reads and answers them on the review page, the annotator reads the answer, and the other
annotator of the article reads none of it (blind)."""

import pytest
from playwright.sync_api import expect
from ui_helpers import article, hotkey, login, open_article, select_phrase, wait_saved

from annotator.annotations.models import Comment

pytestmark = pytest.mark.browser


def post(box, text):
    box.get_by_role("textbox").fill(text)
    box.get_by_role("button", name="Post").click()
    expect(box.locator(".comment-body", has_text=text)).to_be_visible()


def test_annotator_and_reviewer_discuss_a_span_blind_to_the_other_annotator(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    wait_saved(page)
    page.locator("#span-discussion-box summary").click()
    post(page.locator("#span-discussion"), "Is a showdown loaded, or just big?")
    page.locator("#article-discussion-box summary").click()
    post(page.locator("#article-discussion"), "The title repeats itself.")
    expect(page.locator("#span-list .span-item")).to_contain_text("1 comment")

    page.get_by_role("button", name="Log out").click()
    login(page, demo, "reviewer", "demo-reviewer")
    page.goto(f"{demo.url}/review/{seed.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")
    group = page.locator("#groups .group").first
    discussion = group.locator("details.group-discussion")
    expect(discussion.locator("summary")).to_have_text("Discussion (1)")
    discussion.locator("summary").click()
    expect(discussion).to_contain_text("Is a showdown loaded, or just big?")
    post(discussion.locator(".thread").first, "Loaded: keep it.")
    page.locator("#article-discussion-box summary").click()
    expect(page.locator("#article-discussion")).to_contain_text("The title repeats itself.")

    page.get_by_role("button", name="Log out").click()
    login(page, demo, "annotator2", "demo-annotator2")
    open_article(page, demo, seed)
    page.locator("#article-discussion-box summary").click()
    expect(page.locator("#article-discussion .comment")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    login(page, demo)
    open_article(page, demo, seed)
    page.locator("#span-list .span-item").first.click()
    page.locator("#span-discussion-box summary").click()
    expect(page.locator("#span-discussion .comment")).to_have_count(2)
    expect(page.locator("#span-discussion")).to_contain_text("Loaded: keep it.")
    assert Comment.objects.filter(article=seed).count() == 3
