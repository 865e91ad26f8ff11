"""Selection details (across line breaks, trimming, snapping to words, a label clicked instead of
its key), notes, the list filter, and Done, in Chromium."""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    api_spans,
    article,
    drag_select,
    hotkey,
    label_name,
    login,
    open_article,
    select_phrase,
    span_items,
    wait_saved,
)

pytestmark = pytest.mark.browser


def saved(page, demo, art):
    wait_saved(page)
    return sorted((s["start"], s["end"], s["text"], s["label"]) for s in api_spans(page, demo, art))


def test_mouse_selection_across_lines_trimmed_and_clicked_label(page, demo):
    seed = article("seed")
    text = seed.text
    login(page, demo)
    open_article(page, demo, seed)
    # A drag from the title line into the next paragraph keeps the line breaks.
    drag_select(page, "in Syria\n\nProtecting")
    page.keyboard.press(hotkey("inserted_phrase"))
    # Surrounding spaces (a no-break space too) are trimmed; a click on a label works as its key.
    select_phrase(page, " worth\u00a0a thousand ")
    page.locator(".label-button[data-label=image_miscaption]").click()
    expect(span_items(page)).to_have_count(2)
    across = text.index("in Syria\n\nProtecting")
    worth = text.index("worth\u00a0a thousand")
    assert saved(page, demo, seed) == [
        (across, across + 20, "in Syria\n\nProtecting", "inserted_phrase"),
        (worth, worth + 16, "worth\u00a0a thousand", "image_miscaption"),
    ]
    assert text[across : across + 20] == "in Syria\n\nProtecting"


def test_snap_to_words_is_a_remembered_choice(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    page.check("#snap-words")
    select_phrase(page, "otecting IS")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(span_items(page)).to_have_count(1)
    assert saved(page, demo, seed) == [(0, 15, "Protecting ISIS", "inserted_phrase")]
    page.reload()
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#snap-words")).to_be_checked()


def test_note_filter_and_done(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Protecting ISIS")
    page.keyboard.press(hotkey("inserted_phrase"))
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    # The new span is selected: n opens its note, Escape leaves the note (and saves it).
    page.keyboard.press("n")
    expect(page.locator("#note")).to_be_focused()
    page.keyboard.type("big claim")
    page.keyboard.press("Escape")
    expect(span_items(page).filter(has_text="Major Showdown")).to_contain_text("Note: big claim")
    page.select_option("#filter", "loaded_language")
    expect(span_items(page)).to_have_count(1)
    expect(span_items(page)).to_contain_text(label_name("loaded_language"))
    page.select_option("#filter", "")
    expect(span_items(page)).to_have_count(2)
    wait_saved(page)
    notes = {s["text"]: s["note"] for s in api_spans(page, demo, seed)}
    assert notes == {"Protecting ISIS": "", "Major Showdown": "big claim"}

    page.click("#done")
    expect(page).not_to_have_url(re.compile(rf"/annotate/{seed.pk}/$"))
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#progress")).to_have_text(re.compile(r"^1 of \d+ done$"))
    assert seed.assignments.get(annotator__username="annotator1").status == "done"
