"""The labels page's history, as a manager who is not staff reads it after editing through the
API (what the console's forms send): one line a change for people, the record behind it."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from annotator.corpus.models import Membership, Project, Role
from annotator.schemas.services import load_schema

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/projects/news/schema/"


@pytest.fixture
def manager():
    user = get_user_model().objects.create_user("pm", password="pw")
    schema = load_schema("semeval2020", name="News schema")
    project = Project.objects.create(slug="news", name="News", schema=schema)
    Membership.objects.create(user=user, project=project, role=Role.MANAGER)
    return user


def history_lines(client) -> list[str]:
    page = client.get("/projects/news/labels/")
    assert page.status_code == 200
    table = page.content.decode().split('id="schema-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>.*?</tr>", table, flags=re.S)
    # the summary: the last cell's text before the recorded data
    return [
        html.unescape(re.sub(r"<[^>]+>", " ", row.rsplit("<td>", 1)[1].split("<details", 1)[0]))
        .strip()
        .replace("  ", " ")
        for row in rows
    ]


def test_each_change_reads_as_a_line_with_the_record_behind_it(manager):
    api = APIClient()
    api.force_authenticate(manager)
    definition = "Questions the credibility of someone or something, " * 3
    for method, path, body in [
        ("PATCH", "labels/doubt/", {"name": "Casting doubt", "description": definition}),
        ("POST", "labels/slogans/retire/", {}),
        ("POST", "labels/repetition/merge/", {"into": "doubt"}),
        ("PATCH", "", {"name": "Newsroom schema"}),
    ]:
        response = getattr(api, method.lower())(SCHEMA + path, body, format="json")
        assert response.status_code == 200, response.content
    created = api.post(SCHEMA + "labels/", {"key": "whataboutism", "name": "Whataboutism"})
    assert created.status_code == 201, created.content
    assert api.delete(SCHEMA + "labels/whataboutism/").status_code == 200

    client = Client()
    client.force_login(manager)
    lines = history_lines(client)
    assert lines[0] == "was “Whataboutism”"
    assert re.fullmatch(
        r"name “Whataboutism”, category \(empty\), colour “#\w{6}”, hotkey “\w”", lines[1]
    )
    assert lines[2] == "name: “News schema” → “Newsroom schema”"
    assert lines[3] == "into doubt, 0 span(s) moved"
    assert lines[4] == "retired: no → yes; 0 span(s) keep the label"
    cut = definition[:59] + "…"  # a long definition is cut in the line, whole in the record
    assert lines[5].startswith("name: “Doubt” → “Casting doubt”; definition: “")
    assert lines[5].endswith(f" → “{cut}”")
    assert lines[6] == "from preset semeval2020; 14 added, 0 updated, 0 unchanged"
    assert lines[-1].startswith("from preset semeval2020; name “")  # each label the load added
    page = client.get("/projects/news/labels/").content.decode()
    assert "<summary>Recorded data</summary>" in page
    assert html.escape(f'"after": "{definition}"', quote=True) in page  # the whole text
