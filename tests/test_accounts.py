"""Account pages: password reset only with mail configured; secrets never cached."""

import importlib

import pytest
from api_helpers import client_for, make_user
from django.urls import clear_url_caches

import annotator.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_with(settings):
    """Reload the URLconf under changed settings (its account routes depend on them)."""

    def reload(**changes):
        for name, value in changes.items():
            setattr(settings, name, value)
        importlib.reload(annotator.urls)
        clear_url_caches()

    yield reload
    importlib.reload(annotator.urls)
    clear_url_caches()


def test_without_mail_there_is_no_password_reset_to_promise_a_mail(client, urls_with):
    urls_with(EMAIL_ENABLED=False)
    assert client.get("/accounts/password_reset/").status_code == 404
    assert client.post("/accounts/password_reset/", {"email": "a@b.c"}).status_code == 404
    assert "password_reset" not in client.get("/accounts/login/").content.decode()
    assert "Forgot" not in client.get("/accounts/login/").content.decode()
    # Nor does the admin offer it.
    assert "password" not in client.get("/admin/login/").content.decode().split("<form")[0]


def test_with_mail_configured_password_reset_is_offered_and_sends(client, urls_with, mailoutbox):
    urls_with(EMAIL_ENABLED=True)
    user = make_user("ann", email="ann@example.org")
    user.set_password("a usable pass phrase")  # Django mails only accounts with a password
    user.save()
    assert "/accounts/password_reset/" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": "ann@example.org"})
    assert response.status_code == 302
    assert [mail.to for mail in mailoutbox] == [["ann@example.org"]]


def test_a_new_api_key_is_never_cached(client):
    user = make_user("ann")
    response = client_for(user).post("/api/v1/token/")
    assert response.status_code == 201
    assert response.json()["key"]
    assert "no-store" in response["Cache-Control"]
    client.force_login(user)
    page = client.post("/account/token/", {"action": "create"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]


def test_the_lockout_page_is_json_for_scripts(client, settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 1
    make_user("ann")
    response = client.post(
        "/accounts/login/",
        {"username": "ann", "password": "wrong"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 429
    assert "locked until" in response.json()["detail"]
