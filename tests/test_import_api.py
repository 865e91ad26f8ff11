"""Imports through the API (imports.uploads): an upload is checked in the request, stored, and
imported by a background job whose detail shows its progress and then its report. The jobs run
here in this process, as a worker runs them (api_helpers.import_files); a real worker:
tests/test_import_worker.py. The life every job shares: tests/test_jobs.py."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from api_helpers import World, client_for, import_files, make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from annotator.annotations.models import Span
from annotator.core import jobs
from annotator.corpus.models import Article
from annotator.imports import uploads
from annotator.imports.models import ImportJob
from annotator.imports.tasks import run_import

pytestmark = pytest.mark.django_db
IMPORTS = "/api/v1/projects/news/imports/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def jsonl(*articles: dict) -> bytes:
    return "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles).encode()


# A BOM, CRLF and an emoji before the span: offsets are code points of the raw text.
LABELLED = jsonl(
    {
        "id": "lab1",
        "text": "\ufeff🔥 The enemy.\r\nIs here.",
        "spans": [{"start": 7, "end": 12, "label": "loaded_language"}],
    }
)


def semeval_zip(labels_line: str = "111\tloaded_language\t0\t5\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train-articles/article111.txt", "Awful news from the front.\n")
        archive.writestr("train-articles/article222.txt", "Another article, calmer.\n")
        archive.writestr("train-labels/article111.task-flc-tc.labels", labels_line)
    return buffer.getvalue()


def test_an_upload_answers_the_queued_job_whose_detail_ends_with_the_report(world: World, media):
    client = client_for(world.manager)
    content = LABELLED
    response = client.post(
        IMPORTS, {"file": SimpleUploadedFile("a.jsonl", content)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    queued = response.json()
    assert (queued["status"], queued["message"]) == ("queued", "queued: waiting for a worker")
    assert queued["progress"] == {"done": 0, "total": len(content)}
    assert queued["files"] == [{"name": "a.jsonl", "size": len(content)}]
    assert queued["options"]["layer"] == "uploader"
    assert queued["options"]["annotator"] == "boss"
    assert queued["options"]["batch"].endswith(" a.jsonl")
    assert queued["requester"] == "boss"
    assert queued["report"] == {}
    assert len(stored_files(media)) == 1  # where a worker on another machine reads it
    assert not Article.objects.filter(external_id="lab1").exists()

    jobs.run(ImportJob, queued["id"], uploads.run)
    done = client.get(f"{IMPORTS}{queued['id']}/").json()
    assert done["status"] == "done"
    assert done["progress"] == {"done": len(content), "total": len(content)}
    assert done["message"] == "done: 1 article(s), 1 span(s) created, 0 duplicate(s) skipped"
    (file,) = done["report"]["files"]
    assert (file["path"], file["ok"], file["articles_created"], file["spans_created"]) == (
        "a.jsonl",
        True,
        1,
        1,
    )
    article = Article.objects.get(external_id="lab1")
    assert article.text == "🔥 The enemy.\nIs here."  # no BOM, no CR
    span = Span.objects.get(article=article)
    assert (span.annotator, span.text, span.start) == (world.manager, "enemy", 6)
    assert stored_files(media) == []  # deleted once the job ended

    listed = client.get(IMPORTS).json()["results"]
    assert [job["id"] for job in listed] == [done["id"]]
    assert listed[0]["report"] == done["report"]  # the page shows it after a reload


def test_spans_go_to_the_uploader_a_named_member_or_gold(world: World):
    client = client_for(world.manager)
    named = LABELLED.replace(b"lab1", b"lab2")
    response, job = import_files(
        client, "news", {"b.jsonl": named}, annotator="ann2", batch="week 1"
    )
    assert job["status"] == "done", job
    assert job["report"]["ok"], job
    assert job["options"] == {
        "layer": "annotator",
        "annotator": "ann2",
        "batch": "week 1",
        "utf16_offsets": False,
    }
    assert Span.objects.get(article__external_id="lab2").annotator == world.annotator2
    assert Article.objects.get(external_id="lab2").batch == "week 1"

    gold = LABELLED.replace(b"lab1", b"lab3")
    response, job = import_files(client, "news", {"c.jsonl": gold}, gold="true")
    assert job["options"]["layer"] == "gold"
    assert job["report"]["spans_created"] == 1
    assert Span.objects.get(article__external_id="lab3").annotator is None

    stranger = make_user("stranger")
    for fields, field, message in [
        ({"annotator": "stranger"}, "annotator", "not a member"),
        ({"annotator": "nobody"}, "annotator", "No user 'nobody'"),
        ({"annotator": "ann2", "gold": "true"}, "annotator", "not both"),
    ]:
        refused, job = import_files(client, "news", {"d.jsonl": LABELLED}, **fields)
        assert refused.status_code == 400
        assert message in refused.json()[field][0]
    assert not Span.objects.filter(annotator=stranger).exists()
    assert not ImportJob.objects.filter(files__0__name="d.jsonl").exists()


def test_several_files_are_one_job_with_a_transaction_and_a_report_each(world: World):
    good = jsonl({"id": "g1", "text": "Fine text."}, {"id": "a1", "text": "Already here."})
    bad = jsonl({"id": "b1", "text": "Good line."}) + b'{"id": "b2", "text": \n'
    response, job = import_files(
        client_for(world.manager),
        "news",
        {"good.jsonl": good, "bad.jsonl": bad, "set.zip": semeval_zip()},
    )
    assert job["status"] == "done"
    assert not job["report"]["ok"]
    good_report, bad_report, zip_report = job["report"]["files"]
    assert (good_report["articles_created"], good_report["duplicate_ids"]) == (1, ["a1"])
    assert not bad_report["ok"]
    assert bad_report["articles_created"] == 0
    (error,) = bad_report["errors"]
    assert (error["file"], error["line"]) == ("bad.jsonl", 2)
    assert error["message"].startswith("bad JSON: Expecting value")
    assert (zip_report["format"], zip_report["articles_created"]) == ("zip", 2)
    assert zip_report["spans_created"] == 1
    assert job["message"].endswith("nothing stored from bad.jsonl (errors)")
    assert job["report"]["articles_created"] == 3
    assert job["report"]["duplicates"] == 1
    assert Article.objects.filter(external_id="g1").exists()
    assert not Article.objects.filter(external_id="b1").exists()  # nothing from a bad file
    assert Span.objects.get(article__external_id="111").text == "Awful"
    assert (
        job["progress"]["done"] == job["progress"]["total"] == len(good + bad) + len(semeval_zip())
    )


def test_progress_counts_the_bytes_read_and_only_goes_forward(world: World, media):
    many = jsonl(*({"id": f"p{n}", "text": f"Article {n} 🔥."} for n in range(30)))
    client = client_for(world.manager)
    response = client.post(
        IMPORTS,
        {
            "file": [
                SimpleUploadedFile("many.jsonl", many),
                SimpleUploadedFile("s.zip", semeval_zip()),
            ]
        },
        format="multipart",
    )
    seen = []
    jobs.run(
        ImportJob,
        response.json()["id"],
        lambda job, progress: uploads.run(
            job, lambda done, total: (seen.append((done, total)), progress(done, total))
        ),
    )
    total = len(many) + len(semeval_zip())
    assert {t for _, t in seen} == {total}
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[-1] == total
    assert len({d for d in done if d < len(many)}) > 10  # it moved while the JSONL was read


# --- refused in the request: nothing stored ----------------------------------------------------


def post(client, files: dict[str, bytes], **fields):
    uploaded = [SimpleUploadedFile(name, content) for name, content in files.items()]
    return client.post(IMPORTS, {"file": uploaded, **fields}, format="multipart")


def bomb(size: int) -> bytes:
    """A zip of one JSONL member of ``size`` zero bytes (a ~1000x deflate ratio)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("articles.jsonl", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            member.write(chunk)
    return buffer.getvalue()


def test_bad_files_are_refused_in_the_request_naming_each(world: World, media, settings):
    client = client_for(world.manager)
    response = post(
        client,
        {
            "ok.jsonl": LABELLED,
            "notes.docx": b"PK not really",
            "broken.zip": b"not a zip",
            "bomb.zip": bomb(64 << 20),
        },
    )
    assert response.status_code == 400
    messages = response.json()["file"]
    assert len(messages) == 3
    assert messages[0].startswith("notes.docx: unsupported file type '.docx'")
    assert messages[1].startswith("broken.zip: not a readable zip file")
    assert messages[2].startswith("bomb.zip: articles.jsonl expands")
    assert "zip bomb" in messages[2]

    settings.API_MAX_ARTICLE_BYTES = 100
    response = post(client, {"long.txt": b"x" * 200})
    assert response.status_code == 400
    assert "long.txt: 200 bytes" in response.json()["file"][0]

    assert post(client, {}).json()["file"] == ["This field is required."]
    assert not ImportJob.objects.exists()
    assert stored_files(media) == []
    assert not Article.objects.filter(external_id="lab1").exists()


def test_an_upload_over_the_limit_is_413_before_it_is_read(world: World, media, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    response = post(client_for(world.manager), {"big.jsonl": b"x" * 5000})
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]
    assert not ImportJob.objects.exists()
    assert stored_files(media) == []


def test_files_stored_before_a_failure_in_the_request_are_deleted(world: World, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportJob.objects, "create", broken)
    with pytest.raises(RuntimeError):
        post(client_for(world.manager), {"a.jsonl": LABELLED, "b.jsonl": LABELLED})
    assert stored_files(media) == []


# --- the files are deleted however the job ends ------------------------------------------------


def queued(world: World, *contents: bytes) -> ImportJob:
    files = {f"f{n}.jsonl": content for n, content in enumerate(contents)}
    response = post(client_for(world.manager), files)
    assert response.status_code == 201, response.json()
    return ImportJob.objects.get(pk=response.json()["id"])


def test_a_failed_job_deletes_its_files_too(world: World, media):
    job = queued(world, LABELLED)
    User = type(world.manager)
    User.objects.filter(pk=world.manager.pk).delete()  # whose layer the spans were for
    ended = jobs.run(ImportJob, job.pk, uploads.run)
    assert ended.status == "failed"
    assert "'boss', whose layer" in ended.error
    assert stored_files(media) == []


@pytest.mark.parametrize("by", ["recovery", "a redelivered task"])
def test_a_job_given_up_after_its_attempts_deletes_its_files(world: World, media, by):
    job = queued(world, LABELLED)
    long_ago = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=jobs.MAX_ATTEMPTS, heartbeat_at=long_ago, owner="lost"
    )
    if by == "recovery":
        assert len(jobs.recover()) == 1
    else:
        assert jobs.run(ImportJob, job.pk, uploads.run) is None
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    assert stored_files(media) == []


