"""The annotation page with the keyboard alone, from opening an article to finishing it: select,
label, move between spans, write a note, undo and redo, discuss a span, read the guidelines and
the shortcut list, and mark the article done. The mouse is never used."""

import re

import pytest
from playwright.sync_api import expect
from ui_helpers import api_spans, article, hotkey, label_name, login, span_items, wait_saved

from annotator.annotations.models import Comment

pytestmark = pytest.mark.browser


def tab_to(page, predicate: str, limit: int = 120):
    """Press Tab until `predicate` (JS over document.activeElement as `el`) holds."""
    for _ in range(limit):
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {predicate}")


def test_a_whole_article_with_the_keyboard_alone(page, demo):
    seed = article("seed")
    login(page, demo)
    page.goto(f"{demo.url}/annotate/{seed.pk}/")
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")

    tab_to(page, "el.id === 'text'")
    page.keyboard.press("Control+Shift+ArrowRight")  # "Protecting"
    page.keyboard.press("Control+Shift+ArrowRight")  # "Protecting ISIS"
    page.keyboard.press(hotkey("inserted_phrase"))
    for _ in range(3):
        page.keyboard.press("Control+ArrowRight")  # from the start: after "US"
    page.keyboard.press("ArrowRight")  # past the space: caret before "Could"
    for _ in range(5):
        page.keyboard.press("Control+Shift+ArrowRight")  # "Could be Headed for a"
    page.keyboard.press(hotkey("loaded_language"))
    expect(span_items(page)).to_have_count(2)
    expect(page.locator("#editor-summary")).to_contain_text("Could be Headed for a")

    # Tab moves between spans (the card names the label); Enter opens the note.
    page.keyboard.press("Escape")
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".span-card")).to_contain_text(label_name("inserted_phrase"))
    page.keyboard.press("Tab")
    expect(page.locator(".span-card")).to_contain_text(label_name("loaded_language"))
    page.keyboard.press("Enter")
    expect(page.locator("#note")).to_be_focused()
    page.keyboard.type("overstated")
    page.keyboard.press("Escape")
    expect(span_items(page).nth(1)).to_contain_text("Note: overstated")

    # Undo the note, redo it.
    page.keyboard.press("Control+z")
    expect(span_items(page).nth(1)).not_to_contain_text("Note:")
    page.keyboard.press("Control+Shift+z")
    expect(span_items(page).nth(1)).to_contain_text("Note: overstated")
    wait_saved(page)

    # Discuss the selected span: Tab to its discussion, open it, write, post.
    tab_to(page, "el.closest && el.closest('#span-discussion-box summary') !== null")
    page.keyboard.press("Enter")
    tab_to(page, "el.closest && el.closest('#span-discussion textarea') !== null")
    page.keyboard.type("Could be: too vague?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#span-discussion .comment-body")).to_have_text("Could be: too vague?")

    # The guidelines and the shortcut list open and close from the keys.
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+G")
    expect(page.locator("#guidelines-panel")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#keys-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#keys-dialog")).to_be_hidden()

    wait_saved(page)
    saved = sorted((s["text"], s["label"], s["note"]) for s in api_spans(page, demo, seed))
    assert saved == [
        ("Could be Headed for a", "loaded_language", "overstated"),
        ("Protecting ISIS", "inserted_phrase", ""),
    ]
    assert Comment.objects.get().body == "Could be: too vague?"

    page.keyboard.press("d")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(rf"/annotate/{seed.pk}/$"))
    assert seed.assignments.get(annotator__username="annotator1").status == "done"
