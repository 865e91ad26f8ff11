"""No CR and no leading BOM in stored text, whatever path stores it (one rule,
core.text.normalize_text): the admin's forms, the API's JSON, uploads, the console's label and
guidelines edits; and Markdown guidelines rendered safely."""

import json

import pytest
from api_helpers import World, client_for, import_files
from django.contrib.auth import get_user_model
from django.urls import reverse

from annotator.core.markdown import render_markdown
from annotator.core.text import NewlineMap, normalize_text
from annotator.corpus.models import Article, Project

pytestmark = pytest.mark.django_db
RAW = "\ufeffFirst line\r\nsecond line\rthird 🔥 line\r\n"
STORED = "First line\nsecond line\nthird 🔥 line\n"


def test_the_rule():
    assert normalize_text(RAW) == STORED
    assert normalize_text("mid\ufeffdle") == "mid\ufeffdle"  # only a leading BOM goes
    mapped = NewlineMap(RAW)
    assert mapped.text == STORED
    start = RAW.index("second")
    assert STORED[mapped.offset(start) : mapped.offset(start + 6)] == "second"
    assert mapped.offset(0) == 0
    assert mapped.offset(1) == 0


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("site-admin", "admin@example.org", None)
    client.force_login(user)
    return client


def inlines():
    return {
        f"{prefix}-{key}": "0"
        for prefix in ("images", "assignments")
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }


def test_admin_article_form(admin, world: World):
    response = admin.post(
        reverse("admin:corpus_article_add"),
        {
            "project": world.project.pk,
            "external_id": "pasted",
            "text": RAW,
            "original_text": RAW,
            "metadata": "{}",
            **inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(external_id="pasted")
    assert (article.text, article.original_text) == (STORED, STORED)


def test_admin_project_form(admin, world: World):
    response = admin.post(
        reverse("admin:corpus_project_change", args=[world.project.pk]),
        {
            "slug": "news",
            "name": "News",
            "description": RAW,
            "guidelines": RAW,
            "schema": world.project.schema_id,
            "annotators_per_article": 2,
            "allow_overlap": "on",
            "show_suggestions": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(pk=world.project.pk)
    assert (project.description, project.guidelines) == (STORED, STORED)


def test_api_article_json(world: World):
    response = client_for(world.manager).post(
        "/api/v1/projects/news/articles/",
        {"external_id": "json", "text": RAW, "original_text": RAW},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["text"] == STORED
    assert Article.objects.get(external_id="json").original_text == STORED


def test_api_guidelines_and_labels(world: World):
    client = client_for(world.manager)
    client.patch("/api/v1/projects/news/", {"guidelines": RAW}, format="json")
    assert Project.objects.get(pk=world.project.pk).guidelines == STORED
    from annotator.schemas.editing import schema_copy

    Project.objects.filter(pk=world.project.pk).update(
        schema=schema_copy(world.project.schema, name="own")
    )
    client.patch(
        "/api/v1/projects/news/schema/labels/name_calling/",
        {"description": RAW, "example": RAW},
        format="json",
    )
    label = Project.objects.get(pk=world.project.pk).schema.labels.get(key="name_calling")
    assert (label.description, label.example) == (STORED, STORED)


def test_upload_text_and_jsonl(world: World):
    client = client_for(world.manager)
    line = json.dumps({"id": "jl", "text": RAW}, ensure_ascii=False) + "\n"
    response, job = import_files(
        client, "news", {"plain.txt": RAW.encode(), "one.jsonl": line.encode()}
    )
    assert job["report"]["ok"], job
    assert job["report"]["articles_created"] == 2, job
    assert Article.objects.get(external_id="plain").text == STORED
    assert Article.objects.get(external_id="jl").text == STORED


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Title\r\n\r\n*Loaded* words | x\n--- | ---\na | b\n\n<img src=x onerror=alert(1)>\n\n"
        "[bad](javascript:alert(1)) [good](https://example.org) <b>raw</b>"
    )
    assert "<h1>Title</h1>" in html
    assert "<em>Loaded</em>" in html
    assert "<table>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # raw HTML is text, not markup
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "<b>" not in html
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_markdown_preview_endpoint(world: World):
    response = client_for(world.annotator).post(
        "/api/v1/markdown/", {"markdown": "**x** <script>y</script>"}, format="json"
    )
    assert response.json()["html"] == "<p><strong>x</strong> &lt;script&gt;y&lt;/script&gt;</p>\n"


def test_api_docs_are_served_from_this_site_under_the_csp(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Content-Security-Policy" in page
    assert "cdn" not in html.lower()
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert "fonts.googleapis" not in redoc.content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in (
        redoc.content.decode()
    )
    policy = redoc["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
