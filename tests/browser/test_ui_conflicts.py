"""A span changed elsewhere while the page still has the old version: the save answers 409, the
page shows both versions, and the annotator's choice is what the server ends with."""

import pytest
from playwright.sync_api import expect
from ui_helpers import article, hotkey, login, open_article, select_phrase, span_items, wait_saved

from annotator.annotations.models import Span
from annotator.annotations.spans import update_span

pytestmark = pytest.mark.browser


def change_behind_the_page(span_text: str) -> Span:
    span = Span.objects.get(text=span_text)
    return update_span(span, version=span.version, changes={"note": "changed by a reviewer"})


@pytest.mark.parametrize("choice", ["Keep mine", "Keep the server's"])
def test_conflict_shows_both_versions_and_keeps_the_chosen_one(page, demo, choice):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("inserted_phrase"))
    wait_saved(page)
    server = change_behind_the_page("Major Showdown")
    assert server.version == 2

    # The span is still selected: a label key relabels it, from the version the page has (1).
    page.keyboard.press(hotkey("image_miscaption"))
    conflict = page.locator(".conflict")
    # Labels by name (#14: the banner showed keys).
    expect(conflict).to_contain_text("Yours: Image miscaption “Major Showdown”")
    expect(conflict).to_contain_text("On the server: Inserted phrase “Major Showdown”")
    # Waiting for the annotator's choice is not "Saved".
    expect(page.locator("#save-status")).to_have_text("1 change not saved: see the message")
    expect(conflict).to_contain_text("changed by a reviewer")
    assert Span.objects.get(pk=server.pk).label.key == "inserted_phrase"

    conflict.get_by_role("button", name=choice).click()
    expect(conflict).to_have_count(0)
    wait_saved(page)
    stored = Span.objects.select_related("label").get(article=seed)
    if choice == "Keep mine":
        assert (stored.label.key, stored.note, stored.version) == ("image_miscaption", "", 3)
        expect(span_items(page)).to_contain_text(["Image miscaption"])
    else:
        assert (stored.label.key, stored.note, stored.version) == (
            "inserted_phrase",
            "changed by a reviewer",
            2,
        )
        expect(span_items(page)).to_contain_text(["Inserted phrase"])
        # The page now edits from the server's version: a further change saves cleanly.
        page.keyboard.press("Escape")
        span_items(page).first.click()
        page.keyboard.press(hotkey("loaded_language"))
        wait_saved(page)
        assert Span.objects.get(article=seed).label.key == "loaded_language"
