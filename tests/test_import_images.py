"""Images of a jsonl export come back when the export is imported (issue #12, "Images in
exports"): a picture uploaded as a file (no URL) travels in the zip under ``media/``, and
``import_articles`` or an upload of the zip (or the folder it was unzipped to) stores it again
through Django's storage with its caption range, next to the spans that mark the caption.

The exports are made by the real export code (``exports.services.export_now``); the imports go
through the command and the import API as a user runs them. Bad image rows are errors naming
the file and line, and a file that fails leaves neither rows nor stored files behind.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest
from api_helpers import client_for, import_files, make_user
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from test_import_helpers import (  # noqa: F401  (keep_connection_fixture: a fixture)
    crlf,
    keep_connection_fixture,
    normalised,
    raw_span,
    utf16_span,
    zip_bytes,
)
from test_import_helpers import run_import_command as run

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    Membership,
    Project,
    Role,
)
from annotator.exports import services as exports
from annotator.imports.service import import_paths
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db

# Emoji, a ZWJ family, right-to-left Arabic, no-break spaces and a combining mark before and
# inside the captions: a caption range counted in anything but code points lands elsewhere.
TEXT = (
    "Breaking 🔥 news: 👨\u200d👩\u200d👧 families flee.\n"
    "A picture is worth a thousand words: 🤡 and\u00a0الحرب side by side.\n"
    "Cafe\u0301 owners say the photo is real.\n"
    "The second picture: soldiers\u00a0at rest."
)
CAPTION = "A picture is worth a thousand words: 🤡 and\u00a0الحرب side by side."
LINKED_CAPTION = "The second picture: soldiers\u00a0at rest."
# a PNG's signature, then every byte value: the stored copy must be byte-exact
PIXELS = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(255, -1, -1)) * 3
URL = "https://example.org/soldiers.jpg"
BOTH_URL = "https://example.org/original.jpg"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def image_files(media: Path) -> list[str]:
    """The image files in storage (the upload's own stored zip is elsewhere)."""
    return sorted(str(p.relative_to(media)) for p in (media / "images").rglob("*") if p.is_file())


@pytest.fixture
def schema(db):
    schema = LabelSchema.objects.create(name="Manipulation")
    Label.objects.create(schema=schema, key="image_miscaption", name="Image miscaption", order=1)
    Label.objects.create(schema=schema, key="loaded_language", name="Loaded language", order=2)
    return schema


@pytest.fixture
def target(schema):
    return Project.objects.create(slug="copy", name="Copy", schema=schema)


@pytest.fixture
def source(schema):
    """A project whose pictures were uploaded: a file only (no URL) with a caption that an
    ``image_miscaption`` span marks, a URL only, and a file that also has a URL."""
    project = Project.objects.create(slug="source", name="Source", schema=schema)
    alice = make_user("alice")
    Membership.objects.create(user=alice, project=project, role=Role.ANNOTATOR)
    article = Article.objects.create(project=project, external_id="a1", title="T", text=TEXT)
    other = Article.objects.create(project=project, external_id="a2", text="Another 🙂 text.")
    for assigned in (article, other):  # so that alice's folder of a layer "each" export has both
        Assignment.objects.create(article=assigned, annotator=alice)
    start = TEXT.index(CAPTION)
    linked = TEXT.index(LINKED_CAPTION)
    ArticleImage.objects.create(
        article=article,
        file=default_storage.save("images/2026/12/clown.png", ContentFile(PIXELS)),
        caption_start=start,
        caption_end=start + len(CAPTION),
    )
    ArticleImage.objects.create(
        article=article,
        url=URL,
        caption_start=linked,
        caption_end=linked + len(LINKED_CAPTION),
        order=1,
    )
    ArticleImage.objects.create(
        article=other,
        file=default_storage.save("images/2026/11/photo.jpg", ContentFile(PHOTO)),
        url=BOTH_URL,
    )
    for phrase, key in [(CAPTION, "image_miscaption"), ("🔥 news", "loaded_language")]:
        label = Label.objects.get(schema=schema, key=key)
        at = TEXT.index(phrase)
        Span.objects.create(
            article=article,
            annotator=alice,
            label=label,
            start=at,
            end=at + len(phrase),
            text=phrase,
        )
    return project


def export_zip(project: Project, **options) -> bytes:
    result = exports.export_now(project, "jsonl", {"layer": "all", **options})
    assert result.status == JobStatus.DONE, result.error
    with default_storage.open(result.file.name, "rb") as handle:
        return handle.read()


def assert_images_came_back(project: Project, media: Path) -> None:
    article = Article.objects.get(project=project, external_id="a1")
    assert article.text == TEXT
    uploaded, linked = article.images.order_by("order")
    # the picture that was only a file: stored again, byte for byte, under a name of its own
    assert uploaded.url == ""
    assert uploaded.file.name.startswith("images/")
    assert uploaded.file.name not in ("images/2026/12/clown.png", "")
    with uploaded.file.open("rb") as handle:
        assert handle.read() == PIXELS
    assert (uploaded.caption_start, uploaded.caption) == (TEXT.index(CAPTION), CAPTION)
    assert (linked.url, linked.file.name, linked.caption) == (URL, "", LINKED_CAPTION)
    (both,) = Article.objects.get(project=project, external_id="a2").images.all()
    assert both.url == BOTH_URL
    with both.file.open("rb") as handle:
        assert handle.read() == PHOTO
    assert (both.caption_start, both.caption_end) == (None, None)
    # the span that says the caption lies marks exactly the caption's characters
    spans = {(s.label.key, s.start, s.end, s.text) for s in article.spans.select_related("label")}
    assert ("image_miscaption", uploaded.caption_start, uploaded.caption_end, CAPTION) in spans
    assert len(spans) == 2
    # the new project's files only: two imported pictures next to the source's two
    assert len(image_files(media)) == 4


def unzip(data: bytes, folder: Path) -> Path:
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return folder


@pytest.mark.parametrize(
    ("layer", "as_folder", "options"),
    [
        ("all", False, []),
        ("all", True, []),
        ("each", False, []),
        ("each", True, []),
        ("all", False, ["--fast"]),
    ],
    ids=[
        "zip",
        "unzipped folder",
        "each annotator's folder, zip",
        "each annotator's folder",
        "zip, --fast (PostgreSQL: COPY without FK triggers)",
    ],
)
def test_the_command_imports_an_export_with_its_pictures(
    source, target, media, tmp_path, capsys, layer, as_folder, options
):
    data = export_zip(source, layer=layer)
    records = json.loads(
        zipfile.ZipFile(io.BytesIO(data))
        .read("articles.jsonl" if layer == "all" else "annotators/alice/articles.jsonl")
        .decode()
        .splitlines()[0]
    )
    # the export's own words: a file-only image's src is its path in the zip
    assert records["images"][0]["src"] == records["images"][0]["file"]
    assert records["images"][0]["file"].startswith("media/images/")
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    if as_folder:
        path = unzip(data, tmp_path / "export")

    assert run("--project", "copy", "--annotator", "alice", *options, path) == 0

    out = capsys.readouterr().out
    assert "2 article(s), 2 span(s), 3 image(s) created" in out
    if options and connection.vendor == "postgresql":
        assert "fast path: foreign-key triggers skipped" in out
    assert_images_came_back(target, media)


def test_an_upload_of_the_export_zip_brings_the_pictures_and_serves_them(source, target, media):
    manager = make_user("boss")
    Membership.objects.create(user=manager, project=target, role=Role.MANAGER)
    alice = source.members.get(username="alice")
    Membership.objects.create(user=alice, project=target, role=Role.ANNOTATOR)
    client = client_for(manager)

    response, job = import_files(
        client, "copy", {"export.zip": export_zip(source)}, annotator="alice"
    )

    assert response.status_code == 201, response.json()
    assert job["status"] == "done", job
    assert job["report"]["ok"], job["report"]
    assert job["report"]["files"][0]["images_created"] == 3
    assert_images_came_back(target, media)
    article = Article.objects.get(project=target, external_id="a1")
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    assert body["images"][0]["caption"] == CAPTION
    picture = client.get(body["images"][0]["file"])
    assert picture.status_code == 200
    assert b"".join(picture.streaming_content) == PIXELS


def test_importing_the_export_again_skips_the_articles_and_keeps_no_copy(
    source, target, media, tmp_path
):
    path = tmp_path / "export.zip"
    path.write_bytes(export_zip(source))
    assert import_paths(target, [path], annotator="alice").ok
    files = image_files(media)

    again = import_paths(target, [path], annotator="alice")

    assert again.ok
    assert again.duplicates == 2
    assert ArticleImage.objects.filter(article__project=target).count() == 3
    assert image_files(media) == files  # the second copies, named by no row, are gone


# --- a hand-made zip: CRLF text, offsets as the file counts them -------------------------------

RAW = crlf(
    "Breaking 🔥 news from the front.\n"
    "Caption:\u00a0الحرب 🤡 side by side.\n"
    "Cafe\u0301 owners say it is real."
)
PHRASE = "Caption:\u00a0الحرب 🤡 side by side."


def line(number: int = 1, **image) -> str:
    row = {"id": f"n{number}", "text": RAW, "images": [image]}
    return json.dumps(row, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("form", ["start/end", "caption", "utf16"])
def test_a_caption_range_over_crlf_text_is_remapped(target, media, tmp_path, form):
    start, end = (utf16_span if form == "utf16" else raw_span)(RAW, PHRASE)
    range_ = {"caption": PHRASE} if form == "caption" else {"start": start, "end": end}
    path = tmp_path / "hand.zip"
    path.write_bytes(
        zip_bytes(
            {
                "data/articles.jsonl": line(src="pics/a.png", **range_).encode(),
                "data/pics/a.png": PIXELS,  # next to the .jsonl
            }
        )
    )

    report = import_paths(target, [path], utf16_offsets=form == "utf16")

    assert report.ok, report.as_dict()
    (image,) = ArticleImage.objects.all()
    text = normalised(RAW)
    assert image.article.text == text
    assert (image.caption_start, image.caption) == (text.index(PHRASE), PHRASE)
    assert image.file.read() == PIXELS


# --- bad image rows: the file and line named, nothing stored -----------------------------------

FILES = {
    "media/ok.png": PIXELS,
    "media/page.html": b"<html><script>alert(1)</script></html>",
    "media/fake.png": b"<html><script>alert(1)</script></html>",
    "media/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "media/photo.jpg": PIXELS,  # a PNG named .jpg
}
# (case, the bad image row, words the error must contain)
BAD_IMAGES = [
    ("not in the export", {"file": "media/gone.png"}, "'file' 'media/gone.png': no such file in"),
    ("src not in it", {"src": "media/gone.png"}, "'src' 'media/gone.png': no such file in"),
    ("climbs out", {"file": "../media/ok.png"}, "must be a path inside the zip or folder"),
    ("inner climb", {"file": "media/../media/ok.png"}, "must be a path inside the zip or folder"),
    ("absolute", {"file": "/etc/passwd"}, "must be a path inside the zip or folder"),
    ("backslashes", {"file": "media\\ok.png"}, "must be a path inside the zip or folder"),
    ("html", {"file": "media/page.html"}, "'.html' is not an image type we accept"),
    ("svg", {"file": "media/logo.svg"}, "'.svg' is not an image type we accept"),
    ("html named png", {"file": "media/fake.png"}, "the file is not a PNG image"),
    ("png named jpg", {"file": "media/photo.jpg"}, "the file is not a JPEG image"),
    ("file not a string", {"file": 7}, "'file' must be a path"),
    ("neither", {"caption": "Breaking"}, "give 'src' (a URL) or 'file'"),
    ("javascript src", {"src": "javascript:alert(1)"}, "'src' must be an http(s) URL"),
]


@pytest.mark.parametrize(("case", "image", "words"), BAD_IMAGES, ids=[c[0] for c in BAD_IMAGES])
@pytest.mark.parametrize("as_folder", [False, True], ids=["zip", "folder"])
def test_a_bad_image_row_is_named_and_its_file_stores_nothing(
    target, media, tmp_path, case, image, words, as_folder
):
    # a good article with a picture first, inserted (and its picture stored) before the bad line
    jsonl = line(1, file="media/ok.png") + "\n" + line(2, **image)
    files = {"export/articles.jsonl": jsonl.encode()} | {f"export/{k}": v for k, v in FILES.items()}
    data = zip_bytes(files)
    if as_folder:
        path = unzip(data, tmp_path / "unzipped") / "export"
        where = str(path / "articles.jsonl")
    else:
        path = tmp_path / "bad.zip"
        path.write_bytes(data)
        where = f"{path}:export/articles.jsonl"

    report = import_paths(target, [path], batch_size=1)

    assert not report.ok
    [error] = report.files[0].errors
    assert (error.file, error.line) == (where, 3)
    assert words in error.message
    assert error.message.startswith("images[0]: ")
    assert Article.objects.count() == 0
    assert ArticleImage.objects.count() == 0
    assert image_files(media) == []  # the good line's stored picture was deleted


def test_a_link_out_of_the_folder_is_refused(target, media, tmp_path):
    (tmp_path / "secret.png").write_bytes(PIXELS)
    folder = tmp_path / "export"
    (folder / "media").mkdir(parents=True)
    (folder / "media/ok.png").symlink_to(tmp_path / "secret.png")
    (folder / "articles.jsonl").write_text(line(file="media/ok.png"), "utf-8")

    report = import_paths(target, [folder])

    [error] = report.files[0].errors
    assert (error.file, error.line) == (str(folder / "articles.jsonl"), 1)
    assert f"'file' 'media/ok.png' leads out of {folder}" in error.message
    assert not ArticleImage.objects.exists()


def test_a_jsonl_alone_with_a_file_only_image_says_to_import_the_whole_export(
    source, target, media, tmp_path, capsys
):
    folder = unzip(export_zip(source), tmp_path / "export")

    assert run("--project", "copy", "--annotator", "alice", folder / "articles.jsonl") == 1

    out = capsys.readouterr().out
    assert f"{folder / 'articles.jsonl'}, line 1: images[0]: 'file' 'media/images/2026/12/" in out
    assert "import the whole export (its .zip, or the folder it was unzipped to)" in out
    assert not Article.objects.filter(project=target).exists()


def test_an_uploaded_jsonl_alone_with_a_file_only_image_fails_the_same_way(source, target):
    manager = make_user("boss")
    Membership.objects.create(user=manager, project=target, role=Role.MANAGER)
    jsonl = zipfile.ZipFile(io.BytesIO(export_zip(source))).read("articles.jsonl")

    response, job = import_files(client_for(manager), "copy", {"articles.jsonl": jsonl})

    assert response.status_code == 201
    [error] = job["report"]["files"][0]["errors"]
    assert (error["file"], error["line"]) == ("articles.jsonl", 1)
    assert "import the whole export" in error["message"]
    assert not Article.objects.filter(project=target).exists()


def test_a_jsonl_alone_keeps_the_urls_and_says_which_files_it_left(target, media, tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(line(src=URL, file="media/images/x.png", caption=PHRASE), "utf-8")

    report = import_paths(target, [path])

    assert report.ok, report.as_dict()
    (image,) = ArticleImage.objects.all()
    assert (image.url, image.file.name, image.caption) == (URL, "", PHRASE)
    assert report.files[0].notes == [
        f"{path}: 1 image row(s) with a URL and a 'file': a .jsonl read alone brings the URL "
        "only; import the whole export (its .zip or folder) for the files too"
    ]


def test_a_job_that_lost_its_job_deletes_the_pictures_it_stored(target, media):
    """The job's own transaction around the file rolls back: the files it stored go too."""
    from annotator.core import jobs
    from annotator.imports import uploads
    from annotator.imports.models import ImportJob

    manager = make_user("boss")
    Membership.objects.create(user=manager, project=target, role=Role.MANAGER)
    data = zip_bytes({"articles.jsonl": line(file="ok.png").encode(), "ok.png": PIXELS})
    response = client_for(manager).post(
        "/api/v1/projects/copy/imports/",
        {"file": SimpleUploadedFile("a.zip", data)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    claimed = jobs.claim(ImportJob, response.json()["id"], "first builder")
    ImportJob.objects.filter(pk=claimed.pk).update(owner="second builder")  # took it over

    with pytest.raises(jobs.JobFailed, match="taken over"):
        uploads.run(claimed, lambda done, total: None)

    assert not ArticleImage.objects.exists()
    assert image_files(media) == []
