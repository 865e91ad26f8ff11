"""The annotation page in Chromium: selecting a phrase and pressing a label's key makes a span
that is shown, listed, saved with exact code-point offsets, and still there after a reload."""

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    api_spans,
    article,
    drag_select,
    hotkey,
    login,
    open_article,
    select_phrase,
    span_items,
    wait_saved,
)

pytestmark = pytest.mark.browser

MISCAPTION = "A picture is worth\u00a0a thousand words: ISIS and US Army fighting side by side."


def test_seed_article_spans_survive_reload_with_exact_offsets(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)

    drag_select(page, "Protecting ISIS")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(page.locator("#text .seg").first).to_have_text("Protecting ISIS")
    expect(span_items(page)).to_have_count(1)
    expect(span_items(page).first).to_contain_text("Protecting ISIS")
    wait_saved(page)

    page.reload()
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    expect(span_items(page)).to_have_count(1)
    expect(span_items(page).first).to_contain_text("Protecting ISIS")
    [span] = api_spans(page, demo, seed)
    assert (span["start"], span["end"], span["text"]) == (0, 15, "Protecting ISIS")
    assert span["label"] == "inserted_phrase"

    assert MISCAPTION in seed.text
    select_phrase(page, MISCAPTION)
    page.keyboard.press(hotkey("image_miscaption"))
    expect(span_items(page)).to_have_count(2)
    wait_saved(page)
    start = seed.text.index(MISCAPTION)
    saved = {s["label"]: s for s in api_spans(page, demo, seed)}
    caption = saved["image_miscaption"]
    assert (caption["start"], caption["end"]) == (start, start + len(MISCAPTION))
    assert caption["text"] == seed.text[caption["start"] : caption["end"]] == MISCAPTION


@pytest.mark.parametrize(
    ("before", "phrase"),
    [
        ("👨\u200d👩\u200d👧\u200d👦 ", "these so-called families are paid actors"),
        ("«السلام عليكم»", "السلام عليكم"),
        ("are written with separate accents, and ", "the headline screamed"),
        ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 is spelled in mathematical Fraktur, and ", "only a fool"),
    ],
    ids=["after-emoji", "inside-rtl", "after-combining-marks", "after-astral"],
)
def test_unicode_demo_offsets_equal_python(page, demo, before, phrase):
    unicode_article = article("demo-unicode")
    text = unicode_article.text
    assert before in text
    assert phrase in text
    login(page, demo)
    open_article(page, demo, unicode_article)
    select_phrase(page, phrase)
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    [span] = api_spans(page, demo, unicode_article)
    start = text.index(phrase)
    assert (span["start"], span["end"]) == (start, start + len(phrase))
    assert span["text"] == text[span["start"] : span["end"]] == phrase


def test_touch_selection_then_a_tapped_label_makes_the_span(browser, demo):
    """On a touch screen the label is tapped after the selection is made with the system's
    handles; tapping elsewhere may clear the selection first, so the tap uses the last one."""
    seed = article("seed")
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 412, "height": 900}
    )
    touch = context.new_page()
    try:
        login(touch, demo)
        open_article(touch, demo, seed)
        select_phrase(touch, "Major Showdown")  # as long-press and the handles leave it
        touch.evaluate("getSelection().removeAllRanges()")  # the tap collapses it first
        touch.tap("#labels-toggle")  # on a narrow screen the palette is a drawer
        touch.tap('button.label-button[data-label="inserted_phrase"]')
        wait_saved(touch)
        spans = api_spans(touch, demo, seed)
        assert [(s["text"], s["label"]) for s in spans] == [("Major Showdown", "inserted_phrase")]
        start = seed.text.index("Major Showdown")
        assert (spans[0]["start"], spans[0]["end"]) == (start, start + len("Major Showdown"))
    finally:
        context.close()
