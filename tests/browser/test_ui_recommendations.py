"""Recommenders end to end in Chromium, with training on a real Celery worker (Redis, PostgreSQL):

a project manager who is not staff turns recommendations on and adds a phrase-memory recommender on
the console's Recommenders page (training before there is gold says why it cannot); a reviewer
builds gold on three articles on the review page; the manager trains the recommender (the worker
runs the job, the page follows it to its evaluation, whose JSON downloads); an annotator opens a
new article (emoji before the phrases: UTF-16 is not code points), sees the recommendations as
dashed boxes and in their list, accepts one with `y`, rejects the next with `x` and reloads: the
accepted span stays with origin "recommender" and its model, the rejected one does not come back.
With the switch on "after done" the annotator sees none on an open article and sees them again once
it is done. axe-core checks the console page, the annotation page with recommendations and the
dashboard's Recommenders card. The manager also turns active ordering on, edits and deletes
recommenders (an external one without its URL is refused beside the field); an external backend
that cannot be reached is one quiet line on the annotation page, which works as without
recommenders.
"""

import json
import os
import uuid

import pytest
from a11y import assert_accessible
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from processes import Celery, child_database_url, clean_env
from ui_helpers import select_phrase

from annotator.annotations.models import Span
from annotator.corpus.models import (
    Article,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    Role,
)
from annotator.recommenders.models import Recommender, TrainedModel
from annotator.schemas.models import Label, LabelSchema

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]
User = get_user_model()
PASSWORD = "recommend-pass-1"
TIMEOUT_MS = 60_000  # training on a worker of a loaded 2-core machine

GOLD_TEXTS = [
    "The corrupt elites met again today. They called us traitors in public.",
    "🔥 Nobody trusts the corrupt elites any more, and only traitors defend them.",
    "Voters know the corrupt elites well. Traitors, all of them, said the crowd.",
]
NEW_TEXT = "👨‍👩‍👧 Families say the corrupt elites lied. Some traitors cheered.\nThe end."


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """A real worker that takes only this test's queue and shares its MEDIA_ROOT (artifacts)."""
    queue = f"test-recommenders-{uuid.uuid4().hex[:12]}"
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    setattr(settings, TrainedModel.queue_setting, queue)
    env = clean_env(
        tmp_path,
        DATABASE_URL=child_database_url(),
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        ANNOTATOR_MEDIA_ROOT=media,
        ANNOTATOR_RECOVERY_QUEUE=queue,
        ANNOTATOR_TESTING=1,
        **{TrainedModel.queue_setting: queue},
    )
    process = Celery.worker(env, tmp_path, "w1", queue, "--pool=solo")
    yield process
    process.stop()


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    expect.set_options(timeout=TIMEOUT_MS)
    schema = LabelSchema.objects.create(name="Techniques")
    for order, (key, name, hotkey) in enumerate(
        [
            ("loaded_language", "Loaded language", "1"),
            ("name_calling", "Name calling", "2"),
            ("doubt", "Doubt", "3"),
        ]
    ):
        Label.objects.create(schema=schema, key=key, name=name, hotkey=hotkey, order=order)
    project = Project.objects.create(slug="news", name="News", schema=schema)
    users = {}
    for username, role in [("pm", Role.MANAGER), ("rev", Role.REVIEWER), ("ann", Role.ANNOTATOR)]:
        users[username] = User.objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=users[username], project=project, role=role)
    gold = [
        Article.objects.create(project=project, external_id=f"g{n}", title=f"Gold {n}", text=text)
        for n, text in enumerate(GOLD_TEXTS)
    ]
    new = Article.objects.create(project=project, external_id="new", title="New", text=NEW_TEXT)
    Assignment.objects.create(article=new, annotator=users["ann"])
    return {"project": project, "gold": gold, "new": new, "users": users}


def session(browser, server, username):
    """A page logged in as `username`, in a browser context of its own."""
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("My projects")
    return page


def open_console(page, server):
    page.goto(f"{server.url}/projects/news/recommenders/")
    expect(page.locator("#recommenders-page")).to_have_attribute("data-ready", "true")


def open_annotation(page, server, article):
    page.goto(f"{server.url}/annotate/{article.pk}/")
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")


def recommendation_items(page):
    return page.locator("#recommendation-list li.recommendation")


def build_gold(page, server, article, phrases):
    page.goto(f"{server.url}/review/{article.pk}/")
    expect(page.locator("#review-app")).to_have_attribute("data-ready", "true")
    for n, (phrase, key) in enumerate(phrases, start=1):
        select_phrase(page, phrase)
        page.keyboard.press(key)
        expect(page.locator("#groups .group.in-gold")).to_have_count(n)


