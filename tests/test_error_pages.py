"""What a user sees when a request fails: the site's own pages, with the view's reason, and JSON
under /api/ (tests run with DEBUG off, as production does: Django's technical pages are off)."""

import pytest
from demo_helpers import login
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from annotator.corpus.models import Membership, Project, Role

pytestmark = pytest.mark.django_db


def page(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="brand">Propaganda annotator</a>' in html  # the site's header
    assert '<a href="/">Back to my projects</a>' in html
    return html


def test_a_page_the_user_may_not_see_says_why_in_the_sites_page(client, demo):
    login(client, "annotator1")
    html = page(client.get(f"/review/{demo.pk}/"), 404)
    assert "<h1>Page not found</h1>" in html
    assert "No such article among those you review." in html  # the view's own reason
    assert "annotator1" in html  # the header knows who is logged in
    html = page(client.get("/projects/propaganda-demo/settings/"), 404)
    assert "No such project among those you manage." in html


def test_an_unknown_address_names_the_path_not_an_exception_class(client, demo):
    login(client, "annotator1")
    html = page(client.get("/no/such/page/"), 404)
    assert "There is no page for your account at <code>/no/such/page/</code>." in html
    assert "Resolver404" not in html
    html = page(client.get("/annotate/999999/"), 404)
    assert "No such article among those assigned to you." in html


def test_a_manager_who_is_not_staff_learns_what_creating_a_project_takes(client, demo):
    manager = get_user_model().objects.create_user("pm", password="demo-pm")
    project = Project.objects.get(slug="propaganda-demo")
    Membership.objects.create(user=manager, project=project, role=Role.MANAGER)
    login(client, "pm")
    html = page(client.get("/manage/new/"), 403)
    assert "<h1>Not allowed</h1>" in html
    assert "Creating projects needs the &#x27;create project&#x27; permission." in html


def test_a_form_sent_without_its_token_says_how_to_recover(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "admin", "password": "demo-admin"})
    html = page(response, 403)
    assert "<h1>This form has expired</h1>" in html
    assert "reload the page" in html


def test_a_bad_host_gets_the_sites_400_page(client):
    html = page(client.get("/", HTTP_HOST="evil.example"), 400)
    assert "<h1>Bad request</h1>" in html


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_a_server_error_is_a_page_for_people_and_json_for_scripts(client):
    client.raise_request_exception = False  # as a server does: the handler answers
    html = page(client.get("/boom/"), 500)
    assert "Something went wrong on our side" in html
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "failed on the server" in response.json()["detail"]
