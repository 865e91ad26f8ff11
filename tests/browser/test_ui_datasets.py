"""The researchers' Datasets page: request an export, watch it to done or failed, download the
zip and check what is in it, the curl command, and who may open the page."""

import hashlib
import json
import re
import zipfile
from datetime import timedelta

import pytest
from a11y import assert_accessible
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect
from ui_helpers import article, login

from annotator.annotations.models import Span
from annotator.celery import app
from annotator.core import jobs
from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Article
from annotator.exports import services
from annotator.exports.models import Export
from annotator.schemas.models import Label

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager(settings):
    """Exports are built inside the API request (its on_commit callback runs the task)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def held(monkeypatch):
    """Exports stay queued until the test runs them: the page must follow them by polling."""
    queued = []
    monkeypatch.setattr(jobs, "enqueue", lambda export: queued.append(export.pk))
    return queued


def datasets_url(server) -> str:
    return f"{server.url}/projects/{PROJECT_SLUG}/datasets/"


def open_datasets(page, server, username="researcher"):
    login(page, server, username, f"demo-{username}")
    page.locator(".project", has_text="Propaganda demo").get_by_role(
        "link", name="Datasets"
    ).click()
    expect(page.locator("#datasets")).to_have_attribute("data-ready", "true")


def export_row(page, pk):
    return page.locator(f"tr.export[data-export='{pk}']")


def test_researcher_exports_jsonl_downloads_it_and_sees_the_curl_command(
    page, demo, eager, tmp_path
):
    errors = []  # a CSP violation or a script error would land here
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.location["url"].endswith("/favicon.ico")
            and errors.append(msg.text)
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_datasets(page, demo)
    expect(page.locator("tr.export")).to_have_count(0)
    page.select_option("#export-format", "jsonl")
    page.click("#export-submit")

    row = page.locator("tr.export").first
    expect(row.locator(".export-status .status")).to_have_text("done")
    export = Export.objects.get()
    assert row.get_attribute("data-export") == str(export.pk)
    assert (export.format, export.requester.username) == ("jsonl", "researcher")
    demo_articles = Article.objects.filter(project__slug=PROJECT_SLUG)
    total = demo_articles.count()
    bar = row.locator("progress")
    expect(bar).to_have_attribute("max", str(total))
    expect(bar).to_have_attribute("value", str(total))
    expect(row.locator(".export-counts")).to_have_text(
        f"{total} articles, {export.counts['spans']} spans"
    )
    expect(row.locator(".export-requester")).to_have_text("researcher")
    expect(row.locator(".export-size")).to_have_text(re.compile(r"^\d+(\.\d)? (B|KiB|MiB)$"))
    expect(row.locator(".export-sha code")).to_have_text(export.sha256[:12])
    expect(row.locator(".export-sha code")).to_have_attribute("title", export.sha256)

    # The curl command names this host and export, and a placeholder for the token.
    curl = page.locator(f"tr.curl-row[data-export='{export.pk}'] code.curl")
    expect(curl).to_have_text(
        f'curl -H "Authorization: Token <your token>" -o {PROJECT_SLUG}-jsonl-{export.pk}.zip '
        f"{demo.url}/api/v1/projects/{PROJECT_SLUG}/exports/{export.pk}/download/"
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.url)
    page.locator(f"tr.curl-row[data-export='{export.pk}']").get_by_role("button").click()
    expect(page.locator(f"tr.curl-row[data-export='{export.pk}'] button")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == curl.text_content()
    expect(page.get_by_role("link", name="API token page")).to_have_attribute(
        "href", "/account/token/"
    )

    with page.expect_download() as info:
        row.get_by_role("link", name="Download").click()
    path = tmp_path / "download.zip"
    info.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == export.sha256
    exported = {}
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        # The default layer: the demo has no gold layer yet, so one folder per annotator,
        # each with that annotator's spans only.
        assert manifest["options"]["layer"] == "each"
        for name, folder in manifest["annotator_folders"].items():
            for line in archive.read(f"{folder}/articles.jsonl").splitlines():
                record = json.loads(line)
                assert {s["annotator"] for s in record["spans"]} <= {name}
                exported[record["id"]] = record["text"]
    assert manifest["export_id"] == export.pk
    assert manifest["format"] == "jsonl"
    assert manifest["project"]["slug"] == PROJECT_SLUG
    assert manifest["counts"]["articles"] == total
    assert exported == dict(demo_articles.values_list("external_id", "text"))

    # A second export with options lands on top, and the form sent exactly what was ticked.
    label = Label.objects.filter(schema__projects__slug=PROJECT_SLUG).order_by("order").first()
    page.select_option("#export-format", "csv")
    page.select_option("#export-layer", "gold")
    page.check("#export-done-only")
    page.check(f"input[name=labels][value='{label.key}']")
    page.click("#export-submit")
    expect(page.locator("tr.export")).to_have_count(2)
    second = Export.objects.exclude(pk=export.pk).get()
    top = page.locator("tr.export").first
    expect(top).to_have_attribute("data-export", str(second.pk))
    expect(top.locator(".export-status .status")).to_have_text("done")
    expect(top.locator(".export-format")).to_have_text("csv")
    expect(top.locator(".export-options")).to_have_text(
        # csv's format options, at their defaults: formula cells are defused (docs/formats.md)
        f"layer gold; done only; labels: {label.key}; bom=false, escape_formulas=true"
    )
    assert second.format == "csv"
    assert {k: second.options[k] for k in ("layer", "done_only", "labels")} == {
        "layer": "gold",
        "done_only": True,
        "labels": [label.key],
    }
    assert errors == []


def test_a_bad_option_is_shown_by_the_form_and_nothing_is_stored(page, demo, held):
    open_datasets(page, demo)
    # Not a choice of the form: a user who edits the page gets the API's answer, in words.
    page.evaluate("document.querySelector('#export-layer').add(new Option('sideways', 'sideways'))")
    page.select_option("#export-layer", "sideways")
    page.click("#export-submit")
    expect(page.locator("#export-form-error")).to_contain_text("layer")
    expect(page.locator("#export-form-error")).to_contain_text("sideways")
    expect(page.locator("tr.export")).to_have_count(0)
    assert not Export.objects.exists()
    assert held == []


def test_a_failing_export_is_followed_live_and_names_the_span(page, demo, held):
    seed = article("seed")
    label = Label.objects.filter(schema__projects__slug=PROJECT_SLUG).order_by("order").first()
    word = re.search(r"\w{5,}", seed.text)
    span = Span.objects.create(
        article=seed,
        annotator=seed.assignments.first().annotator,
        label=label,
        start=word.start(),
        end=word.end(),
        text=word.group(),
    )
    # The snapshot no longer matches the text, with the length the database insists on.
    broken = "#" * len(word.group())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Span._meta.db_table} SET text = %s WHERE id = %s", [broken, span.pk]
        )

    open_datasets(page, demo)
    page.click("#export-submit")
    row = page.locator("tr.export").first
    expect(row.locator(".export-status .status")).to_have_text("queued")
    assert held == [Export.objects.get().pk]
    assert row.locator("progress").get_attribute("value") is None  # indeterminate while queued

    # A worker claims it and reports progress, as its heartbeat does while it builds.
    pk = held[0]
    total = Article.objects.filter(project__slug=PROJECT_SLUG).count()
    running = {"status": "running", "attempts": 1, "owner": "w1", "progress_total": total}
    Export.objects.filter(pk=pk).update(**running, progress_done=2, heartbeat_at=timezone.now())
    expect(row.locator(".export-status .status")).to_have_text("running")
    expect(row.locator("progress")).to_have_attribute("value", "2")
    expect(row.locator("progress")).to_have_attribute("max", str(total))
    expect(row.locator(".progress-text")).to_have_text(f"2 / {total}")

    # That worker is lost: the page says so; the next one takes the export over.
    Export.objects.filter(pk=pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    expect(row.locator(".export-status .status")).to_have_text("stalled")
    expect(row.locator(".export-error")).to_contain_text("its worker was lost")
    jobs.run(Export, pk, services.build)

    expect(row.locator(".export-status .status")).to_have_text("failed")
    error = row.locator(".export-error")
    expect(error).to_contain_text(f"article 'seed': span {label.key} [{span.start}, {span.end})")
    expect(error).to_contain_text(repr(broken))
    expect(row.get_by_role("link", name="Download")).to_have_count(0)
    expect(page.locator("tr.curl-row").first).to_be_hidden()
    assert Export.objects.get().status == "failed"


def test_annotators_neither_see_the_link_nor_open_the_page(page, demo):
    login(page, demo)  # annotator1
    project = page.locator(".project", has_text="Propaganda demo")
    expect(project.locator(".role")).to_have_text("annotator")
    expect(project.get_by_role("link", name="Datasets")).to_have_count(0)
    response = page.goto(datasets_url(demo))
    assert response.status == 404
    api = page.request.get(f"{demo.url}/api/v1/projects/{PROJECT_SLUG}/exports/")
    assert api.status == 404


@pytest.mark.parametrize("username", ["reviewer", "admin"])
def test_reviewers_and_managers_open_the_page(page, demo, username):
    open_datasets(page, demo, username)
    expect(page.locator("h1")).to_have_text("Datasets of Propaganda demo")
    expect(page.locator("#exports-empty")).to_be_visible()


def test_a_manager_reads_what_formats_and_layers_hold_and_opens_the_format_docs(page, demo, held):
    """A project manager who is not staff: one line per format and per layer, "all" offered only
    where the files name the annotator, the format reference one click away (issue #12, 2)."""
    from django.contrib.auth import get_user_model

    from annotator.corpus.models import Membership, Project, Role
    from annotator.exports.formats import FORMATS

    manager = get_user_model().objects.create_user("pm", password="pm-password-1")
    Membership.objects.create(
        user=manager, project=Project.objects.get(slug=PROJECT_SLUG), role=Role.MANAGER
    )
    login(page, demo, "pm", "pm-password-1")
    page.locator(".project", has_text="Propaganda demo").get_by_role(
        "link", name="Datasets"
    ).click()
    expect(page.locator("#datasets")).to_have_attribute("data-ready", "true")
    assert_accessible(page, "datasets, as a manager")

    for name, writer in FORMATS.items():
        line = page.locator(f"#format-help [data-format='{name}'] dd")
        expect(line).to_contain_text(writer.description)
        named = "names each span's annotator"
        if writer.carries_annotator:
            expect(line).to_contain_text(named)
        else:
            expect(line).not_to_contain_text(named)
    for layer in ("gold", "each", "all"):
        expect(page.locator(f"#layer-help [data-layer='{layer}'] dd")).not_to_be_empty()
    # No gold layer in the demo yet: the default says what it will be here.
    expect(page.locator("#export-layer option[value='']")).to_have_text("default (each here)")

    # brat files cannot say who marked a span: "all" is not offered, and the form says why.
    page.select_option("#export-format", "brat")
    expect(page.locator("#export-layer option[value='all']")).to_be_disabled()
    expect(page.locator("#layer-hint")).to_contain_text('"all" is not offered for brat')
    expect(page.locator("#export-bom")).to_be_hidden()
    page.select_option("#export-format", "csv")
    expect(page.locator("#export-layer option[value='all']")).to_be_enabled()
    page.select_option("#export-layer", "all")
    page.select_option("#export-format", "conll")
    expect(page.locator("#export-layer")).to_have_value("")  # back to the default
    page.click("#export-submit")
    expect(page.locator("tr.export")).to_have_count(1)
    assert Export.objects.get().options["layer"] == "each"

    # A spreadsheet user asks for the byte order mark Excel needs.
    page.select_option("#export-format", "csv")
    page.check("#export-bom")
    page.click("#export-submit")
    expect(page.locator("tr.export")).to_have_count(2)
    csv_export = Export.objects.get(format="csv")
    assert csv_export.options["format_options"] == {"escape_formulas": True, "bom": True}
    expect(page.locator("tr.export").first.locator(".export-options")).to_contain_text("bom=true")

    page.get_by_role("link", name="docs/formats.md").click()
    expect(page.locator("#help h1")).to_have_text("Export formats")
    expect(page.locator("#help")).to_contain_text("OWASP")
    assert_accessible(page, "format docs, as a manager")
