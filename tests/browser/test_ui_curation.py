"""#14 problem 3, curation in the text: the reviewer selects text (mouse or keyboard, the
annotation page's selection rules) and presses a label key to add a gold span; edits happen in
place next to the group; each group shows the annotators' notes; rows per annotator compare
them at a glance."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from ui_helpers import article, drag_select, hotkey, label_name, login, select_phrase

from annotator.annotations.models import Span
from annotator.annotations.spans import create_span

pytestmark = pytest.mark.browser


def mark(art, username, phrase, label, note=""):
    user = get_user_model().objects.get(username=username)
    start = art.text.index(phrase)
    create_span(art, user.pk, label=label, start=start, end=start + len(phrase), note=note)


def gold(art) -> list[tuple]:
    spans = Span.objects.filter(article=art, annotator__isnull=True).select_related("label")
    return sorted((s.start, s.end, s.text, s.label.key) for s in spans)


def open_review(page, demo, art):
    login(page, demo, "reviewer", "demo-reviewer")
    page.goto(f"{demo.url}/review/{art.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")


def test_a_selection_and_a_label_key_make_a_gold_span_after_emoji(page, demo):
    unicode_article = article("demo-unicode")
    phrase = "these so-called families are paid actors"
    mark(unicode_article, "annotator1", phrase, "name_calling")
    open_review(page, demo, unicode_article)

    drag_select(page, "paid actors")  # after a ZWJ family emoji: UTF-16 != code points
    page.keyboard.press(hotkey("loaded_language"))
    expect(page.locator("#review-status")).to_contain_text("Added to gold")
    start = unicode_article.text.index("paid actors")
    assert gold(unicode_article) == [(start, start + 11, "paid actors", "loaded_language")]
    expect(page.locator("#groups .group.in-gold")).to_contain_text("paid actors")

    # The keyboard: focus the text, select the first word with Ctrl+Shift+Right, a label key.
    page.locator("#text").focus()
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(page.locator("#groups .group.in-gold")).to_have_count(2)
    first = unicode_article.text.split()[0]
    assert (0, len(first), first, "inserted_phrase") in gold(unicode_article)

    # A label key with nothing selected says how to add a gold span.
    page.keyboard.press(hotkey("doubt"))
    expect(page.locator("#notice")).to_contain_text("select its text in the article first")


def test_notes_editor_in_place_and_rows_per_annotator(page, demo):
    seed = article("seed")
    mark(seed, "annotator1", "Protecting ISIS", "inserted_phrase", note="Not in the original")
    mark(seed, "annotator2", "Protecting ISIS", "inserted_phrase")
    mark(seed, "annotator2", "Major Showdown", "loaded_language", note="loaded?")
    open_review(page, demo, seed)

    groups = page.locator("#groups .group")
    expect(groups).to_have_count(2)
    expect(groups.nth(0).locator(".notes")).to_have_text("annotator1: Not in the original")
    expect(groups.nth(1).locator(".notes")).to_have_text("annotator2: loaded?")

    # The editor opens inside its group; the selection sets its range.
    groups.nth(1).focus()
    page.keyboard.press("e")
    form = groups.nth(1).locator("#edit-form")
    expect(form).to_be_visible()
    select_phrase(page, "a Major Showdown")
    form.get_by_role("button", name="Use the selected text").click()
    expect(form.locator("#edit-text")).to_have_text("a Major Showdown")
    form.get_by_role("button", name="Accept edited").click()
    expect(page.locator("#review-status")).to_contain_text("Accepted edited span")
    start = seed.text.index("a Major Showdown")
    assert gold(seed) == [(start, start + 16, "a Major Showdown", "loaded_language")]

    # Rows per annotator: under each paragraph, one row per annotator with their spans.
    page.check("#rows-toggle")
    title_rows = page.locator("#text .rows").first.locator(".row")
    expect(title_rows).to_have_count(2)
    expect(title_rows.nth(0).locator(".row-name")).to_have_text("annotator1")
    expect(title_rows.nth(0).locator(".row-seg")).to_have_text(["Protecting ISIS"])
    expect(title_rows.nth(1).locator(".row-seg")).to_have_text(
        ["Protecting ISIS", "Major Showdown"]
    )
    # Clicking a row's highlight picks its group; rows add nothing to the article's text.
    title_rows.nth(1).locator(".row-seg").nth(1).click()
    expect(groups.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
    assert page.locator("#text .block").all_text_contents() != []
    shown = "".join(page.locator("#text .block").all_text_contents())
    assert shown == seed.text
    expect(groups.nth(2)).to_contain_text(label_name("loaded_language"))
