"""The manager console, driven as a project manager who is not Django staff: create a project
from a preset, edit labels, import files (watching the import job's progress reach its report,
which a reload shows again), add annotators, assign round-robin, read the workload; then an
annotator finds the articles. Bad input shows a message and stores nothing.
"""

import io
import json
import re
import threading
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from playwright.sync_api import expect

from annotator.annotations.models import Span
from annotator.core import jobs
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.imports import uploads
from annotator.imports.models import ImportJob

pytestmark = pytest.mark.browser
User = get_user_model()
TIMEOUT_MS = 20_000
PASSWORD = "console-pass-1"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    expect.set_options(timeout=TIMEOUT_MS)


def make_user(username, email="", **extra):
    return User.objects.create_user(username=username, email=email, password=PASSWORD, **extra)


class ThreadWorker:
    """Runs each import job as soon as it is queued, in a thread of this process, as a Celery
    worker would (tests/test_import_worker.py runs a real one). With ``hold`` set, the job
    stops between its files (outside any transaction) until the test sets it."""

    def __init__(self):
        self.threads: list[threading.Thread] = []
        self.hold: threading.Event | None = None
        self.paused = threading.Event()

    def enqueue(self, job) -> None:
        thread = threading.Thread(target=self.run, args=(job.pk,))
        self.threads.append(thread)
        thread.start()

    def run(self, pk: int) -> None:
        try:
            jobs.run(ImportJob, pk, self.work)
        finally:
            connection.close()  # this thread's own

    def work(self, job, progress):
        def watched(done: int, total: int) -> None:
            progress(done, total)
            if self.hold and 0 < done < total and not connection.in_atomic_block:
                self.paused.set()
                self.hold.wait(TIMEOUT_MS / 1000)

        return uploads.run(job, watched)


