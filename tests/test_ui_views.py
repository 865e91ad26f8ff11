"""The server-rendered pages without a browser: who may open what, and the CSP header."""

import re

import pytest
from demo_helpers import login

from annotator.corpus.models import Assignment

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_without_inline_script(client, demo):
    login(client, "annotator1")
    for url in ["/", f"/annotate/{demo.pk}/", "/accounts/login/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert re.search(r"(^|; )script-src 'self'(;|$)", policy), policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
    html = client.get(f"/annotate/{demo.pk}/").content.decode()
    # No inline script and no inline style attribute in the page the CSP protects.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert " style=" not in html
    assert "Content-Security-Policy" in client.get("/api/docs/")


def test_the_admin_may_use_inline_styles_but_never_inline_script(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert re.search(r"(^|; )style-src 'self' 'unsafe-inline'(;|$)", policy), policy
    assert re.search(r"(^|; )script-src 'self'(;|$)", policy), policy


def test_who_opens_the_annotation_page_and_the_article_list(client, demo):
    for username, annotate, articles in [
        ("annotator1", 200, 404),
        ("reviewer", 200, 200),
        ("admin", 200, 200),
        ("researcher", 404, 404),
    ]:
        client.logout()
        login(client, username)
        assert client.get(f"/annotate/{demo.pk}/").status_code == annotate, username
        assert client.get("/projects/propaganda-demo/articles/").status_code == articles, username
    # An annotator cannot open an article that is not assigned to them.
    Assignment.objects.filter(article=demo, annotator__username="annotator2").delete()
    client.logout()
    login(client, "annotator2")
    assert client.get(f"/annotate/{demo.pk}/").status_code == 404
    assert client.get("/annotate/999999/").status_code == 404


def test_annotate_next_redirects_then_says_all_done(client, demo):
    login(client, "annotator1")
    response = client.get("/projects/propaganda-demo/annotate/")
    assert response.status_code == 302
    assert re.fullmatch(r"/annotate/\d+/", response["Location"])
    Assignment.objects.filter(annotator__username="annotator1").update(status="done")
    response = client.get("/projects/propaganda-demo/annotate/")
    assert response.status_code == 200
    assert b'id="all-done"' in response.content
    assert client.get("/projects/nope/annotate/").status_code == 404
    client.logout()
    assert client.get("/").status_code == 302  # to the login page


def test_guidelines_are_rendered_by_the_server_and_sanitised(client, demo):
    project = demo.project
    project.guidelines = (
        "# Rules\r\n\r\nMark **loaded** words.<script>alert(1)</script>\n\n[x](javascript:alert(2))"
    )
    project.save(update_fields=["guidelines"])
    login(client, "annotator1")
    html = client.get(f"/annotate/{demo.pk}/").content.decode()
    panel = html.split('id="guidelines-panel"', 1)[1].split("</aside>", 1)[0]
    assert "<h3>Rules</h3>" in panel  # under the panel's own <h2>
    assert "<strong>loaded</strong>" in panel
    assert "<script>" not in panel
    assert "&lt;script&gt;" in panel
    assert 'href="javascript' not in panel  # the link stays text


def test_the_format_docs_are_a_page_for_signed_in_users(client, demo):
    """docs/formats.md and docs/exports.md as pages (the Datasets page links to them)."""
    response = client.get("/help/formats/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    login(client, "researcher")
    html = client.get("/help/formats/").content.decode()
    assert "<h1>Export formats</h1>" in html
    assert "OWASP" in html
    assert "<h1>Dataset exports</h1>" in client.get("/help/exports/").content.decode()
    assert client.get("/help/settings/").status_code == 404
