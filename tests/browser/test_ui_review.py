"""The reviewer's curation page: accept with the keyboard, reject, edit, auto-accept >= k, the
curation status; annotators cannot reach it."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from ui_helpers import article, login

from annotator.annotations.models import Curation, Span
from annotator.annotations.spans import create_span
from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Article
from annotator.schemas.models import Label

pytestmark = pytest.mark.browser


def labels():
    return list(
        Label.objects.filter(schema__projects__slug=PROJECT_SLUG, retired=False).order_by(
            "order", "id"
        )
    )


def mark(art: Article, username: str, phrase: str, label: Label):
    user = get_user_model().objects.get(username=username)
    start = art.text.index(phrase)  # code points
    create_span(art, user.pk, label=label.key, start=start, end=start + len(phrase))


def gold_via_api(page, server, art: Article) -> list[tuple]:
    response = page.request.get(f"{server.url}/api/v1/articles/{art.pk}/spans/?layer=gold")
    assert response.ok, response.text()
    return sorted((s["text"], s["label"]) for s in response.json())


def open_review(page, server, art: Article):
    page.goto(f"{server.url}/review/{art.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")


def groups(page):
    return page.locator("#groups .group")


def test_reviewer_accepts_rejects_and_edits_with_the_keyboard(page, demo):
    seed = article("seed")
    first, second = labels()[:2]
    mark(seed, "annotator1", "Major Showdown", first)
    mark(seed, "annotator2", "Major Showdown", first)
    mark(seed, "annotator2", "thousand words", second)
    login(page, demo, "reviewer", "demo-reviewer")
    page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/articles/")
    page.locator(f"tr[data-article='{seed.pk}']").get_by_role("link", name="Review").click()
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")

    expect(groups(page)).to_have_count(2)
    agreed, single = groups(page).nth(0), groups(page).nth(1)
    expect(agreed).to_contain_text("Major Showdown")
    expect(agreed.locator(".who")).to_contain_text("2 of 2 annotators: annotator1, annotator2")
    expect(single.locator(".who")).to_contain_text("1 of 2 annotators: annotator2")

    agreed.focus()
    page.keyboard.press("a")
    expect(groups(page).nth(0).locator(".badge")).to_have_text("gold")
    assert gold_via_api(page, demo, seed) == [("Major Showdown", first.key)]

    current = re.compile(r"\bcurrent\b")
    page.keyboard.press("Tab")  # inside the list, Tab steps to the next group
    expect(groups(page).nth(1)).to_have_class(current)
    expect(groups(page).nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(groups(page).nth(0)).to_have_class(current)
    page.keyboard.press("ArrowDown")
    expect(groups(page).nth(1)).to_have_class(current)
    page.keyboard.press("r")
    expect(groups(page).nth(1).locator(".badge")).to_have_text("rejected")
    assert Curation.objects.get(article=seed).rejected == [
        [seed.text.index("thousand words"), seed.text.index("thousand words") + 14, second.key]
    ]

    # Edit the rejected candidate: one more word, then accept the edited span.
    page.keyboard.press("e")
    end = page.locator("#edit-end")
    end.fill(str(seed.text.index("thousand words") + len("thousand words:")))
    expect(page.locator("#edit-text")).to_have_text("thousand words:")
    page.get_by_role("button", name="Accept edited").click()
    expect(page.locator("#review-status")).to_contain_text("Accepted edited span")
    assert gold_via_api(page, demo, seed) == sorted(
        [("Major Showdown", first.key), ("thousand words:", second.key)]
    )

    page.select_option("#curation-status", "done")
    expect(page.locator("#review-status")).to_have_text("Curation status: done")
    assert Curation.objects.get(article=seed).status == "done"


def test_auto_accept_k2_promotes_exactly_the_agreeing_spans(page, demo):
    seed = article("seed")
    other = Article.objects.filter(project=seed.project).exclude(pk=seed.pk).order_by("pk")[0]
    first, second = labels()[:2]
    mark(seed, "annotator1", "Major Showdown", first)
    mark(seed, "annotator2", "Major Showdown", first)  # agree
    mark(seed, "annotator1", "thousand words", first)  # alone
    mark(seed, "annotator2", "thousand words", second)  # same offsets, other label: alone
    mark(seed, "annotator2", "side by side", first)  # alone
    phrase = other.text.split("\n")[0][:12]
    mark(other, "annotator1", phrase, second)
    mark(other, "annotator2", phrase, second)  # agree, in another article
    login(page, demo, "reviewer", "demo-reviewer")
    open_review(page, demo, seed)
    expect(groups(page)).to_have_count(4)

    page.fill("#auto-k", "2")
    page.get_by_role("button", name="Accept in this article").click()
    expect(page.locator("#review-status")).to_have_text("Auto-accept (k ≥ 2): 1 promoted")
    expect(page.locator("#groups .group.in-gold")).to_have_count(1)
    expect(page.locator("#groups .group.in-gold")).to_contain_text("Major Showdown")
    assert gold_via_api(page, demo, seed) == [("Major Showdown", first.key)]
    assert not Span.objects.filter(article=other, annotator__isnull=True).exists()

    page.get_by_role("button", name="Accept in the whole project").click()
    expect(page.locator("#review-status")).to_have_text("Auto-accept (k ≥ 2): 1 promoted")
    assert gold_via_api(page, demo, other) == [(phrase, second.key)]
    assert gold_via_api(page, demo, seed) == [("Major Showdown", first.key)]


def test_annotators_cannot_reach_the_review_page_or_api(page, demo):
    seed = article("seed")
    login(page, demo)  # annotator1, assigned to the seed article
    response = page.goto(f"{demo.url}/review/{seed.pk}/")
    assert response.status == 404
    api = page.request.get(f"{demo.url}/api/v1/articles/{seed.pk}/review/")
    assert api.status == 404
    gold = page.request.get(f"{demo.url}/api/v1/articles/{seed.pk}/spans/?layer=gold")
    assert gold.status == 403  # other layers: refused (they know the article)
    assert page.request.get(f"{demo.url}/projects/{PROJECT_SLUG}/articles/").status == 404
