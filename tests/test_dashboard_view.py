"""The dashboard page without a browser: who may open it, no article text in it, no inline
script or style (the CSP), and the link from the home page."""

import re

import pytest
from demo_helpers import login

pytestmark = pytest.mark.django_db
URL = "/projects/propaganda-demo/dashboard/"


@pytest.mark.parametrize(
    ("username", "status", "review_links"),
    [
        ("researcher", 200, "false"),
        ("reviewer", 200, "true"),
        ("admin", 200, "true"),
        ("annotator1", 404, None),
    ],
)
def test_who_opens_the_dashboard(client, demo, username, status, review_links):
    login(client, username)
    response = client.get(URL)
    assert response.status_code == status
    home = client.get("/").content.decode()
    assert (URL in home) == (status == 200)
    if status != 200:
        return
    html = response.content.decode()
    assert f'data-can-review="{review_links}"' in html
    assert "campaign to retake" not in html  # the page itself carries no article text
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert " style=" not in html


def test_anonymous_and_unknown_projects(client, demo):
    assert client.get(URL).status_code == 302  # to the login page
    login(client, "researcher")
    assert client.get("/projects/nope/dashboard/").status_code == 404
