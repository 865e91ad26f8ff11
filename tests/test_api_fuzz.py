"""Schema-driven fuzzing of /api/v1/ with schemathesis, against the app in-process (WSGI).

Every operation of the OpenAPI schema served at /api/schema/ gets a bounded number of generated
requests (valid and invalid bodies, odd query strings, random ids, and the ids of real objects).
No answer may be a 5xx, and every answer must match what the schema documents for its status.
"""

import os

import pytest
import schemathesis
from api_helpers import World
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from annotator.exports.models import Export
from annotator.wsgi import application

pytestmark = pytest.mark.django_db

# Per operation: enough to find crashes, bounded for CI (FUZZ_EXAMPLES raises it locally).
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def fuzz_world(world: World):
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
    }


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
        kind = next((k for k in ("members", "exports") if k in case.path), first)
        params["pk"] = ids[kind]
    case.call_and_validate(
        headers={"Authorization": f"Token {world.token_staff}"},
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.content_type_conformance,
        ],
    )