@pytest.mark.django_db(transaction=True)  # the task is queued at once, in the request
def test_an_import_requested_while_the_broker_is_down_is_503_and_keeps_no_file(
    world: World, media, monkeypatch
):
    def refused(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(run_import, "apply_async", refused)
    response = post(client_for(world.manager), {"a.jsonl": LABELLED})
    assert response.status_code == 503
    assert "Import #" in response.json()["detail"]
    assert ImportJob.objects.get().status == "failed"
    assert stored_files(media) == []


# --- a job taken over: no file imported twice ---------------------------------------------------


class Died(Exception):
    pass


def test_a_takeover_goes_on_from_the_first_file_not_committed(world: World, media):
    first = jsonl({"id": "t1", "text": "One."}, {"id": "t2", "text": "Two."})
    second = jsonl({"id": "t3", "text": "Three."})
    job = queued(world, first, second)
    claimed = jobs.claim(ImportJob, job.pk, "first builder")

    def dies_in_the_second_file(done, total):
        if done > len(first):
            raise Died  # the first file's transaction has committed, with its report

    with pytest.raises(Died):
        uploads.run(claimed, dies_in_the_second_file)
    job.refresh_from_db()
    assert [f["path"] for f in job.report["files"]] == ["f0.jsonl"]
    assert not Article.objects.filter(external_id="t3").exists()

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    ended = jobs.run(ImportJob, job.pk, uploads.run, task_id="redelivered")
    assert (ended.status, ended.attempts) == ("done", 2)
    created = [f["articles_created"] for f in ended.report["files"]]
    assert created == [2, 1]
    assert ended.report["duplicates"] == 0
    assert Article.objects.filter(external_id__in=["t1", "t2", "t3"]).count() == 3


def test_a_builder_that_lost_its_job_stores_nothing(world: World, media):
    job = queued(world, jsonl({"id": "lost1", "text": "Lost."}))
    claimed = jobs.claim(ImportJob, job.pk, "first builder")
    ImportJob.objects.filter(pk=job.pk).update(owner="second builder")  # took it over
    with pytest.raises(jobs.JobFailed, match="taken over"):
        uploads.run(claimed, lambda done, total: None)
    assert not Article.objects.filter(external_id="lost1").exists()
    assert ImportJob.objects.get(pk=job.pk).report == {}


def test_an_uploaded_release_zip_takes_si_files_only_with_si_label(world: World, tmp_path):
    from test_import_semeval import DATASETS, zip_folder

    from annotator.schemas.models import Label

    schema = world.project.schema
    official = {"loaded_language": "Loaded_Language", "name_calling": "Name_Calling,Labeling"}
    for key, name in official.items():
        Label.objects.filter(schema=schema, key=key).update(official_label=name)
    for key, name in {"doubt": "Doubt", "what": "Whataboutism,Straw_Men,Red_Herring"}.items():
        Label.objects.create(schema=schema, key=key, name=key, official_label=name)
    client = client_for(world.manager)
    data = zip_folder(DATASETS, tmp_path / "release.zip").read_bytes()
    refused, _ = import_files(client, "news", {"d.zip": data}, si_label="no_such")
    assert refused.status_code == 400
    assert "unknown label 'no_such'" in refused.json()["si_label"][0]

    response, job = import_files(client, "news", {"d.zip": data}, si_label="loaded_language")
    assert job["status"] == "done", job
    assert job["report"]["ok"], job
    assert job["options"]["si_label"] == "loaded_language"
    [file] = job["report"]["files"]
    assert any(name.endswith("article1002.task1-SI.labels") for name in file["label_files"]["1002"])
    assert file["repeated_spans"] == 1
    assert file["articles_created"] == 4
