"""Diff suggestions in Chromium: the seed article's edits are shown as dashed candidates; an
annotator accepts one with a key and the stored span has the diff's exact code-point range."""

import pytest
from playwright.sync_api import expect
from ui_helpers import api_spans, article, hotkey, login, open_article, span_items, wait_saved

from annotator.annotations.suggestions import diff

pytestmark = pytest.mark.browser


def suggestion_items(page):
    return page.locator("#suggestion-list li.suggestion:not(.deleted)")


def test_annotator_accepts_the_first_protecting_isis_suggestion(page, demo):
    seed = article("seed")
    expected = diff(seed.original_text, seed.text).suggestions
    first = expected[0]
    assert first.text == "Protecting ISIS"
    login(page, demo)
    open_article(page, demo, seed)

    expect(suggestion_items(page)).to_have_count(len(expected))
    expect(page.locator("#suggestions h2")).to_have_text(f"Suggestions ({len(expected)})")
    assert page.locator(".suggestion-layer .suggestion-mark").count() >= len(expected)
    expect(suggestion_items(page).first).to_contain_text("Inserted: “Protecting ISIS”")

    page.keyboard.press("}")  # pick the first suggestion
    expect(suggestion_items(page).first.locator(".suggestion-pick")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press("y")
    expect(span_items(page)).to_have_count(1)
    expect(span_items(page).first).to_contain_text("Protecting ISIS")
    expect(suggestion_items(page)).to_have_count(len(expected) - 1)
    wait_saved(page)

    [span] = api_spans(page, demo, seed)
    assert (span["start"], span["end"], span["text"]) == (first.start, first.end, first.text)
    assert (span["label"], span["origin"]) == ("inserted_phrase", "suggestion")


def test_dismiss_and_accept_as_another_label_with_its_key(page, demo):
    seed = article("seed")
    expected = diff(seed.original_text, seed.text).suggestions
    login(page, demo)
    open_article(page, demo, seed)
    expect(suggestion_items(page)).to_have_count(len(expected))

    suggestion_items(page).nth(1).locator(".suggestion-dismiss").click()
    expect(suggestion_items(page)).to_have_count(len(expected) - 1)
    page.reload()  # dismissed stays dismissed for this user in this browser
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(suggestion_items(page)).to_have_count(len(expected) - 1)

    caption = next(s for s in expected if s.text.startswith("A picture"))
    item = page.locator("#suggestion-list li.suggestion", has_text="A picture")
    item.locator(".suggestion-pick").click()
    page.keyboard.press(hotkey("image_miscaption"))
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    [span] = api_spans(page, demo, seed)
    assert (span["start"], span["end"]) == (caption.start, caption.end)
    assert (span["label"], span["origin"]) == ("image_miscaption", "suggestion")
