"""The dashboard in Chromium: with a known fixture (two annotators on the seed article, one
article done) the SVG charts show the numbers the services compute; researchers see no article
text and no review links; a new report is computed from the button; annotators get 404."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from ui_helpers import article, login

from annotator.agreement.models import AgreementReport
from annotator.agreement.services import report_now
from annotator.annotations.models import Span
from annotator.celery import app
from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Assignment, AssignmentStatus, Project
from annotator.schemas.models import Label

pytestmark = pytest.mark.browser


@pytest.fixture
def known(demo):
    """annotator1 marks "Protecting ISIS" [0,15), annotator2 "Protecting" [0,10), both done:
    labelled F1 P = 10/15, R = 1, F1 = 0.8 on the seed article; no other article is done."""
    users = {u.username: u for u in get_user_model().objects.all()}
    seed = article("seed")
    label = Label.objects.get(schema__projects__slug=PROJECT_SLUG, key="inserted_phrase")
    for name, end in (("annotator1", 15), ("annotator2", 10)):
        Span.objects.create(
            article=seed, annotator=users[name], label=label, start=0, end=end, text=seed.text[:end]
        )
    Assignment.objects.filter(article=seed).update(status=AssignmentStatus.DONE)
    project = Project.objects.get(slug=PROJECT_SLUG)
    report = report_now(project, done_only=True)  # what the dashboard shows by default
    assert report.status == "done"
    return project, report.results


def svg_texts(page, selector):
    return page.locator(selector).all_inner_texts()


def test_dashboard_shows_the_fixture_numbers_to_a_researcher(page, demo, known):
    project, results = known
    total = Assignment.objects.filter(
        article__project=project, annotator__username="annotator1"
    ).count()
    login(page, demo, "researcher", "demo-researcher")
    page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")

    progress = page.locator('#chart-progress g.bar-row[data-name="annotator1"] text.value')
    expect(progress).to_have_text(f"1 of {total} done")
    expect(
        page.locator('#chart-progress g.bar-row[data-name="annotator2"] text.value')
    ).to_have_text(f"1 of {total} done")
    labels = page.locator('#chart-labels g.bar-row[data-name="inserted_phrase"] text.value')
    expect(labels).to_have_text("2 (0)")

    # The heat map: both off-diagonal cells carry 0.80, the diagonal a dash.
    [pair] = results["pairs"]
    assert pair["semeval_labelled"]["f1"] == pytest.approx(0.8)
    cell = page.locator('#chart-heatmap g.cell[data-a="annotator1"][data-b="annotator2"] text')
    expect(cell).to_have_text("0.80")
    expect(
        page.locator('#chart-heatmap g.cell[data-a="annotator2"][data-b="annotator1"] text')
    ).to_have_text("0.80")
    expect(
        page.locator('#chart-heatmap g.cell[data-a="annotator1"][data-b="annotator1"] text')
    ).to_have_text("—")
    per_label = page.locator(
        '#chart-label-agreement g.bar-row[data-name="inserted_phrase"] text.value'
    )
    expect(per_label).to_have_text("0.80")

    # The queue: the seed article first (1 - 0.8), by title, without a review link.
    first = page.locator("#queue tbody tr").first
    expect(first).to_have_attribute("data-article", str(article("seed").pk))
    expect(first.locator("td").nth(1)).to_have_text("0.20")
    expect(first.locator("a")).to_have_count(0)
    # No article text on the page beyond titles: a sentence of the seed article's body.
    assert "campaign to retake" not in page.content()


def test_reviewer_gets_review_links_and_computes_a_new_report(page, demo, known, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        login(page, demo, "reviewer", "demo-reviewer")
        page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/dashboard/")
        expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")
        link = page.locator("#queue tbody tr").first.locator("a")
        expect(link).to_have_attribute("href", f"/review/{article('seed').pk}/")
        expect(page.locator("#report-info")).to_contain_text("Report #")
        page.click("#compute")
        expect(page.locator("#compute-status")).to_contain_text("done.")
        expect(page.locator("#compute")).to_be_enabled()
    finally:
        app.conf.task_always_eager = before
    newest = AgreementReport.objects.order_by("-pk").first()
    assert newest.status == "done"
    expect(page.locator("#report-info")).to_contain_text(f"Report #{newest.pk}")


def test_annotators_get_404(page, demo):
    login(page, demo)
    response = page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/dashboard/")
    assert response.status == 404


def test_work_not_started_is_no_disagreement_and_a_cell_drills_down(page, demo):
    """#14 problem 4: articles an annotator never opened topped the queue at 1.00 and pulled
    the pairwise score down; finished work by default, a switch for work in progress."""
    users = {u.username: u for u in get_user_model().objects.all()}
    project = Project.objects.get(slug=PROJECT_SLUG)
    seed, rally = article("seed"), article("demo-emoji-rally")
    label = Label.objects.get(schema__projects__slug=PROJECT_SLUG, key="inserted_phrase")
    for art, name in ((seed, "annotator1"), (seed, "annotator2"), (rally, "annotator1")):
        Span.objects.create(
            article=art, annotator=users[name], label=label, start=0, end=10, text=art.text[:10]
        )
    Assignment.objects.filter(article=seed).update(status=AssignmentStatus.DONE)
    # The rally: annotator1 is done; annotator2 never opened it (to do).
    Assignment.objects.filter(article=rally, annotator=users["annotator1"]).update(
        status=AssignmentStatus.DONE
    )
    report_now(project, done_only=True)
    login(page, demo, "reviewer", "demo-reviewer")
    page.goto(f"{demo.url}/projects/{PROJECT_SLUG}/dashboard/")
    expect(page.locator("#dashboard")).to_have_attribute("data-ready", "true")

    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)  # the seed only: nobody disagrees with work not started
    expect(rows.first).to_have_attribute("data-article", str(seed.pk))
    expect(rows.first.locator("td").nth(1)).to_have_text("0.00")
    cell = page.locator('#chart-heatmap g.cell[data-a="annotator1"][data-b="annotator2"] text')
    expect(cell).to_have_text("1.00")
    expect(page.locator("#report-info")).to_contain_text("finished work only")

    # Work in progress counts when asked; never-opened work still does not.
    Assignment.objects.filter(article=rally, annotator=users["annotator2"]).update(
        status=AssignmentStatus.IN_PROGRESS
    )
    page.check("#include-wip")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-article", str(rally.pk))
    expect(rows.first.locator("td").nth(1)).to_have_text("1.00")
    expect(page.locator("#report-info")).to_contain_text("No agreement report including work")

    # A heat map cell lists that pair's articles (finished work again).
    page.uncheck("#include-wip")
    expect(rows).to_have_count(1)
    page.locator("#chart-heatmap a").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#pair-title")).to_have_text(
        "Articles of annotator1 and annotator2, by disagreement"
    )
    pair_rows = page.locator("#pair-queue tbody tr")
    expect(pair_rows).to_have_count(1)
    expect(pair_rows.first.locator("a")).to_have_attribute("href", f"/review/{seed.pk}/")
