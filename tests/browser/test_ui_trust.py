"""#14 problem 1, phantom spans: the page shows what the server has. A change the server refuses
is rolled back at once with a message naming the label, the status never says Saved meanwhile;
what the page already knows the server would refuse is refused before it is sent."""

import pytest
from playwright.sync_api import expect
from ui_helpers import (
    api_post,
    api_spans,
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

from annotator.annotations.models import Span
from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Project

pytestmark = pytest.mark.browser


def test_a_span_the_server_refuses_is_rolled_back_and_never_called_saved(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    # Another tab of the same annotator stores "Major Showdown" first; this page cannot know.
    start = seed.text.index("Major Showdown")
    body = {"label": "inserted_phrase", "start": start, "end": start + len("Major Showdown")}
    api_post(page, demo, f"/articles/{seed.pk}/spans/", body)

    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("inserted_phrase"))
    banner = page.locator(".conflict")
    name = label_name("inserted_phrase")
    expect(banner).to_contain_text(f"Not added: {name} “Major Showdown”")
    expect(banner).to_contain_text(f"An identical span ({name} at [{start}, {start + 14}))")
    expect(banner).not_to_contain_text("inserted_phrase")  # names, never keys
    # Rolled back: neither drawn nor listed; the status says it was not saved.
    expect(span_items(page)).to_have_count(0)
    expect(page.locator("#text .seg")).to_have_count(0)
    status = page.locator("#save-status")
    expect(status).to_have_text("1 change not saved: see the message")
    expect(status).to_have_attribute("data-state", "refused")
    banner.get_by_role("button", name="Dismiss").click()
    wait_saved(page)
    assert Span.objects.filter(article=seed).count() == 1


def test_the_page_refuses_an_identical_span_and_a_forbidden_overlap_at_once(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    wait_saved(page)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    name = label_name("loaded_language")
    expect(notice(page)).to_have_text(f"Not added: you already marked “Major Showdown” as {name}.")
    expect(span_items(page)).to_have_count(1)
    expect(page.locator("#save-status")).to_have_text("Saved")

    Project.objects.filter(slug=PROJECT_SLUG).update(allow_overlap=False)
    page.reload()
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")
    select_phrase(page, "Showdown With Iran")
    page.keyboard.press(hotkey("inserted_phrase"))
    expect(notice(page)).to_contain_text(
        f"does not allow overlapping spans, and it would overlap {name} “Major Showdown”"
    )
    expect(span_items(page)).to_have_count(1)
    wait_saved(page)
    assert [s["text"] for s in api_spans(page, demo, seed)] == ["Major Showdown"]


def test_a_refused_relabel_goes_back_to_the_servers_label(page, demo):
    seed = article("seed")
    login(page, demo)
    open_article(page, demo, seed)
    select_phrase(page, "Major Showdown")
    page.keyboard.press(hotkey("loaded_language"))
    wait_saved(page)
    # Behind the page: the same phrase as inserted_phrase, so a relabel would duplicate it.
    start = seed.text.index("Major Showdown")
    body = {"label": "inserted_phrase", "start": start, "end": start + len("Major Showdown")}
    api_post(page, demo, f"/articles/{seed.pk}/spans/", body)
    page.keyboard.press(hotkey("inserted_phrase"))  # the new span is still selected
    expect(page.locator(".conflict")).to_contain_text(
        f"Not changed: {label_name('inserted_phrase')} “Major Showdown”"
    )
    expect(span_items(page)).to_have_count(1)
    expect(span_items(page).first).to_contain_text(label_name("loaded_language"))
