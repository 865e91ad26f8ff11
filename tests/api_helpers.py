"""A small world for the API tests: two projects, one user per role, assigned articles, spans.

Import the fixtures into a test module (``from api_helpers import world, ...  # noqa: F401``).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.schemas.models import Label, LabelSchema

User = get_user_model()

ARTICLE_TEXT = "The enemy is 100% evil.\nThey will destroy us all, experts say."
# Redis that is down: a port nothing listens on (settings.CACHES = UNREACHABLE_CACHES)
UNREACHABLE_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@dataclass
class World:
    project: Project
    other_project: Project
    article: Article  # assigned to `annotator`
    other_article: Article  # same project, assigned to `annotator2`
    foreign_article: Article  # other project, assigned to `outsider`
    annotator: object
    annotator2: object
    outsider: object  # an annotator of the other project
    reviewer: object
    researcher: object
    manager: object
    staff: object
    span: Span  # annotator's span on article
    other_span: Span  # annotator2's span on other_article
    gold_span: Span  # gold layer of article
    foreign_span: Span
    assignment: Assignment
    token: str  # annotator's API token
    token_staff: str  # the superuser's API token


def make_user(username, **extra):
    # No password: hashing one costs ~0.3 s, and API tests authenticate otherwise.
    return User.objects.create_user(username=username, password=None, **extra)


def make_span(article, user, label, start, end):
    return Span.objects.create(
        article=article,
        annotator=user,
        label=label,
        start=start,
        end=end,
        text=article.text[start:end],
    )


@pytest.fixture
def world(db) -> World:
    cache.clear()  # throttling counters must not leak between tests
    schema = LabelSchema.objects.create(name="Techniques")
    loaded = Label.objects.create(schema=schema, key="loaded_language", name="Loaded", hotkey="l")
    Label.objects.create(schema=schema, key="name_calling", name="Name calling", hotkey="n")
    Label.objects.create(schema=schema, key="old_label", name="Old", retired=True)
    project = Project.objects.create(slug="news", name="News", schema=schema)
    other_project = Project.objects.create(slug="other", name="Other", schema=schema)

    annotator, annotator2 = make_user("ann"), make_user("ann2")
    outsider, reviewer = make_user("outsider"), make_user("rev")
    researcher, manager = make_user("res"), make_user("boss")
    staff = make_user("root", is_staff=True, is_superuser=True)
    for user, role in [
        (annotator, Role.ANNOTATOR),
        (annotator2, Role.ANNOTATOR),
        (reviewer, Role.REVIEWER),
        (researcher, Role.RESEARCHER),
        (manager, Role.MANAGER),
    ]:
        Membership.objects.create(user=user, project=project, role=role)
    Membership.objects.create(user=outsider, project=other_project, role=Role.ANNOTATOR)

    article = Article.objects.create(
        project=project, external_id="a1", title="First", text=ARTICLE_TEXT
    )
    other_article = Article.objects.create(
        project=project, external_id="a2", title="Second", text=ARTICLE_TEXT
    )
    foreign_article = Article.objects.create(
        project=other_project, external_id="f1", title="Foreign", text=ARTICLE_TEXT
    )
    assignment = Assignment.objects.create(article=article, annotator=annotator)
    Assignment.objects.create(article=other_article, annotator=annotator2)
    Assignment.objects.create(article=foreign_article, annotator=outsider)

    return World(
        project=project,
        other_project=other_project,
        article=article,
        other_article=other_article,
        foreign_article=foreign_article,
        annotator=annotator,
        annotator2=annotator2,
        outsider=outsider,
        reviewer=reviewer,
        researcher=researcher,
        manager=manager,
        staff=staff,
        span=make_span(article, annotator, loaded, 4, 9),
        other_span=make_span(other_article, annotator2, loaded, 13, 17),
        gold_span=make_span(article, None, loaded, 4, 9),
        foreign_span=make_span(foreign_article, outsider, loaded, 4, 9),
        assignment=assignment,
        token=Token.objects.create(user=annotator).key,
        token_staff=Token.objects.create(user=staff).key,
    )


def client_for(user=None, token=None) -> APIClient:
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elif user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def as_annotator(world):
    return client_for(world.annotator)


def import_files(client: APIClient, slug: str, files, **fields):
    """POST ``files`` ({name: bytes}) to the project's imports, then run the queued import job
    in this process as a worker would (tests/test_import_worker.py runs a real one). The POST's
    response, and the job as its detail endpoint answers once it has ended (None if refused)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotator.core import jobs
    from annotator.imports import uploads
    from annotator.imports.models import ImportJob

    uploaded = [SimpleUploadedFile(name, content) for name, content in files.items()]
    url = f"/api/v1/projects/{slug}/imports/"
    response = client.post(url, {"file": uploaded, **fields}, format="multipart")
    if response.status_code != 201:
        return response, None
    pk = response.json()["id"]
    jobs.run(ImportJob, pk, uploads.run)
    return response, client.get(f"{url}{pk}/").json()