def test_gold_trains_a_recommender_on_a_worker_and_an_annotator_accepts_and_rejects_by_key(
    browser, live_server, world, worker
):
    project, new = world["project"], world["new"]
    manager = session(browser, live_server, "pm")
    open_console(manager, live_server)
    assert_accessible(manager, "the Recommenders page, empty")
    expect(manager.locator("nav.manage-nav a[aria-current=page]")).to_have_text("Recommenders")
    manager.check("#recommendation-switches input[value=always]")
    manager.click("#recommendation-switches button[type=submit]")
    expect(manager.locator("#recommendation-switches .form-status")).to_have_text("Saved.")
    project.refresh_from_db()
    assert project.recommendations == "always"

    manager.fill("#ar-name", "Phrases")
    manager.select_option("#ar-kind", "phrase")
    manager.click("#add-recommender button[type=submit]")
    section = manager.locator("section.recommender", has_text="Phrases")
    expect(section.locator(".recommender-facts")).to_contain_text("Phrase memory")
    expect(section.locator(".recommender-facts .badge")).to_have_text("Not trained yet")

    # No gold and no agreed spans yet: training says so and nothing is queued.
    section.locator(".train-now").click()
    expect(section.locator(".train-status")).to_contain_text("nothing to learn from yet")
    assert not TrainedModel.objects.exists()

    reviewer = session(browser, live_server, "rev")
    phrases = [("corrupt elites", "1"), ("traitors", "2")]
    build_gold(reviewer, live_server, world["gold"][0], phrases)
    build_gold(reviewer, live_server, world["gold"][1], phrases)
    capitalised = [("corrupt elites", "1"), ("Traitors", "2")]
    build_gold(reviewer, live_server, world["gold"][2], capitalised)
    assert Span.objects.filter(annotator__isnull=True).count() == 6

    open_console(manager, live_server)
    section = manager.locator("section.recommender", has_text="Phrases")
    section.locator(".train-now").click()
    expect(section.locator(".train-status")).to_have_text("Version 1 trained.")
    expect(section.locator(".recommender-facts .badge")).to_have_text("Ready")
    table = section.locator("table.evaluation-table")
    expect(table.locator("tbody tr.overall")).to_have_count(2)
    expect(table.locator("tbody tr.per-label").first).to_be_visible()
    expect(section.locator("table.model-history tbody tr")).to_have_count(1)
    with manager.expect_download() as download:
        section.locator("a.download-evaluation").click()
    evaluation = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert {"labelled", "unlabelled", "per_label", "learning_curve"} <= set(evaluation)
    assert {"precision", "recall", "f1"} <= set(evaluation["labelled"])
    assert_accessible(manager, "the Recommenders page with a trained model")

    # The annotator, on an article the recommender never saw.
    annotator = session(browser, live_server, "ann")
    open_annotation(annotator, live_server, new)
    expect(recommendation_items(annotator)).to_have_count(2)
    expect(annotator.locator("#recommendations h2")).to_have_text("Recommendations (2)")
    assert annotator.locator(".recommendation-layer .recommendation-mark").count() >= 2
    expect(recommendation_items(annotator).first).to_contain_text("corrupt elites")
    expect(recommendation_items(annotator).first).to_contain_text("Phrases")
    assert_accessible(annotator, "the annotation page with recommendations")
    annotator.keyboard.press("?")  # the shortcuts list has the recommendations' keys
    expect(annotator.locator("#keys-dialog")).to_contain_text("next / previous recommendation")
    annotator.keyboard.press("Escape")
    expect(annotator.locator("#keys-dialog")).to_be_hidden()

    annotator.locator("#text").focus()
    annotator.keyboard.press(".")  # pick the first recommendation
    expect(recommendation_items(annotator).first.locator(".recommendation-pick")).to_have_attribute(
        "aria-pressed", "true"
    )
    annotator.keyboard.press("y")  # accept it as its label; the next one is picked
    expect(annotator.locator("#span-list .span-item")).to_have_count(1)
    expect(recommendation_items(annotator)).to_have_count(1)
    expect(recommendation_items(annotator).first.locator(".recommendation-pick")).to_have_attribute(
        "aria-pressed", "true"
    )
    annotator.keyboard.press("x")  # reject "traitors": gone at once
    expect(recommendation_items(annotator)).to_have_count(0)
    expect(annotator.locator("#save-status")).to_have_text("Saved")

    annotator.reload()
    expect(annotator.locator("#app")).to_have_attribute("data-ready", "true")
    expect(annotator.locator("#span-list .span-item")).to_have_count(1)
    expect(recommendation_items(annotator)).to_have_count(0)  # the rejected one stays away
    start = NEW_TEXT.index("corrupt elites")  # code points: the family emoji is 5 of them
    [span] = Span.objects.filter(article=new, annotator=world["users"]["ann"])
    assert (span.start, span.end, span.text) == (start, start + 14, "corrupt elites")
    assert (span.label.key, span.origin) == ("loaded_language", "recommender")
    assert span.origin_model.endswith("v1")

    # Only after done: an article still open shows no recommendations at all.
    Project.objects.filter(pk=project.pk).update(recommendations="after_done")
    annotator.reload()
    expect(annotator.locator("#app")).to_have_attribute("data-ready", "true")
    expect(annotator.locator("#recommendations")).to_be_hidden()
    expect(annotator.locator(".recommendation-layer .recommendation-mark")).to_have_count(0)
    # Once the annotator marked it done (and opens it again), they are shown.
    Assignment.objects.filter(article=new).update(status=AssignmentStatus.DONE)
    annotator.reload()
    expect(annotator.locator("#app")).to_have_attribute("data-ready", "true")
    expect(annotator.locator("#recommendations")).to_be_visible()
    expect(annotator.locator("#recommendation-status")).to_have_text(
        "No recommendations for this article."
    )

    # The dashboard shows the model's quality and links the manager to the console page.
    manager.goto(f"{live_server.url}/projects/news/dashboard/")
    card = manager.locator("#recommender-quality")
    expect(card).to_have_attribute("data-ready", "true")
    expect(card.locator("tbody tr")).to_have_count(1)
    f1 = f"{evaluation['labelled']['f1']:.3f}"
    expect(card.locator("tbody tr td.labelled-f1")).to_have_text(f1)
    assert_accessible(manager, "the dashboard's Recommenders card", include="#recommender-quality")
    card.locator("tbody tr a", has_text="Phrases").click()
    expect(manager.locator("#recommenders-page")).to_have_attribute("data-ready", "true")
    assert_accessible(manager, "the Recommenders page from the dashboard")


