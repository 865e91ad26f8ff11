"""#14 problem 5, the smaller things: Done/Skip undoable and skipped apart from done, feedback
for a key with nothing selected, bidi isolation next to numbers, Markdown guidelines in a panel
(Shift+G), the `?` shortcut list, an 800 px layout, the dark theme, the seed's title once, no
"0 of 0" for researchers, "1 change waiting"."""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    api_post,
    article,
    hotkey,
    label_name,
    login,
    notice,
    open_article,
    select_phrase,
    span_items,
    wait_saved,
)

from annotator.corpus.models import Assignment

pytestmark = pytest.mark.browser

HEBREW = "אנחנו לא נוותר לעולם"

# x of the first character of `a` and of `b` inside the element's "[a, b)" (as drawn).
NUMBER_X = """([sel, a, b]) => {
  const root = document.querySelector(sel);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const wanted = `[${a}, ${b})`;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.data.indexOf(wanted);
    if (at < 0) continue;
    const x = (i) => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                       return r.getBoundingClientRect().left; };
    return [x(at + 1), x(at + 3 + String(a).length)];
  }
  return null;
}"""


def status_of(art, username="annotator1"):
    return Assignment.objects.get(article=art, annotator__username=username).status


def test_done_and_skip_wait_for_an_undo_and_skipped_is_not_done(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    page.keyboard.press("d")
    bar = page.locator("#finish-bar")
    expect(bar).to_contain_text("Marking this article done in")
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(notice(page)).to_have_text("Undone: the article stays open.")
    page.click("#skip")
    expect(bar).to_contain_text("Skipping this article in")
    bar.get_by_role("button", name="Undo").click()
    expect(bar).to_be_hidden()
    # Now skip for real, at once with Enter: the undone Done never happened.
    page.keyboard.press("s")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(rf"/annotate/{seed.pk}/$"))
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    assert status_of(seed) == "skipped"
    expect(page.locator("#progress")).to_have_text(re.compile(r"^0 of \d+ done, 1 skipped$"))


def test_a_label_key_with_nothing_selected_says_so(page, demo):
    login(page, demo)
    open_article(page, demo, article("seed"))
    page.keyboard.press(hotkey("loaded_language"))
    expect(notice(page)).to_have_text(
        f"Nothing to label with {label_name('loaded_language')}: select some text first, "
        "or a span to relabel."
    )


def test_offsets_beside_right_to_left_text_stay_in_order(page, demo):
    rtl = article("demo-rtl-ceasefire")
    start = rtl.text.index(HEBREW)
    end = start + len(HEBREW)
    login(page, demo)
    open_article(page, demo, rtl)
    select_phrase(page, HEBREW)
    page.keyboard.press(hotkey("inserted_phrase"))
    wait_saved(page)
    expect(page.locator("#editor-summary")).to_contain_text(f"[{start}, {end})")
    left, right = page.evaluate(NUMBER_X, ["#editor-summary", start, end])
    assert left < right, "the start offset is drawn after the end offset"

    # The refusal banner too: the same span, stored behind the page, then again on the page.
    page.keyboard.press("Escape")
    body = {"label": "loaded_language", "start": start, "end": end}
    api_post(page, demo, f"/articles/{rtl.pk}/spans/", body)
    select_phrase(page, HEBREW)
    page.keyboard.press(hotkey("loaded_language"))
    expect(page.locator(".conflict")).to_contain_text(f"[{start}, {end})")
    left, right = page.evaluate(NUMBER_X, [".conflict", start, end])
    assert left < right


def test_guidelines_panel_renders_markdown_and_the_shortcut_list(page, demo):
    login(page, demo)
    open_article(page, demo, article("seed"))
    panel = page.locator("#guidelines-panel")
    expect(panel).to_be_hidden()
    page.keyboard.press("Shift+G")
    expect(panel).to_be_visible()
    expect(panel.locator("strong").first).to_have_text("Manipulation edits")
    expect(panel.locator("ul > li")).to_have_count(2)
    expect(panel).not_to_contain_text("**")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    page.keyboard.press("?")
    keys = page.locator("#keys-dialog")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("Label keys")
    row = keys.locator("dt", has_text=re.compile(rf"^{re.escape(hotkey('loaded_language'))}$"))
    expect(row).to_have_count(1)
    expect(keys).to_contain_text(label_name("loaded_language"))
    for key in ("Ctrl+Z", "Shift+Tab", "Delete", "Esc", "?"):
        expect(keys.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()


def test_800_pixels_wide_the_palette_collapses_and_labelling_works(page, demo):
    seed = article("seed")
    page.set_viewport_size({"width": 800, "height": 900})
    login(page, demo)
    open_article(page, demo, seed)
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    expect(page.locator("#palette")).to_be_hidden()
    assert page.locator("#text").bounding_box()["width"] >= 420
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))  # keys work with the palette closed
    expect(span_items(page)).to_have_count(1)
    page.keyboard.press("Shift+L")
    expect(page.locator("#palette")).to_be_visible()
    select_phrase(page, "Protecting ISIS")
    page.locator(".label-button[data-label=inserted_phrase]").click()
    expect(span_items(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator("#palette")).to_be_hidden()


def test_dark_theme_follows_the_system(page, demo):
    page.emulate_media(color_scheme="dark")
    login(page, demo)
    open_article(page, demo, article("seed"))
    colours = page.evaluate(
        "() => [getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(document.getElementById('text')).color]"
    )
    assert colours == ["rgb(23, 24, 28)", "rgb(232, 232, 234)"]
    page.emulate_media(color_scheme="light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


def test_the_seed_title_shows_once(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    title = page.locator("#title")
    expect(title).to_have_text(seed.title)  # for screen readers, as the page's heading
    expect(title).to_have_class(re.compile(r"\bvisually-hidden\b"))
    expect(page.locator("#text .block").first).to_have_class(re.compile(r"\btitle-line\b"))
    big = page.locator("#text .block.title-line")
    expect(big).to_have_count(1)


def test_researchers_see_no_empty_progress_bar(page, demo):
    login(page, demo, "researcher", "demo-researcher")
    project = page.locator(".project", has_text="Propaganda demo")
    expect(project.locator(".role")).to_have_text("researcher")
    expect(project.locator("progress")).to_have_count(0)
    expect(project).not_to_contain_text("0 of 0")


def test_offline_one_change_waiting(page, demo):
    login(page, demo)
    open_article(page, demo, article("seed"))
    page.context.set_offline(True)
    try:
        select_phrase(page, "Major Showdown")
        page.keyboard.press(hotkey("loaded_language"))
        expect(page.locator("#save-status")).to_have_text("Offline: 1 change waiting")
    finally:
        page.context.set_offline(False)
    wait_saved(page)  # back online, the queue sends it


def test_review_page_title_once_too(page, demo):
    seed = article("seed")
    login(page, demo, "reviewer", "demo-reviewer")
    page.goto(f"{demo.url}/review/{seed.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#title")).to_have_class(re.compile(r"\bvisually-hidden\b"))
