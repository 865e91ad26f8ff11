"""Limits on every input: bodies, JSON nesting, numbers in query parameters, uploads and zips.
Each answer is JSON that says what was too much, and nothing is stored."""

import io
import json
import zipfile

import pytest
from api_helpers import World, client_for, import_files
from processes import clean_env, run_python

from annotator.corpus.models import Article

pytestmark = pytest.mark.django_db
ARTICLES = "/api/v1/projects/news/articles/"
IMPORTS = "/api/v1/projects/news/imports/"


def post_json(client, url, raw: str):
    return client.generic("POST", url, raw, content_type="application/json")


def test_an_article_up_to_the_documented_20_mib_is_taken(world: World, settings):
    text = "x" * (3 * 1024 * 1024)  # over Django's default 2.5 MiB body limit
    response = client_for(world.manager).post(
        ARTICLES, {"external_id": "big", "text": text}, format="json"
    )
    assert response.status_code == 201, response.content[:200]
    too_big = "x" * (settings.API_MAX_ARTICLE_BYTES + 2 * 1024 * 1024)
    response = client_for(world.manager).post(
        ARTICLES, {"external_id": "bigger", "text": too_big}, format="json"
    )
    assert response.status_code == 413
    assert "bytes" in response.json()["detail"]
    assert not Article.objects.filter(external_id="bigger").exists()


@pytest.mark.parametrize("depth", [600, 5000])
def test_deep_json_is_refused_with_json(world: World, depth):
    meta = '{"a":' * depth + "1" + "}" * depth
    raw = '{"external_id": "deep", "text": "Some text.", "metadata": ' + meta + "}"
    response = post_json(client_for(world.manager), ARTICLES, raw)
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
    assert not Article.objects.filter(external_id="deep").exists()


@pytest.mark.parametrize("value", ["²", "٣", "1²", "-1", "½"])
def test_unicode_digits_in_numeric_parameters_are_400_json(world: World, value):
    client = client_for(world.manager)
    for url in [
        f"/api/v1/articles/{world.article.pk}/spans/?layer={value}",
        f"/api/v1/projects/news/stats/?limit={value}",
    ]:
        response = client.get(url)
        assert response.status_code == 400, (url, response.content[:200])
        assert response["Content-Type"] == "application/json"


def upload(client, name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return client.post(IMPORTS, {"file": file}, format="multipart")


def test_an_upload_over_the_limit_is_413_before_it_is_read(world: World, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    line = json.dumps({"id": "x", "text": "y" * 2000}) + "\n"
    response = upload(client_for(world.manager), "big.jsonl", line.encode())
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["detail"]
    assert not Article.objects.filter(external_id="x").exists()


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


def test_a_zip_bomb_is_refused_from_its_directory(world: World):
    response = upload(client_for(world.manager), "bomb.zip", bomb(64 << 20))
    assert response.status_code == 400  # in the request: nothing is stored
    (message,) = response.json()["file"]
    assert "zip bomb" in message
    assert "articles.jsonl" in message


def test_zips_with_too_many_members_or_bytes_are_refused(world: World, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # stored: ratio 1
        for n in range(5):
            archive.writestr(f"article{n}.txt", "Title\n\nSome text " * 100)
    settings.IMPORT_MAX_ZIP_MEMBERS = 4
    response = upload(client_for(world.manager), "many.zip", buffer.getvalue())
    assert response.status_code == 400
    assert "at most 4" in json.dumps(response.json())
    settings.IMPORT_MAX_ZIP_MEMBERS = 100
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5000
    response = upload(client_for(world.manager), "many.zip", buffer.getvalue())
    assert response.status_code == 400
    assert "expands to" in json.dumps(response.json())
    assert not Article.objects.filter(project__slug="news", external_id__startswith="article")


def test_a_long_line_is_skipped_without_reading_it_whole(world: World, settings):
    settings.API_MAX_ARTICLE_BYTES = 1000  # lines may hold 2x that, plus 1 MiB
    long_line = json.dumps({"id": "long", "text": "z" * (3 << 20)})
    data = (long_line + "\n" + json.dumps({"id": "ok", "text": "fine"}) + "\n").encode()
    response, job = import_files(client_for(world.manager), "news", {"long.jsonl": data})
    assert job["status"] == "done"
    assert not job["report"]["ok"]
    error = job["report"]["files"][0]["errors"][0]
    assert error["line"] == 1
    assert "longer than" in error["message"]
    assert not Article.objects.filter(external_id__in=["long", "ok"]).exists()


CHILD = """
import resource, sys, django
django.setup()
from django.core.management import call_command
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    call_command("import_articles", "--project", "news", sys.argv[1])
except SystemExit:
    pass
except Exception as exc:
    print("raised", type(exc).__name__, exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("grew_kb", after - before)
"""


@pytest.mark.postgres
def test_the_importer_refuses_a_gib_bomb_within_100_mb(transactional_db, tmp_path):
    """The attack of the issue: 1 MB of zip that expands to 1 GiB, through the command line,
    in a process of its own whose peak memory is measured."""
    from processes import child_database_url

    from annotator.corpus.models import Project
    from annotator.schemas.models import LabelSchema

    Project.objects.create(slug="news", name="News", schema=LabelSchema.objects.create(name="S"))
    path = tmp_path / "bomb.zip"
    path.write_bytes(bomb(1 << 30))
    assert path.stat().st_size < 2 << 20
    result = run_python(CHILD, clean_env(tmp_path, DATABASE_URL=child_database_url()), str(path))
    output = result.stdout + result.stderr
    assert "zip bomb" in output, output
    grew_kb = int(output.rsplit("grew_kb", 1)[1].split()[0])
    assert grew_kb < 100 * 1024, output