def test_a_manager_who_is_not_staff_edits_and_deletes_recommenders_and_bad_input_says_why(
    browser, live_server, world
):
    manager = session(browser, live_server, "pm")
    open_console(manager, live_server)
    # An external model without its URL: refused, the reason beside the field, nothing stored.
    manager.fill("#ar-name", "Our server")
    manager.select_option("#ar-kind", "external")
    manager.click("#add-recommender button[type=submit]")
    expect(manager.locator('#add-recommender [data-error-for="url"]')).to_contain_text("URL")
    assert not Recommender.objects.exists()

    manager.check("#recommendation-switches input[name=active_ordering]")
    manager.click("#recommendation-switches button[type=submit]")
    expect(manager.locator("#recommendation-switches .form-status")).to_have_text("Saved.")
    assert Project.objects.get(slug="news").active_ordering

    manager.select_option("#ar-kind", "sequence")
    manager.fill("#ar-name", "Tagger")
    manager.fill("#ar-retrain", "20")
    manager.click("#add-recommender button[type=submit]")
    section = manager.locator("section.recommender", has_text="Tagger")
    expect(section.locator(".recommender-facts")).to_contain_text("Sequence model · enabled")
    assert Recommender.objects.get().setting("retrain_after") == 20

    section.locator("details.edit-recommender summary").click()
    section.locator("input[name=name]").fill("CRF tagger")
    section.locator("input[name=enabled]").uncheck()
    section.locator("input[name='settings.min_agreement']").fill("3")
    section.locator("details.edit-recommender button[type=submit]").click()
    section = manager.locator("section.recommender", has_text="CRF tagger")
    expect(section.locator(".recommender-facts")).to_contain_text("Sequence model · disabled")
    recommender = Recommender.objects.get()
    assert (recommender.name, recommender.enabled) == ("CRF tagger", False)
    assert recommender.setting("min_agreement") == 3
    assert_accessible(manager, "the Recommenders page with the edit form open")

    manager.once("dialog", lambda dialog: dialog.accept())
    section.locator(".delete-recommender button").click()
    expect(manager.locator("#recommenders-status")).to_have_text(
        "No recommenders yet: add one above."
    )
    assert not Recommender.objects.exists()


def test_a_recommender_that_fails_is_one_quiet_line_and_the_page_works(browser, live_server, world):
    project = world["project"]
    Project.objects.filter(pk=project.pk).update(recommendations="always")
    Recommender.objects.create(
        project=project,
        name="Our server",
        kind="external",
        url="http://127.0.0.1:9/",
        settings={"timeout": 0.5},
    )
    annotator = session(browser, live_server, "ann")
    open_annotation(annotator, live_server, world["new"])
    status = annotator.locator("#recommendation-status")
    expect(status).to_contain_text("Our server is unavailable")
    expect(status).to_contain_text("could not be reached")
    expect(recommendation_items(annotator)).to_have_count(0)
    assert_accessible(annotator, "the annotation page with a failed recommender")

    select_phrase(annotator, "traitors")  # labelling works as without recommenders
    annotator.keyboard.press("2")
    expect(annotator.locator("#span-list .span-item")).to_have_count(1)
    expect(annotator.locator("#save-status")).to_have_text("Saved")
    [span] = Span.objects.filter(article=world["new"])
    assert (span.text, span.origin) == ("traitors", "manual")
