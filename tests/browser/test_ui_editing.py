"""Overlapping spans, deleting and undo, offline work, and keyboard-only use, in Chromium."""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    api_spans,
    article,
    hotkey,
    label_name,
    login,
    open_article,
    select_phrase,
    span_items,
    wait_saved,
)

from annotator.annotations.models import Span

pytestmark = pytest.mark.browser


def spans_by_text(page, demo, art):
    return sorted((s["text"], s["label"]) for s in api_spans(page, demo, art))


def test_overlapping_spans_visible_selectable_deletable_and_undo(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Protecting ISIS, US Could")
    page.keyboard.press(hotkey("inserted_phrase"))
    select_phrase(page, "ISIS, US Could be Headed")
    page.keyboard.press(hotkey("image_miscaption"))
    expect(span_items(page)).to_have_count(2)

    # The shared words carry both spans, drawn as two stacked underlines of different colours.
    shared = page.locator("#text .seg", has_text=re.compile(r"^ISIS, US Could$"))
    expect(shared).to_have_count(1)
    colours = shared.evaluate(
        "el => [...getComputedStyle(el).backgroundImage"
        ".matchAll(/linear-gradient\\((rgb[^)]*\\))/g)].map(m => m[1])"
    )
    assert len(set(colours)) >= 2, colours
    wait_saved(page)
    assert spans_by_text(page, demo, seed) == [
        ("ISIS, US Could be Headed", "image_miscaption"),
        ("Protecting ISIS, US Could", "inserted_phrase"),
    ]

    # Clicking the shared words selects one span, clicking again the other.
    shared.click()
    first = page.locator("#editor-summary").text_content()
    shared.click()
    second = page.locator("#editor-summary").text_content()
    names = {label_name("inserted_phrase"), label_name("image_miscaption")}
    assert {first.split(":")[0], second.split(":")[0]} == names
    # Delete the selected one with the Delete key, then the other from the list.
    page.keyboard.press("Delete")
    expect(span_items(page)).to_have_count(1)
    span_items(page).first.click()
    page.keyboard.press("Delete")
    expect(span_items(page)).to_have_count(0)
    expect(page.locator("#text .seg")).to_have_count(0)
    wait_saved(page)
    assert api_spans(page, demo, seed) == []

    # Undo brings the last deleted span back, on screen and on the server.
    page.keyboard.press("Control+z")
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    assert len(api_spans(page, demo, seed)) == 1
    page.keyboard.press("Control+z")
    expect(span_items(page)).to_have_count(2)
    wait_saved(page)
    assert spans_by_text(page, demo, seed) == [
        ("ISIS, US Could be Headed", "image_miscaption"),
        ("Protecting ISIS, US Could", "inserted_phrase"),
    ]
    # Redo deletes again.
    page.keyboard.press("Control+Shift+z")
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    assert len(api_spans(page, demo, seed)) == 1


def test_offline_changes_replay_after_reload_exactly_once(page, demo):
    seed = article("seed")
    key = hotkey("inserted_phrase")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Protecting ISIS")
    page.keyboard.press(key)
    wait_saved(page)

    page.route("**/api/v1/**", lambda route: route.abort())
    select_phrase(page, "Major Showdown")
    page.keyboard.press(key)
    select_phrase(page, "Iran and Russia")
    page.keyboard.press(key)
    select_phrase(page, "campaign to retake")
    page.keyboard.press(key)
    expect(span_items(page)).to_have_count(4)
    span_items(page).filter(has_text="Protecting ISIS").click()
    page.keyboard.press("Delete")
    span_items(page).filter(has_text="Iran and Russia").click()
    page.keyboard.press("Delete")
    expect(span_items(page)).to_have_count(2)
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Offline: \d+ changes waiting"))

    page.reload()  # the page itself loads; the API is still cut off
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(span_items(page)).to_have_count(2)
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Offline: \d+ changes waiting"))
    expect(page.locator(".conflict")).to_contain_text("The server cannot be reached")

    page.unroute("**/api/v1/**")
    page.click("#retry-now")
    wait_saved(page)
    assert spans_by_text(page, demo, seed) == [
        ("Major Showdown", "inserted_phrase"),
        ("campaign to retake", "inserted_phrase"),
    ]
    assert Span.objects.filter(article=seed).count() == 2


def test_a_tab_closed_offline_loses_nothing_to_another_tab(page, demo):
    """Two tabs of one annotator work offline; one is closed before it could save. Its
    changes are not overwritten by the other tab's: the next tab to open sends them."""
    seed = article("seed")
    key = hotkey("inserted_phrase")
    login(page, demo)
    other = page.context.new_page()
    for tab in (page, other):
        open_article(tab, demo, seed)
        tab.route("**/api/v1/**", lambda route: route.abort())
    select_phrase(page, "Major Showdown")
    page.keyboard.press(key)
    select_phrase(other, "Iran and Russia")
    other.keyboard.press(key)
    for tab in (page, other):
        expect(tab.locator("#save-status")).to_have_text(re.compile(r"^Offline: 1 change"))
    page.close()  # closed with its change unsent

    third = other.context.new_page()  # online: takes over the closed tab's queue
    open_article(third, demo, seed)
    wait_saved(third)
    expect(span_items(third).filter(has_text="Major Showdown")).to_have_count(1)
    other.unroute("**/api/v1/**")
    other.click("#retry-now")
    wait_saved(other)
    assert spans_by_text(third, demo, seed) == [
        ("Iran and Russia", "inserted_phrase"),
        ("Major Showdown", "inserted_phrase"),
    ]


def test_keyboard_only_create_and_relabel(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    for _ in range(80):
        if page.evaluate("document.activeElement.id") == "text":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "text"
    # Caret at the start; Ctrl+Shift+Right selects the first word, Shift+Right adds characters.
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(span_items(page)).to_have_count(1)
    # The new span is selected: another label key relabels it, Alt+Left shortens its end.
    page.keyboard.press(hotkey("image_miscaption"))
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator("#editor-summary")).to_contain_text("Protecting ISI")
    wait_saved(page)
    [span] = api_spans(page, demo, seed)
    assert (span["start"], span["end"], span["label"]) == (0, 14, "image_miscaption")
    assert span["text"] == seed.text[0:14]

    # A second span from the keyboard, then [ and ] move between spans and Delete removes one.
    page.keyboard.press("Escape")
    for _ in range(3):
        page.keyboard.press("Control+ArrowRight")  # caret after "Protecting ISIS, US"
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(span_items(page)).to_have_count(2)
    page.keyboard.press("[")
    expect(page.locator("#editor-summary")).to_contain_text("Protecting ISI")
    page.keyboard.press("]")
    expect(page.locator("#editor-summary")).to_contain_text("Could")
    page.keyboard.press("Delete")
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    assert [s["text"] for s in api_spans(page, demo, seed)] == ["Protecting ISI"]
