"""The hand-written statements of the span-create hot path (annotator.annotations.span_sql)
and of token authentication (annotator.core.auth), through the API with real tokens."""

import uuid

import pytest
from api_helpers import World, client_for

from annotator.annotations.models import Span
from annotator.corpus.models import Role

pytestmark = pytest.mark.django_db


def spans_url(article, layer=None):
    return f"/api/v1/articles/{article.pk}/spans/" + (f"?layer={layer}" if layer else "")


def layer(article, annotator):
    return sorted(
        Span.objects.filter(article=article, annotator=annotator).values_list(
            "label__key", "start", "end"
        )
    )


# --- token authentication -------------------------------------------------------------------


def test_token_authenticates_the_user_with_typed_fields(world: World):
    client = client_for(token=world.token_staff)
    response = client.get(spans_url(world.article, "all"))  # only curators and staff may
    assert response.status_code == 200, response.json()
    assert {span["id"] for span in response.json()} == {world.span.pk, world.gold_span.pk}
    created = client.post(
        spans_url(world.article), {"label": "name_calling", "start": 24, "end": 28}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["annotator"] == world.staff.pk


def test_unknown_token_is_a_401_with_www_authenticate(world: World):
    response = client_for(token="0" * 40).get(spans_url(world.article))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"


def test_inactive_user_token_is_refused(world: World):
    world.annotator.is_active = False
    world.annotator.save()
    response = client_for(token=world.token).post(
        spans_url(world.article), {"label": "name_calling", "start": 24, "end": 28}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
    assert layer(world.article, world.annotator) == [("loaded_language", 4, 9)]


def test_malformed_authorization_header_is_a_401(world: World):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert client.get(spans_url(world.article)).status_code == 401


# --- create: access, layers, collisions -----------------------------------------------------


def create(client, article, layer_name=None, **body):
    return client.post(spans_url(article, layer_name), body, format="json")


def test_identical_gold_span_is_refused_and_layers_do_not_collide(world: World):
    # Only the gold layer has loaded_language [4, 9) (world.gold_span).
    Span.objects.filter(annotator=world.annotator).delete()
    reviewer = client_for(world.reviewer)
    duplicate = create(reviewer, world.article, "gold", label="loaded_language", start=4, end=9)
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["start"][0]
    assert layer(world.article, None) == [("loaded_language", 4, 9)]
    # The same span in the annotator's own layer is no duplicate of the gold one.
    annotator = client_for(token=world.token)
    created = create(annotator, world.article, label="loaded_language", start=4, end=9)
    assert created.status_code == 201
    again = create(annotator, world.article, label="loaded_language", start=4, end=9)
    assert again.status_code == 400
    assert "already exists" in again.json()["start"][0]
    assert layer(world.article, world.annotator) == [("loaded_language", 4, 9)]


def test_overlap_rule_applies_per_layer_when_the_project_forbids_overlaps(world: World):
    world.project.allow_overlap = False
    world.project.save()
    Span.objects.filter(annotator=world.annotator).delete()
    reviewer = client_for(world.reviewer)
    refused = create(reviewer, world.article, "gold", label="name_calling", start=8, end=12)
    assert refused.status_code == 400
    assert refused.json()["start"][0].startswith(f"Overlaps span {world.gold_span.pk} ")
    ok = create(reviewer, world.article, "gold", label="name_calling", start=9, end=12)
    assert ok.status_code == 201
    # Overlapping the gold layer is fine in the annotator's layer, not within it.
    annotator = client_for(world.annotator)
    assert (
        create(annotator, world.article, label="name_calling", start=8, end=12).status_code == 201
    )
    clash = create(annotator, world.article, label="loaded_language", start=11, end=14)
    assert clash.status_code == 400
    assert "Overlaps" in clash.json()["start"][0]
    assert layer(world.article, None) == [("loaded_language", 4, 9), ("name_calling", 9, 12)]
    assert layer(world.article, world.annotator) == [("name_calling", 8, 12)]


def test_replay_answers_the_first_body_and_a_reused_id_elsewhere_is_a_conflict(world: World):
    client = client_for(token=world.token)
    cid = str(uuid.uuid4())
    body = {"label": "name_calling", "start": 24, "end": 28, "client_id": cid, "note": "n"}
    first = create(client, world.article, **body)
    again = create(client, world.article, **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first["ETag"] == again["ETag"]
    # annotator2 sending the same client id on their own article: refused, nothing stored.
    other = create(client_for(world.annotator2), world.other_article, **body)
    assert other.status_code == 409
    assert "client_id" in other.json()
    assert Span.objects.filter(client_id=cid).count() == 1
    assert layer(world.other_article, world.annotator2) == [("loaded_language", 13, 17)]


@pytest.mark.parametrize(
    ("who", "article", "code"),
    [
        ("annotator", "other_article", 404),  # not assigned to them
        ("outsider", "article", 404),  # not in the project
        ("researcher", "article", 403),
        ("annotator", "missing", 404),
    ],
)
def test_create_access_is_checked_before_the_body(world: World, who, article, code):
    target = getattr(world, article) if article != "missing" else type("A", (), {"pk": 10**9})
    before = Span.objects.count()
    response = create(client_for(getattr(world, who)), target, label=7, start="x")  # bad body
    assert response.status_code == code, response.json()
    assert "label" not in response.json()
    assert Span.objects.count() == before


def test_bad_body_names_the_fields_and_a_retired_or_unknown_label_is_refused(world: World):
    client = client_for(world.annotator)
    response = create(client, world.article, label="name_calling", start=-1, end="x")
    assert response.status_code == 400
    assert {"start", "end"} <= set(response.json())
    for key, message in (("old_label", "retired"), ("nope", "not a label")):
        refused = create(client, world.article, label=key, start=24, end=28)
        assert refused.status_code == 400
        assert message in refused.json()["label"][0]
    assert layer(world.article, world.annotator) == [("loaded_language", 4, 9)]


def test_manager_may_write_the_gold_layer_without_an_assignment(world: World):
    assert world.manager.memberships.get().role == Role.MANAGER
    response = create(
        client_for(world.manager), world.article, "gold", label="name_calling", start=13, end=17
    )
    assert response.status_code == 201
    assert response.json()["layer"] == "gold"
    assert response.json()["text"] == world.article.text[13:17]


# --- update ---------------------------------------------------------------------------------


def patch(client, span_id, body, **headers):
    return client.patch(f"/api/v1/spans/{span_id}/", body, format="json", **headers)


def test_update_changes_label_and_range_under_version_checks(world: World):
    client = client_for(token=world.token)
    changed = patch(client, world.span.pk, {"label": "name_calling", "end": 12, "version": 1})
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert (body["label"], body["start"], body["end"], body["version"]) == (
        "name_calling",
        4,
        12,
        2,
    )
    assert body["text"] == world.article.text[4:12]
    assert changed["ETag"] == f'"{world.span.pk}-2"'
    assert body["created_at"].endswith("Z")
    assert body["client_id"] is None
    world.span.refresh_from_db()
    assert body["updated_at"] == world.span.updated_at.isoformat().replace("+00:00", "Z")
    assert body["updated_at"] > body["created_at"]
    stale = patch(client, world.span.pk, {"note": "x", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    etag = patch(client, world.span.pk, {"note": "x"}, HTTP_IF_MATCH=f'"{world.span.pk}-1"')
    assert etag.status_code == 412
    for key, message in (("old_label", "retired"), ("nope", "not a label")):
        refused = patch(client, world.span.pk, {"label": key, "version": 2})
        assert refused.status_code == 400
        assert message in refused.json()["label"][0]
    assert layer(world.article, world.annotator) == [("name_calling", 4, 12)]


def test_update_and_list_cost_few_queries(world: World, django_assert_max_num_queries):
    client = client_for(world.annotator)
    # The span with its access and the new label, locking the article; the UPDATE; plus the
    # SAVEPOINT and RELEASE that the test's own transaction turns BEGIN/COMMIT into.
    with django_assert_max_num_queries(4):
        changed = patch(client, world.span.pk, {"label": "name_calling", "version": 1})
    assert changed.status_code == 200, changed.json()
    with django_assert_max_num_queries(2):  # the article with access; the layer
        listed = client.get(spans_url(world.article))
    assert [span["label"] for span in listed.json()] == ["name_calling"]


def test_update_refuses_a_collision_in_the_layer(world: World):
    client = client_for(world.annotator)
    other = create(client, world.article, label="name_calling", start=24, end=28).json()
    clash = patch(
        client, other["id"], {"label": "loaded_language", "start": 4, "end": 9, "version": 1}
    )
    assert clash.status_code == 400
    assert "already exists" in clash.json()["start"][0]
    assert layer(world.article, world.annotator) == [
        ("loaded_language", 4, 9),
        ("name_calling", 24, 28),
    ]


@pytest.mark.parametrize(
    ("who", "span", "code"),
    [
        ("annotator2", "span", 404),  # another annotator's span
        ("researcher", "span", 404),
        ("outsider", "span", 404),
        ("annotator", "missing", 404),
        ("reviewer", "span", 403),  # reads the layer, does not edit it
    ],
)
def test_update_access_is_checked_before_the_body(world: World, who, span, code):
    span_id = getattr(world, span).pk if span != "missing" else 10**9
    response = patch(client_for(getattr(world, who)), span_id, {"start": "x", "version": "y"})
    assert response.status_code == code, response.json()
    assert "start" not in response.json()
    world.span.refresh_from_db()
    assert (world.span.start, world.span.version) == (4, 1)


def test_manager_fixes_an_annotators_span_and_the_gold_layer(world: World):
    client = client_for(world.manager)
    fixed = patch(client, world.span.pk, {"start": 5, "version": 1})
    assert fixed.status_code == 200
    assert fixed.json()["text"] == world.article.text[5:9]
    gold = patch(client, world.gold_span.pk, {"note": "checked", "version": 1})
    assert gold.status_code == 200
    assert gold.json()["layer"] == "gold"
    world.gold_span.refresh_from_db()
    assert (world.gold_span.note, world.gold_span.version) == ("checked", 2)


def test_write_serializers_name_the_bad_fields():
    from annotator.annotations.serializers import SpanCreateSerializer, SpanUpdateSerializer

    bad = SpanCreateSerializer(data={"label": "", "start": True, "end": 3})
    good = SpanCreateSerializer(data={"label": " name_calling ", "start": 1, "end": 3})
    assert not bad.is_valid()
    assert good.is_valid()
    assert set(bad.errors) == {"label", "start"}
    assert good.errors == {}
    assert good.validated_data == {"label": "name_calling", "start": 1, "end": 3}
    # The update serializer stays partial: a body with only a note is complete.
    update = SpanUpdateSerializer(data={"note": "n"})
    assert update.is_valid(), update.errors
    assert dict(update.validated_data) == {"note": "n"}
    assert not SpanCreateSerializer(data={"note": "n"}).is_valid()


@pytest.mark.postgres
def test_repeated_statements_run_prepared_on_postgresql(world: World):
    """Settings turn on psycopg's prepared statements (ANNOTATOR_DB_PREPARE): after a few
    requests the span API's statements are planned once per connection, and the answers stay
    right."""
    from django.db import connection

    client = client_for(world.annotator)
    for n in range(8):
        made = create(client, world.article, label="name_calling", start=24 + n, end=40)
        assert made.status_code == 201, made.json()
        changed = patch(client, made.json()["id"], {"note": f"n{n}", "version": 1})
        assert changed.status_code == 200, changed.json()
        assert changed.json()["version"] == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(statement.startswith("\nINSERT INTO annotations_span") for statement in prepared)
    assert any("FOR UPDATE OF a" in statement for statement in prepared)
    listed = client.get(spans_url(world.article)).json()
    assert sorted(span["note"] for span in listed if span["start"] >= 24) == [
        f"n{n}" for n in range(8)
    ]