@pytest.fixture
def worker(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    runner = ThreadWorker()
    monkeypatch.setattr(jobs, "enqueue", runner.enqueue)
    yield runner
    if runner.hold:
        runner.hold.set()
    for thread in runner.threads:
        thread.join(TIMEOUT_MS / 1000)


@pytest.fixture
def manager(db):
    """A plain user (not staff) given the 'create project' permission, as in the admin."""
    user = make_user("pm")
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    return user


def login(page, server, username):
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("My projects")


def jsonl_file(tmp_path):
    lines = [
        {"id": f"j{i}", "title": f"Jsonl article {i}", "text": f"Line one {i}.\r\nLine two 🔥."}
        for i in range(1, 5)
    ]
    path = tmp_path / "batch-one.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def semeval_zip(tmp_path, labels_line="111\tLoaded_Language\t0\t5\n"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train-articles/article111.txt", "Awful news from the front.\n")
        archive.writestr("train-articles/article222.txt", "Another article, calmer.\n")
        archive.writestr("train-labels-task-flc-tc/article111.task-flc-tc.labels", labels_line)
    path = tmp_path / "semeval.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_a_manager_who_is_not_staff_runs_a_project(page, live_server, manager, worker, tmp_path):
    make_user("ann_a")
    make_user("ann_b", email="b@example.org")
    assert not manager.is_staff

    login(page, live_server, "pm")
    page.get_by_role("link", name="Manage").click()
    expect(page.locator("h1")).to_have_text("Manage projects")
    page.get_by_role("link", name="New project").click()
    page.wait_for_load_state()  # the form is sent by project_new.js, not natively

    # A project from the semeval2020 preset: its own schema, its creator its manager.
    page.fill("#np-name", "Console news")
    page.get_by_label(re.compile("semeval2020")).check()
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("h1")).to_have_text("Labels of Console news")
    project = Project.objects.get(slug="console-news")
    assert Membership.objects.get(project=project, user=manager).role == Role.MANAGER
    assert project.schema.labels.count() == 14
    expect(page.locator("#labels tbody tr")).to_have_count(14)

    # Edit a label's colour and hotkey.
    row = page.locator("tr[data-label=loaded_language]")
    row.get_by_label("Colour of loaded_language").fill("#123456")
    row.get_by_label("Hotkey of loaded_language").fill("q")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#schema-history tbody tr").first).to_contain_text("label_edited")
    expect(page.locator("tr[data-label=loaded_language] input[name=hotkey]")).to_have_value("q")
    label = project.schema.labels.get(key="loaded_language")
    assert (label.color, label.hotkey) == ("#123456", "q")

    # A hotkey another label has: the page says which, nothing changes.
    taken = project.schema.labels.get(key="name_calling").hotkey
    row = page.locator("tr[data-label=loaded_language]")
    row.get_by_label("Hotkey of loaded_language").fill(taken)
    row.get_by_role("button", name="Save").click()
    expect(
        page.locator("[data-form='label-loaded_language'][data-error-for=hotkey]")
    ).to_contain_text("already used by")
    assert project.schema.labels.get(key="loaded_language").hotkey == "q"

    # Retire one.
    page.locator("tr[data-label=slogans]").get_by_role("button", name="Retire").click()
    expect(page.locator("tr[data-label=slogans] .badge")).to_have_text("retired")
    expect(page.locator("#schema-history tbody tr").first).to_contain_text("label_retired")
    assert project.schema.labels.get(key="slogans").retired

    # Import a JSONL file and a SemEval zip in one upload: a worker imports them while the page
    # follows the job; it is held between the two files, when the first file's report is in.
    worker.hold = threading.Event()
    page.locator(".manage-nav").get_by_role("link", name="Import").click()
    expect(page.locator("#import-reports")).to_have_attribute("data-ready", "true")
    expect(page.locator("#imports-empty")).to_be_visible()
    first, second = jsonl_file(tmp_path), semeval_zip(tmp_path)
    page.set_input_files("#import-files", [first, second])
    page.get_by_role("button", name="Import").click()
    job = page.locator("li.import").first
    assert worker.paused.wait(TIMEOUT_MS / 1000), "the import did not start"
    size, total = first.stat().st_size, first.stat().st_size + second.stat().st_size
    expect(job).to_have_attribute("data-status", "running")
    expect(job.locator("progress")).to_have_attribute("value", str(size))
    expect(job.locator("progress")).to_have_attribute("max", str(total))
    percent = 100 * size // total
    expect(job.locator(".import-state")).to_have_text(re.compile(rf"^importing: {percent}% of "))
    jsonl_report = job.locator("li.import-file[data-file='batch-one.jsonl']")
    expect(jsonl_report).to_contain_text("4 article(s), 0 span(s)")
    expect(job.locator("li.import-file")).to_have_count(1)  # the zip is not imported yet
    worker.hold.set()

    expect(job).to_have_attribute("data-status", "done")
    zip_report = job.locator("li.import-file[data-file='semeval.zip']")
    expect(zip_report).to_contain_text("2 article(s), 1 span(s)")
    expect(job.locator("progress")).to_have_attribute("value", "1")
    expect(job.locator(".import-state")).to_have_text(
        "done: 6 article(s), 1 span(s) created, 0 duplicate(s) skipped"
    )
    expect(job.locator(".import-meta")).to_contain_text("by pm")
    expect(job.locator(".import-meta")).to_contain_text("spans into your layer")
    assert Article.objects.filter(project=project).count() == 6
    assert not Article.objects.filter(project=project, text__contains="\r").exists()
    span = Span.objects.get(article__project=project)
    assert span.annotator == manager
    assert span.text == "Awful"

    # The report stays: a reload lists the import with it.
    page.reload()
    job = page.locator(f"li.import[data-job='{ImportJob.objects.get().pk}']")
    expect(job).to_have_attribute("data-status", "done")
    expect(job.locator("li.import-file[data-file='batch-one.jsonl']")).to_contain_text(
        "4 article(s), 0 span(s)"
    )
    expect(job.locator("li.import-file[data-file='semeval.zip']")).to_contain_text(
        "2 article(s), 1 span(s)"
    )

    # Add two annotators, by user name and by email.
    page.locator(".manage-nav").get_by_role("link", name="Members").click()
    for who in ("ann_a", "b@example.org"):
        page.fill("#am-user", who)
        page.get_by_role("button", name="Add member").click()
        expect(page.locator("#am-user")).to_have_value("")  # the page reloaded
    expect(page.locator("#members tr[data-member=ann_a]")).to_be_visible()
    expect(page.locator("#members tr[data-member=ann_b]")).to_be_visible()

    # Round-robin with 2 annotators per article; the workload table shows it.
    page.locator(".manage-nav").get_by_role("link", name="Assign").click()
    page.fill("#rr-per-article", "2")
    page.get_by_role("button", name="Assign round-robin").click()
    for name in ("ann_a", "ann_b"):
        expect(page.locator(f"#workload tr[data-annotator={name}] td.todo")).to_have_text("6")
    assert Assignment.objects.filter(article__project=project).count() == 12

    # The annotator finds the articles.
    page.get_by_role("button", name="Log out").click()
    login(page, live_server, "ann_a")
    card = page.locator(".project", has_text="Console news")
    card.get_by_role("link", name="My articles").click()
    expect(page.locator("#my-articles tbody tr")).to_have_count(6)
    page.fill("#mf-q", "Jsonl")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#my-articles tbody tr")).to_have_count(4)


