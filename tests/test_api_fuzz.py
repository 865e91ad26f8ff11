"""Schema-driven fuzzing of /api/v1/ with schemathesis, against the app in-process (WSGI).

Every operation of the OpenAPI schema served at /api/schema/ gets a bounded number of generated
requests (valid and invalid bodies, odd query strings, random ids, and the ids of real objects).
No answer may be a 5xx, and every answer must match what the schema documents for its status.
"""

import os
from urllib.parse import urlencode

import pytest
import schemathesis
from api_helpers import World
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from annotator.annotations.models import Comment
from annotator.corpus.models import ArticleImage
from annotator.exports.models import Export
from annotator.imports.models import ImportJob
from annotator.recommenders.models import Recommender, TrainedModel
from annotator.wsgi import application

pytestmark = pytest.mark.django_db

# Per operation: enough to find crashes, bounded for CI (FUZZ_EXAMPLES raises it locally).
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def fuzz_world(world: World, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # files uploaded to imports/
    # Like Django's test client: the test's transaction must survive the handler's end-of-request
    # connection housekeeping.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    pytest.fuzz_world = world
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_ids(world: World) -> dict:
    """Ids of objects that exist, by the path each one addresses."""
    return {
        "articles": world.article.pk,
        "spans": world.span.pk,
        "assignments": world.assignment.pk,
        "members": world.project.memberships.get(user=world.annotator2).pk,
        "exports": Export.objects.get_or_create(project=world.project, format="jsonl")[0].pk,
        "imports": ImportJob.objects.get_or_create(project=world.project)[0].pk,
        "images": ArticleImage.objects.get_or_create(
            article=world.article, url="https://example.org/i.png"
        )[0].pk,
        "comments": Comment.objects.get_or_create(
            article=world.article, author=world.annotator, body="A remark."
        )[0].pk,
        "recommenders": _recommender(world).pk,
    }


def _recommender(world: World) -> Recommender:
    recommender = Recommender.objects.get_or_create(
        project=world.project, name="Phrases", kind="phrase"
    )[0]
    TrainedModel.objects.get_or_create(
        project=world.project, recommender=recommender, version=1, defaults={"status": "done"}
    )
    return recommender


def model_id(world: World) -> int:
    return _recommender(world).models.get(version=1).pk


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_does_not_crash_and_matches_its_schema(case):
    world: World = pytest.fuzz_world
    cache.clear()  # throttling would answer 429 to the fuzzer's bursts
    params = case.path_parameters or {}
    # Half of the cases address real objects so that the handlers behind the lookups run too.
    if "slug" in params and len(str(params["slug"])) % 2 == 0:
        params["slug"] = world.project.slug
    if "pk" in params and isinstance(params["pk"], int) and params["pk"] % 2 == 0:
        ids = real_ids(world)
        first = case.path.strip("/").split("/")[0]
        kind = next(
            (k for k in ("members", "exports", "imports", "recommenders") if k in case.path), first
        )
        params["pk"] = ids[kind]
    if "model_pk" in params and isinstance(params["model_pk"], int) and params["model_pk"] % 2 == 0:
        params["model_pk"] = model_id(world)
    case.call_and_validate(
        headers={"Authorization": f"Token {world.token_staff}"},
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.content_type_conformance,
        ],
    )


ODD_NUMBERS = ["²", "٣", "1²", "𝟙", "-0", "9" * 40]
DEEP_BODY = "[" * 5000 + "]" * 5000


def every_operation():
    return [result.ok() for result in schema.get_all_operations()]


def concrete_path(operation, world: World) -> str:
    path = operation.path.replace("{slug}", world.project.slug)
    if "{id}" in path:
        first = operation.path.removeprefix("/api/v1/").split("/")[0]
        kinds = ("members", "exports", "imports", "agreement", "recommenders")
        kind = next((k for k in kinds if k in path), first)
        ids = {**real_ids(world), "agreement": 1}
        path = path.replace("{id}", str(ids[kind]))
    path = path.replace("{model_pk}", str(model_id(world)))
    return path


def test_numbers_in_other_scripts_and_deep_json_never_cost_a_5xx(world: World):
    """Beyond the sampled fuzzing: every query parameter of every operation gets digits that
    str.isdigit() accepts and int() does not (or reads otherwise), every body a JSON text
    nested 5,000 deep. Each answer is a JSON 4xx or a success, never a server error."""
    from rest_framework.test import APIClient

    client = APIClient(HTTP_AUTHORIZATION=f"Token {world.token_staff}")
    tried = 0
    for operation in every_operation():
        path = concrete_path(operation, world)
        requests = [({p.name: value}, None) for p in operation.query for value in ODD_NUMBERS]
        if operation.body:
            requests.append(({}, DEEP_BODY))
        for query, body in requests:
            cache.clear()
            with transaction.atomic():
                response = client.generic(
                    operation.method.upper(),
                    path + ("?" + urlencode(query) if query else ""),
                    body or "",
                    content_type="application/json",
                )
                transaction.set_rollback(True)
            tried += 1
            where = f"{operation.method.upper()} {path} {query or 'deep body'}"
            assert response.status_code < 500, where
            if response.status_code >= 400:
                assert response["Content-Type"].startswith("application/json"), where
    assert tried > 50
