"""Projects, articles, assignments, members, the token endpoint and page, throttling, CSRF."""

import io
import json

import pytest
from api_helpers import UNREACHABLE_CACHES, World, client_for, import_files
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Role,
)

pytestmark = pytest.mark.django_db


def test_projects_lists_mine_with_role(world: World):
    body = client_for(world.annotator).get("/api/v1/projects/").json()
    assert [(p["slug"], p["my_role"]) for p in body["results"]] == [("news", "annotator")]
    staff = client_for(world.staff).get("/api/v1/projects/").json()
    assert {(p["slug"], p["my_role"]) for p in staff["results"]} == {
        ("news", "staff"),
        ("other", "staff"),
    }


def test_project_detail_has_labels_guidelines_and_progress_by_role(world: World):
    world.project.guidelines = "Mark loaded words."
    world.project.save()
    mine = client_for(world.annotator).get("/api/v1/projects/news/").json()
    assert mine["guidelines"] == "Mark loaded words."
    labels = {label["key"]: label for label in mine["labels"]}
    assert set(labels) == {"loaded_language", "name_calling", "old_label"}
    assert labels["old_label"]["retired"] is True
    assert labels["loaded_language"]["hotkey"] == "l"
    assert set(labels["name_calling"]) >= {"name", "description", "example", "colour", "category"}
    assert mine["progress"]["mine"] == {
        "todo": 1,
        "in_progress": 0,
        "done": 0,
        "skipped": 0,
        "total": 1,
    }
    assert "all" not in mine["progress"]
    assert "by_annotator" not in mine["progress"]

    managed = client_for(world.manager).get("/api/v1/projects/news/").json()["progress"]
    assert managed["all"]["total"] == 2
    assert managed["articles"] == 2
    assert {row["username"] for row in managed["by_annotator"]} == {"ann", "ann2"}
    researched = client_for(world.researcher).get("/api/v1/projects/news/").json()["progress"]
    assert researched["all"]["total"] == 2
    assert "by_annotator" not in researched


def test_article_list_filters_searches_and_paginates(world: World):
    for i in range(3):
        article = Article.objects.create(
            project=world.project, external_id=f"x{i}", title=f"Extra {i}", text="t"
        )
        Assignment.objects.create(
            article=article, annotator=world.annotator, status=AssignmentStatus.DONE
        )
    client = client_for(world.annotator)
    everything = client.get("/api/v1/projects/news/articles/").json()
    assert everything["count"] == 4  # only the annotator's; not annotator2's a2
    assert "a2" not in {a["external_id"] for a in everything["results"]}
    done = client.get("/api/v1/projects/news/articles/?status=done").json()
    assert {a["external_id"] for a in done["results"]} == {"x0", "x1", "x2"}
    assert all(a["my_status"] == "done" for a in done["results"])
    found = client.get("/api/v1/projects/news/articles/?q=extra 1").json()
    assert [a["external_id"] for a in found["results"]] == ["x1"]
    by_id = client.get("/api/v1/projects/news/articles/?q=A1").json()
    assert [a["external_id"] for a in by_id["results"]] == ["a1"]
    page = client.get("/api/v1/projects/news/articles/?page_size=2&page=2").json()
    assert len(page["results"]) == 2
    assert page["previous"]
    bad = client.get("/api/v1/projects/news/articles/?status=finished")
    assert bad.status_code == 400
    assert "status" in bad.json()
    manager_view = client_for(world.manager).get("/api/v1/projects/news/articles/").json()
    assert manager_view["count"] == 5


def test_article_detail_has_text_images_and_my_status(world: World):
    ArticleImage.objects.create(
        article=world.article, url="https://example.org/a.jpg", caption_start=0, caption_end=9
    )
    body = client_for(world.annotator).get(f"/api/v1/articles/{world.article.pk}/").json()
    assert body["text"] == world.article.text
    assert body["my_status"] == "todo"
    assert body["images"][0]["caption"] == "The enemy"
    assert (body["images"][0]["caption_start"], body["images"][0]["caption_end"]) == (0, 9)