def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    page, live_server, manager, worker, tmp_path, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    login(page, live_server, "pm")
    page.goto(live_server.url + "/manage/new/")
    page.fill("#np-name", "Strict")
    page.get_by_role("button", name="Create project").click()  # no preset chosen
    expect(page.locator("[data-error-for=schema]")).to_contain_text("Choose at least one preset")
    assert not Project.objects.filter(slug="strict").exists()
    page.get_by_label(re.compile("manipulation")).check()
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("h1")).to_have_text("Labels of Strict")
    page.wait_for_load_state()  # the label form is sent by schema.js, not natively
    project = Project.objects.get(slug="strict")
    before = list(project.schema.labels.values_list("key", "name", "color", "hotkey"))

    # A new label: empty name, too long a name, a colour that is not one, a reserved hotkey.
    form = page.locator("#add-label")
    form.locator("#nl-key").fill("new_label")
    form.get_by_role("button", name="Add label").click()
    expect(form.locator("[data-error-for=name]")).to_contain_text("needs a name")
    form.locator("#nl-name").fill("x" * 201)
    form.locator("#nl-colour").fill("blue")
    form.locator("#nl-hotkey").fill("d")
    form.get_by_role("button", name="Add label").click()
    expect(form.locator("[data-error-for=name]")).to_contain_text("At most 200")
    expect(form.locator("[data-error-for=colour]")).to_contain_text("not a colour")
    expect(form.locator("[data-error-for=hotkey]")).to_contain_text("reserved")
    assert list(project.schema.labels.values_list("key", "name", "color", "hotkey")) == before

    # Imports: an unsupported format, a zip with a bad member, a file above the size limit.
    page.goto(f"{live_server.url}/projects/strict/import/")
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK not really")
    page.set_input_files("#import-files", [notes])
    page.get_by_role("button", name="Import").click()
    refused = page.locator("li.import[data-status=refused]")
    expect(refused).to_contain_text("file: notes.docx: unsupported file type '.docx'")

    page.set_input_files("#import-files", [semeval_zip(tmp_path, "111\tNo_Such_Technique\t0\t5\n")])
    page.get_by_role("button", name="Import").click()
    job = page.locator("li.import[data-job]")
    expect(job).to_have_attribute("data-status", "done")
    expect(job).to_have_attribute("data-ok", "false")
    zipped = job.locator("li.import-file[data-file='semeval.zip']")
    expect(zipped).to_contain_text("semeval.zip: FAILED, nothing stored; 1 error(s)")
    expect(zipped.locator("li.detail")).to_contain_text("article111.task-flc-tc.labels, line 1")
    expect(job.locator(".import-state")).to_contain_text("nothing stored from semeval.zip")

    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"id": "x", "text": "' + b"a" * (3 * 1024 * 1024) + b'"}\n')
    page.set_input_files("#import-files", [big])
    page.get_by_role("button", name="Import").click()
    oversized = page.locator("li.import[data-status=refused]", has_text="big.jsonl")
    expect(oversized).to_contain_text("an upload may have 2097152")
    assert not Article.objects.filter(project=project).exists()
    assert ImportJob.objects.count() == 1


