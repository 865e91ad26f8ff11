"""Export endpoints: who may create, list, read and download exports, and what they get.

Researchers, reviewers, managers and staff of a project work with its exports; annotators and
non-members get 404, anonymous callers 401. The build itself runs eagerly here (the Celery task
in this process); tests/test_exports_worker.py runs it on a real worker.
"""

import hashlib
import io
import json
import zipfile

import pytest
from api_helpers import World, client_for

from annotator.annotations.models import Span
from annotator.celery import app
from annotator.core.jobs import JobStatus
from annotator.exports import services
from annotator.exports.models import Export

pytestmark = pytest.mark.django_db
pytest_plugins = ["api_helpers"]  # the `world` fixture


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def exports_url(project):
    return f"/api/v1/projects/{project.slug}/exports/"


def client_as(world: World, role):
    users = {
        "ann": world.annotator,
        "out": world.outsider,
        "rev": world.reviewer,
        "res": world.researcher,
        "mgr": world.manager,
        "su": world.staff,
    }
    return client_for() if role == "anon" else client_for(users[role])


def done_export(world, fmt="jsonl", **options):
    export = services.export_now(world.project, fmt, options)
    assert export.status == JobStatus.DONE, export.error
    return export


# --- permissions -------------------------------------------------------------------------

READERS = ("res", "rev", "mgr", "su")
HIDDEN = ("ann", "out")  # an annotator of the project, a member of another project only


@pytest.mark.parametrize("role", READERS + HIDDEN + ("anon",))
def test_create_permissions(world, role, django_capture_on_commit_callbacks, eager):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world, role).post(
            exports_url(world.project), {"format": "jsonl"}, format="json"
        )
    expected = 201 if role in READERS else 404 if role in HIDDEN else 401
    assert response.status_code == expected, response.content
    assert Export.objects.exists() == (role in READERS)
    if role in READERS:
        export = Export.objects.get()
        assert export.requester.username == client_as_username(world, role)
        assert export.status == JobStatus.DONE  # the queued task ran (eagerly)


def client_as_username(world, role):
    return {"res": "res", "rev": "rev", "mgr": "boss", "su": "root"}[role]


@pytest.mark.parametrize("role", READERS + HIDDEN + ("anon",))
def test_list_status_download_permissions(world, role):
    export = done_export(world)
    client = client_as(world, role)
    base = f"{exports_url(world.project)}{export.pk}/"
    responses = {
        "list": client.get(exports_url(world.project)),
        "status": client.get(base),
        "download": client.get(base + "download/"),
    }
    expected = 200 if role in READERS else 404 if role in HIDDEN else 401
    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, expected)
    if role in HIDDEN:
        assert b"sha256" not in responses["status"].content


def test_an_export_of_another_project_is_not_found_through_this_one(world):
    foreign = services.export_now(world.other_project, "jsonl")
    client = client_for(world.researcher)
    assert client.get(f"{exports_url(world.project)}{foreign.pk}/").status_code == 404
    assert client.get(f"{exports_url(world.other_project)}{foreign.pk}/").status_code == 404
    staff = client_for(world.staff)
    assert staff.get(f"{exports_url(world.other_project)}{foreign.pk}/").status_code == 200


# --- behaviour ---------------------------------------------------------------------------


def test_create_status_and_download_round_trip(world, django_capture_on_commit_callbacks, eager):
    client = client_for(world.researcher)
    body = {"format": "semeval", "options": {"layer": "gold", "format_options": {}}}
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(exports_url(world.project), body, format="json")
    assert created.status_code == 201
    assert created.data["status"] == "queued"  # the response is sent before the build
    status = client.get(f"{exports_url(world.project)}{created.data['id']}/").json()
    assert status["status"] == "done", status
    assert status["progress"] == {"done": 2, "total": 2}
    assert status["options"]["layer"] == "gold"
    assert status["message"].startswith("done:")
    assert status["manifest"]["counts"]["spans"] == 1  # the one gold span
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    blob = b"".join(download.streaming_content)
    assert hashlib.sha256(blob).hexdigest() == status["sha256"] == download["X-Checksum-SHA256"]
    assert len(blob) == status["size"]
    archive = zipfile.ZipFile(io.BytesIO(blob))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["export_id"] == status["id"]
    gold = world.gold_span
    # a label with no official name of the task: in other-labels.tsv, not the TC files
    assert archive.read("other-labels.tsv").decode() == (
        f"a1\tloaded_language\t{gold.start}\t{gold.end}\n"
    )
    assert archive.read("task2-TC.labels") == b""


def test_list_shows_the_projects_exports_newest_first(world):
    first, second = done_export(world), done_export(world, "csv")
    services.export_now(world.other_project, "jsonl")
    data = client_for(world.manager).get(exports_url(world.project)).json()
    assert [row["id"] for row in data["results"]] == [second.pk, first.pk]
    assert data["results"][0]["format"] == "csv"


def test_bad_options_are_a_400_naming_the_option(world):
    client = client_for(world.researcher)
    response = client.post(
        exports_url(world.project),
        {"format": "jsonl", "options": {"labels": ["no_such_label"]}},
        format="json",
    )
    assert response.status_code == 400
    assert "no_such_label" in response.json()["options"][0]
    response = client.post(exports_url(world.project), {"format": "xlsx"}, format="json")
    assert response.status_code == 400
    assert "format" in response.json()
    assert not Export.objects.exists()


def test_download_before_done_is_a_409_and_failure_says_why(world):
    queued = services.request_export(world.project, "jsonl")
    client = client_for(world.reviewer)
    response = client.get(f"{exports_url(world.project)}{queued.pk}/download/")
    assert response.status_code == 409
    assert "queued" in response.json()["detail"]

    span = world.span
    Span.objects.filter(pk=span.pk).update(text="#" * len(span.text))
    failed = services.export_now(world.project, "jsonl", {"layer": "all"})
    status = client.get(f"{exports_url(world.project)}{failed.pk}/").json()
    assert status["status"] == "failed"
    assert f"span #{span.pk}" in status["error"]
    assert status["message"].startswith("failed:")
    assert status["download_url"] is None
    response = client.get(f"{exports_url(world.project)}{failed.pk}/download/")
    assert response.status_code == 409