def test_next_complete_and_skip(world: World):
    second = Article.objects.create(project=world.project, external_id="a3", text="more")
    Assignment.objects.create(article=second, annotator=world.annotator)
    client = client_for(world.annotator)
    assert client.get("/api/v1/projects/news/articles/next/").json()["id"] == world.article.pk
    done = client.post(f"/api/v1/articles/{world.article.pk}/complete/").json()
    assert done == {"article": world.article.pk, "status": "done", "next": second.pk}
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.DONE
    skipped = client.post(f"/api/v1/articles/{second.pk}/skip/").json()
    assert skipped["status"] == "skipped"
    assert skipped["next"] is None
    assert client.get("/api/v1/projects/news/articles/next/").status_code == 204
    # A manager without an assignment has nothing to complete.
    response = client_for(world.manager).post(f"/api/v1/articles/{world.article.pk}/complete/")
    assert response.status_code == 404


def test_manager_creates_article_from_json(world: World):
    body = {
        "external_id": "new-1",
        "title": "New",
        "text": "Line one\r\nLine two 🔥\rend",
        "images": [{"url": "https://example.org/p.png", "caption_start": 0, "caption_end": 8}],
    }
    response = client_for(world.manager).post(
        "/api/v1/projects/news/articles/", body, format="json"
    )
    assert response.status_code == 201, response.json()
    article = Article.objects.get(project=world.project, external_id="new-1")
    assert article.text == "Line one\nLine two 🔥\nend"
    assert response.json()["images"][0]["caption"] == "Line one"
    again = client_for(world.manager).post("/api/v1/projects/news/articles/", body, format="json")
    assert again.status_code == 400
    assert "external_id" in again.json()
    missing = client_for(world.manager).post(
        "/api/v1/projects/news/articles/", {"external_id": "z"}, format="json"
    )
    assert missing.status_code == 400
    assert "text" in missing.json()
    image = {"url": "https://e.org/x", "caption_start": 5, "caption_end": 999}
    bad_caption = {**body, "external_id": "new-2", "images": [image]}
    response = client_for(world.manager).post(
        "/api/v1/projects/news/articles/", bad_caption, format="json"
    )
    assert response.status_code == 400
    assert "images" in response.json()
    assert not Article.objects.filter(external_id="new-2").exists()


def test_manager_uploads_a_jsonl_file_into_the_import_service(world: World):
    lines = [
        json.dumps({"id": "up-1", "title": "Uploaded", "text": "Uploaded text"}),
        json.dumps({"id": "up-2", "text": "Second"}),
    ]
    content = ("\n".join(lines) + "\n").encode()
    response, job = import_files(client_for(world.manager), "news", {"batch.jsonl": content})
    assert response.status_code == 201, response.json()
    assert job["report"]["articles_created"] == 2
    assert set(
        Article.objects.filter(project=world.project, external_id__startswith="up-").values_list(
            "external_id", flat=True
        )
    ) == {"up-1", "up-2"}