def test_guidelines_preview_is_rendered_and_sanitised(page, live_server, manager):
    login(page, live_server, "pm")
    page.goto(live_server.url + "/manage/new/")
    page.fill("#np-name", "Guided")
    page.get_by_label(re.compile("manipulation")).check()
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("h1")).to_have_text("Labels of Guided")
    page.locator(".manage-nav").get_by_role("link", name="Settings").click()
    page.fill(
        "#ps-guidelines",
        "# Rules\r\n\r\n**Mark** <script>window.pwned=1</script> [x](javascript:alert(1))",
    )
    preview = page.locator("#guidelines-preview")
    expect(preview.locator("h1")).to_have_text("Rules")
    expect(preview.locator("strong")).to_have_text("Mark")
    expect(preview).to_contain_text("<script>")  # shown as text, never run
    assert page.evaluate("window.pwned") is None
    assert preview.locator("a[href^=javascript]").count() == 0
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#project-settings .form-status")).to_have_text("Saved.")
    assert "\r" not in Project.objects.get(slug="guided").guidelines


def test_staff_pasting_crlf_into_the_admin_article_form_stores_no_cr(page, live_server, db):
    from annotator.schemas.editing import schema_from_presets

    make_user("boss", is_staff=True, is_superuser=True)
    project = Project.objects.create(
        slug="pasted", name="Pasted", schema=schema_from_presets(["manipulation"], name="p")
    )
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    # The project is an autocomplete widget; the add page takes it as an initial value.
    page.goto(f"{live_server.url}/admin/corpus/article/add/?project={project.pk}")
    page.fill("#id_external_id", "crlf")
    page.fill("#id_text", "Line one\r\nLine two\r\n\r\nLast 🔥 line")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(external_id="crlf").text == "Line one\nLine two\n\nLast 🔥 line"


def test_swagger_ui_and_redoc_work_offline_under_the_csp(page, live_server, manager):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    login(page, live_server, "pm")
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.goto(live_server.url + "/api/redoc/")
    expect(page.get_by_text("Propaganda annotator API").first).to_be_visible()
    assert [v for v in violations if "script" in v] == []


def test_article_list_assign_by_hand_reassign_and_reopen(page, live_server, manager):
    from annotator.schemas.editing import schema_from_presets

    project = Project.objects.create(
        slug="hand", name="By hand", schema=schema_from_presets(["manipulation"], name="h")
    )
    Membership.objects.create(user=manager, project=project, role=Role.MANAGER)
    for name in ("ann_a", "ann_b"):
        Membership.objects.create(user=make_user(name), project=project, role=Role.ANNOTATOR)
    for n in range(3):
        Article.objects.create(project=project, external_id=f"h{n}", title=f"Hand {n}", text="T.")
    login(page, live_server, "pm")
    page.goto(f"{live_server.url}/projects/hand/articles/")
    page.select_option("#af-status", "unassigned")
    page.fill("#af-q", "Hand")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#article-count")).to_have_text("3 articles")
    page.get_by_label("Pick h0").check()
    page.get_by_label("Pick h1").check()
    page.locator("#assign-picked select[name=annotators]").select_option("ann_a")
    page.locator("#assign-picked").get_by_role("button", name="Assign").click()
    expect(page.locator("#article-count")).to_have_text("1 article")  # still "not assigned"
    page.get_by_role("link", name="Clear").click()
    expect(page.locator("tr[data-article] .status-todo")).to_have_count(2)
    pairs = Assignment.objects.values_list("article__external_id", "annotator__username")
    assert sorted(pairs) == [("h0", "ann_a"), ("h1", "ann_a")]

    # Reassign h0 to ann_b on its page; ann_b finishes it, then reopens it from My articles.
    page.get_by_role("link", name="h0").click()
    page.get_by_label("Reassign from ann_a to").select_option("ann_b")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator("#assignments tr[data-annotator=ann_b]")).to_be_visible()
    done = Assignment.objects.get(article__external_id="h0")
    Assignment.objects.filter(pk=done.pk).update(status="done")
    page.get_by_role("button", name="Log out").click()
    login(page, live_server, "ann_b")
    page.goto(f"{live_server.url}/projects/hand/mine/")
    row = page.locator("#my-articles tr", has_text="h0")
    expect(row.locator(".status")).to_have_text("Done")
    row.get_by_role("button", name="Reopen").click()
    expect(page).to_have_url(re.compile(rf"/annotate/{done.article_id}/$"))
    assert Assignment.objects.get(pk=done.pk).status == "in_progress"
