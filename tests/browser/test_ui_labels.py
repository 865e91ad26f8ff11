"""#14 problem 2, labels readable in the text: the label's name (and note) on hover and on
keyboard focus of a highlight, a legend of the labels in use, names inline above highlights on
request, and the span list with the whole phrase and its label's name. (The default colours
are checked over every preset in tests/test_colours.py.)"""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    article,
    hotkey,
    label_name,
    login,
    open_article,
    select_phrase,
    span_items,
    wait_saved,
)

pytestmark = pytest.mark.browser

LONG = (
    "The Syrian regime and Iranian militias have increasingly tried to take out remaining ISIS "
    "targets, while U.S.-led coalition protects them, leading to warnings"
)


def card(page):
    return page.locator(".span-card")


def test_hover_and_keyboard_focus_show_the_label_and_the_note(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    page.keyboard.press("n")
    page.keyboard.type("a war that is not coming")
    page.keyboard.press("Escape")
    select_phrase(page, "Protecting ISIS")
    page.keyboard.press(hotkey("inserted_phrase"))
    wait_saved(page)
    page.keyboard.press("Escape")
    page.mouse.move(0, 0)
    expect(card(page)).to_be_hidden()

    page.locator("#text .seg", has_text="Major Showdown").first.hover()
    expect(card(page)).to_be_visible()
    expect(card(page)).to_contain_text(label_name("loaded_language"))
    expect(card(page)).to_contain_text("Note: a war that is not coming")
    page.mouse.move(0, 0)
    expect(card(page)).to_be_hidden()

    # Keyboard: focus the text, Tab goes from span to span, the card follows.
    page.locator("#text").focus()
    page.keyboard.press("Tab")
    expect(card(page)).to_contain_text(label_name("inserted_phrase"))
    expect(page.locator("#text")).to_have_attribute("aria-describedby", "text-card")
    page.keyboard.press("Tab")
    expect(card(page)).to_contain_text(label_name("loaded_language"))
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(card(page)).to_contain_text(label_name("inserted_phrase"))


def test_legend_inline_names_and_whole_phrases_in_the_list(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    assert LONG in seed.text
    select_phrase(page, LONG)
    page.keyboard.press(hotkey("loaded_framing"))
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    select_phrase(page, "Protecting ISIS")
    page.keyboard.press(hotkey("loaded_language"))
    wait_saved(page)

    legend = page.locator("#legend .legend-item")
    expect(legend).to_have_count(2)
    expect(legend.nth(0)).to_have_text(re.compile(rf"^{label_name('loaded_framing')}\s*1$"))
    expect(legend.nth(1)).to_have_text(re.compile(rf"^{label_name('loaded_language')}\s*2$"))
    legend.nth(1).click()  # the legend filters the list
    expect(span_items(page)).to_have_count(2)
    legend.nth(1).click()
    expect(span_items(page)).to_have_count(3)

    # The whole phrase, wrapping, with the label's name (#14: cut to ~10 characters).
    row = span_items(page).filter(has_text="Syrian regime")
    expect(row.locator(".span-label")).to_have_text(label_name("loaded_framing"))
    expect(row.locator(".span-text")).to_have_text(LONG)
    fits = row.locator(".span-text").evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert fits, "the phrase is cut off instead of wrapping"
    assert row.bounding_box()["height"] > 60  # several lines

    # Names inline above the highlights, on request (remembered).
    first = page.locator("#text .seg[data-tag]").first
    tag = "el => getComputedStyle(el, '::before').content"
    assert first.evaluate(tag) == "none"
    page.check("#show-names")
    assert first.evaluate(tag) == f'"{label_name("loaded_language")}"'
    page.reload()
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#show-names")).to_be_checked()
    assert page.locator("#text .seg[data-tag]").first.evaluate(tag) != "none"