def test_a_file_posted_to_the_article_list_is_refused_not_ignored(world: World):
    upload = io.BytesIO(b'{"id": "up-1", "text": "Uploaded text"}\n')
    upload.name = "batch.jsonl"
    response = client_for(world.manager).post(
        "/api/v1/projects/news/articles/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 415, response.json()
    assert "multipart/form-data" in response.json()["detail"]
    assert not Article.objects.filter(external_id="up-1").exists()


def test_assignments_are_managed_by_managers(world: World):
    client = client_for(world.manager)
    url = f"/api/v1/articles/{world.other_article.pk}/assignments/"
    created = client.post(url, {"annotator": "ann"}, format="json")
    assert created.status_code == 201, created.json()
    assert {a["username"] for a in client.get(url).json()} == {"ann", "ann2"}
    assert client.post(url, {"annotator": "ann"}, format="json").status_code == 400
    not_annotator = client.post(url, {"annotator": "rev"}, format="json")
    assert not_annotator.status_code == 400
    assert "annotator" in not_annotator.json()
    assignment = f"/api/v1/assignments/{created.json()['id']}/"
    assert client.patch(assignment, {"status": "done"}, format="json").json()["status"] == "done"
    assert client.patch(assignment, {"status": "nope"}, format="json").status_code == 400
    assert client.delete(assignment).status_code == 204
    assert not Assignment.objects.filter(
        article=world.other_article, annotator=world.annotator
    ).exists()


def test_members_are_managed_by_managers(world: World):
    client = client_for(world.manager)
    newbie = get_user_model().objects.create_user("newbie")
    created = client.post(
        "/api/v1/projects/news/members/", {"username": "newbie", "role": "annotator"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert Membership.objects.get(user=newbie, project=world.project).role == Role.ANNOTATOR
    url = f"/api/v1/projects/news/members/{created.json()['id']}/"
    assert client.patch(url, {"role": "reviewer"}, format="json").json()["role"] == "reviewer"
    assert client.post(
        "/api/v1/projects/news/members/", {"username": "ghost", "role": "annotator"}, format="json"
    ).json() == {"username": ["No user 'ghost'."]}
    boss = Membership.objects.get(user=world.manager, project=world.project)
    last = client.delete(f"/api/v1/projects/news/members/{boss.pk}/")
    assert last.status_code == 400
    assert "manager" in str(last.json())
    assert client.delete(url).status_code == 204


# --- tokens, CSRF, throttling ---------------------------------------------------------------------


def test_token_endpoint_creates_shows_once_and_revokes(world: World):
    client = client_for(world.annotator2)
    assert client.get("/api/v1/token/").json() == {"exists": False, "created": None}
    created = client.post("/api/v1/token/").json()
    key = created["key"]
    assert Token.objects.get(user=world.annotator2).key == key
    assert "key" not in client.get("/api/v1/token/").json()
    by_token = client_for(token=key)
    assert by_token.get("/api/v1/projects/").status_code == 200
    assert client.delete("/api/v1/token/").status_code == 204
    assert by_token.get("/api/v1/projects/").status_code == 401


def test_token_page_creates_and_revokes(world: World, client):
    client.force_login(world.annotator2)
    assert b'href="/account/token/"' in client.get("/").content  # linked from every page
    page = client.get("/account/token/")
    assert page.status_code == 200
    assert b"You have no token" in page.content
    created = client.post("/account/token/", {"action": "create"})
    key = Token.objects.get(user=world.annotator2).key
    assert key.encode() in created.content
    assert key.encode() not in client.get("/account/token/").content
    client.post("/account/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=world.annotator2).exists()


def test_session_writes_need_csrf(world: World):
    user = world.annotator
    user.set_password("a long pass phrase")
    user.save()
    client = APIClient(enforce_csrf_checks=True)
    # Login checks need the request (django-axes records failures per account and address).
    assert client.login(request=HttpRequest(), username="ann", password="a long pass phrase")
    url = f"/api/v1/articles/{world.article.pk}/spans/"
    body = {"label": "name_calling", "start": 24, "end": 28}
    assert client.post(url, body, format="json").status_code == 403
    token = client.get("/account/token/").cookies["csrftoken"].value
    response = client.post(url, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_token_auth_needs_no_csrf(world: World):
    client = client_for(token=world.token)
    response = client.post(
        f"/api/v1/articles/{world.article.pk}/spans/",
        {"label": "name_calling", "start": 24, "end": 28},
        format="json",
    )
    assert response.status_code == 201


def membership_of(user):
    return Membership.objects.get(user=user, project__slug="news")


def login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_an_account_is_locked_after_repeated_failures_and_a_manager_unlocks_it(
    world: World, settings
):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    world.annotator.set_password("the right password")
    world.annotator.save()
    client = APIClient()
    for _ in range(2):
        assert login(client, "ann", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "ann", "wrong").status_code == 429  # the failure that reaches the limit
    refused = login(client, "ann", "the right password")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # The truth: which account, until when, who can lift it.
    page = refused.content.decode()
    assert "Too many failed logins for &#x27;ann&#x27;" in page
    assert "locked until" in page
    assert "manager" in page
    # Another account from the same address (all users behind one proxy) is not locked.
    world.annotator2.set_password("another password")
    world.annotator2.save()
    assert login(APIClient(), "ann2", "another password").status_code == 302
    # Nor is the account itself from another address, below the account-wide limit.
    assert login(APIClient(), "ann", "the right password", address="10.0.0.2").status_code == 302
    # ... which does not lift the lock of the address that was guessing.
    assert login(client, "ann", "the right password").status_code == 429

    unlocked = client_for(world.manager).post(
        f"/api/v1/projects/news/members/{membership_of(world.annotator).pk}/unlock/"
    )
    assert unlocked.status_code == 200
    assert unlocked.json()["cleared"] >= 1
    assert login(client, "ann", "the right password").status_code == 302


def test_guessing_spread_over_addresses_locks_the_account(world: World, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 4
    world.annotator.set_password("the right password")
    world.annotator.save()
    codes = [
        login(APIClient(), "ann", "wrong", address=f"10.0.1.{n}").status_code for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert login(APIClient(), "ann", "the right password", address="10.0.2.1").status_code == 429


def test_api_throttles_anonymous_and_users(world: World, monkeypatch):
    from rest_framework.settings import api_settings

    from annotator.core.throttling import AnonRateThrottle, UserRateThrottle

    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    rates = {**UserRateThrottle.THROTTLE_RATES, "user": "3/min", "anon": "2/hour"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    clock = [6_000_000.0 + 45]  # 45 s into a minute
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: clock[0])
    monkeypatch.setattr(AnonRateThrottle, "timer", lambda self: clock[0])

    client = client_for(token=world.token)
    responses = [client.get("/api/v1/projects/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[3]["Retry-After"] == "15"  # the window's end
    assert "throttled" in responses[3].json()["detail"].lower()
    clock[0] += 14.5
    assert client.get("/api/v1/projects/").status_code == 429  # still counted: 5 of 3
    clock[0] += 0.5  # the next minute: a new window
    assert [client.get("/api/v1/projects/").status_code for _ in range(4)] == [200] * 3 + [429]
    # another user has a count of their own
    assert client_for(world.manager).get("/api/v1/projects/").status_code == 200

    # Anonymous requests count per address (the API answers them 401 before the throttle;
    # the schema and the docs pages take them).
    from django.contrib.auth.models import AnonymousUser

    request = HttpRequest()
    request.user = AnonymousUser()
    request.META["REMOTE_ADDR"] = "10.0.0.9"
    throttle = AnonRateThrottle()
    assert [throttle.allow_request(request, None) for _ in range(3)] == [True, True, False]
    assert throttle.wait() == 1_140  # 2/hour: the window ends at 6,001,200 (1,667 hours)


def test_an_unreachable_cache_lets_the_api_and_the_page_work(world: World, settings, caplog):
    """Redis down (a port nothing listens on): the rate limits let requests through and say so
    in the log, once; spans are still saved and the annotation page opens."""
    from annotator.core import cache

    settings.CACHES = UNREACHABLE_CACHES
    cache._warned_at[0] = 0.0
    client = client_for(world.annotator)
    made = [
        client.post(
            f"/api/v1/articles/{world.article.pk}/spans/",
            {"label": "name_calling", "start": 24 + n, "end": 28 + n},
            format="json",
        )
        for n in range(2)
    ]
    assert [r.status_code for r in made] == [201, 201]
    browser = Client()
    browser.force_login(world.annotator)
    page = browser.get(f"/annotate/{world.article.pk}/")
    assert page.status_code == 200
    assert world.article.title in page.content.decode()
    warnings = [r for r in caplog.records if "cache is unreachable" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"external_id": "n1", "text": "ok", "metadata": {"a": "nul\\u0000"}}',
        '{"external_id": "n2", "text": "lone \\ud800 surrogate"}',
        '{"external_id": "n3", "text": "ok", "metadata": {"k\\u0000": 1}}',
    ],
)
def test_unstorable_strings_are_a_400_not_a_crash(world: World, body):
    response = client_for(world.manager).post(
        "/api/v1/projects/news/articles/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["detail"]
    assert not Article.objects.filter(external_id__in=["n1", "n2", "n3"]).exists()


def test_openapi_schema_and_swagger_ui_are_served(world: World, client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/articles/{id}/spans/sync/" in paths
    assert "/api/v1/token/" in paths
    assert client.get("/api/docs/").status_code == 200


def test_unknown_api_path_is_a_json_404(world: World):
    response = client_for(world.annotator).post("/api/v1/nope/", {}, format="json")
    assert response.status_code == 404
    assert "No API endpoint" in response.json()["detail"]


def test_image_files_are_served_only_to_readers_of_the_article(world: World, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    image = ArticleImage(article=world.article, caption_start=0, caption_end=4)
    image.file.save("picture.png", ContentFile(b"\x89PNG\r\n\x1a\nbytes"), save=True)
    detail = client_for(world.annotator).get(f"/api/v1/articles/{world.article.pk}/").json()
    url = detail["images"][0]["file"]
    assert url == f"/api/v1/images/{image.pk}/file/"
    response = client_for(world.annotator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nbytes"
    assert client_for(world.annotator2).get(url).status_code == 404  # not assigned to them
    assert client_for().get(url).status_code == 401
    # Nothing under /media/ is served: exports and images have no public address.
    assert client_for(world.annotator).get(f"/media/{image.file.name}").status_code == 404
