"""Span endpoints: create/update/delete, idempotency, versions, validation, offsets, sync."""

import uuid

import pytest
from api_helpers import World, client_for
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db


def spans_url(article):
    return f"/api/v1/articles/{article.pk}/spans/"


def create(client, article, **body):
    return client.post(spans_url(article), body, format="json")


def stored(article, user):
    return list(
        Span.objects.filter(article=article, annotator=user).values_list(
            "label__key", "start", "end", "text"
        )
    )


# --- create ---------------------------------------------------------------------------------


def test_create_stores_span_with_text_snapshot_and_etag(world: World):
    client = client_for(world.annotator)
    response = create(client, world.article, label="name_calling", start=24, end=28, note="why")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == world.article.text[24:28] == "They"
    assert body["label"] == "name_calling"
    assert body["version"] == 1
    assert body["note"] == "why"
    assert body["annotator"] == world.annotator.pk
    assert body["layer"] == "annotator"
    assert response["ETag"] == f'"{body["id"]}-1"'
    assert ("name_calling", 24, 28, "They") in stored(world.article, world.annotator)
    # Starting to annotate moves the assignment from todo to in progress.
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.IN_PROGRESS


def test_create_is_idempotent_on_client_id(world: World):
    client = client_for(world.annotator)
    cid = str(uuid.uuid4())
    first = create(client, world.article, label="name_calling", start=24, end=28, client_id=cid)
    second = create(client, world.article, label="name_calling", start=24, end=28, client_id=cid)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json() == second.json()
    assert Span.objects.filter(client_id=cid).count() == 1


def test_client_id_reused_for_other_content_or_by_other_user_is_a_conflict(world: World):
    cid = str(uuid.uuid4())
    mine = client_for(world.annotator)
    assert (
        create(
            mine, world.article, label="name_calling", start=24, end=28, client_id=cid
        ).status_code
        == 201
    )
    different = create(mine, world.article, label="name_calling", start=0, end=3, client_id=cid)
    assert different.status_code == 409
    assert "client_id" in different.json()
    theirs = create(
        client_for(world.annotator2),
        world.other_article,
        label="name_calling",
        start=24,
        end=28,
        client_id=cid,
    )
    assert theirs.status_code == 409
    assert "client_id" in theirs.json()
    assert Span.objects.filter(client_id=cid).count() == 1


def test_create_costs_few_queries(world: World, django_assert_max_num_queries):
    client = client_for(world.annotator)
    create(client, world.article, label="name_calling", start=0, end=3)  # warm caches
    # Article with access and its write lock, label, duplicate/client-id check, insert; plus
    # the SAVEPOINT and RELEASE that the test's own transaction turns BEGIN/COMMIT into.
    with django_assert_max_num_queries(6):
        response = create(client, world.article, label="name_calling", start=24, end=28)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "name_calling", "start": "4", "end": 9}, "start"),
        ({"label": "name_calling", "start": 4.5, "end": 9}, "start"),
        ({"label": "name_calling", "start": True, "end": 9}, "start"),
        ({"label": "name_calling", "start": 4, "end": None}, "end"),
        ({"label": "name_calling", "start": -1, "end": 9}, "start"),
        ({"label": "name_calling", "start": 9, "end": 9}, "end"),
        ({"label": "name_calling", "start": 9, "end": 4}, "end"),
        ({"label": "name_calling", "start": 4, "end": 10_000}, "end"),
        ({"label": "no_such_label", "start": 4, "end": 9}, "label"),
        ({"label": "old_label", "start": 4, "end": 9}, "label"),
        ({"start": 4, "end": 9}, "label"),
        ({"label": "name_calling", "start": 4, "end": 9, "client_id": "nope"}, "client_id"),
        ({"label": "name_calling", "start": 4, "end": 9, "note": "x" * 10_001}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(world: World, body, field):
    before = Span.objects.count()
    response = create(client_for(world.annotator), world.article, **body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Span.objects.count() == before


def test_identical_span_is_refused_but_overlaps_are_allowed(world: World):
    client = client_for(world.annotator)
    # world.span is loaded_language [4, 9) in the annotator's layer.
    duplicate = create(client, world.article, label="loaded_language", start=4, end=9)
    assert duplicate.status_code == 400
    assert "already exists" in str(duplicate.json())
    assert create(client, world.article, label="name_calling", start=4, end=9).status_code == 201
    assert (
        create(client, world.article, label="loaded_language", start=5, end=12).status_code == 201
    )


def test_overlap_refused_when_the_project_turns_it_off(world: World):
    world.project.allow_overlap = False
    world.project.save()
    client = client_for(world.annotator)
    response = create(client, world.article, label="name_calling", start=8, end=12)
    assert response.status_code == 400
    assert "Overlaps" in str(response.json())
    assert create(client, world.article, label="name_calling", start=9, end=12).status_code == 201


def test_text_check_answers_409_with_both_strings(world: World):
    client = client_for(world.annotator)
    response = create(client, world.article, label="name_calling", start=24, end=28, text="Them")
    assert response.status_code == 409
    assert response.json()["sent"] == "Them"
    assert response.json()["actual"] == "They"
    ok = create(client, world.article, label="name_calling", start=24, end=28, text="They")
    assert ok.status_code == 201


def test_oversized_body_is_refused(world: World):
    response = client_for(world.annotator).post(
        spans_url(world.article),
        '{"label": "name_calling", "start": 1, "end": 2, "note": "' + "x" * 1_100_000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert Span.objects.filter(article=world.article, annotator=world.annotator).count() == 1


def test_malformed_json_is_a_400(world: World):
    response = client_for(world.annotator).post(
        spans_url(world.article), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- offsets on Unicode-heavy text -------------------------------------------------------------


def test_offsets_are_code_points_on_unicode_text(world: World, unicode_sample):
    article = Article.objects.create(project=world.project, external_id="u", text=unicode_sample)
    Assignment.objects.create(article=article, annotator=world.annotator)
    client = client_for(world.annotator)
    targets = [
        "🔥",
        "👨‍👩‍👧",
        "Cafe\u0301",
        "e\u0300vil",
        "عادلة\u00a0تماما",
        "שקרנים",
        "Price\u00a0rises",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ]
    for target in targets:
        start = unicode_sample.index(target)
        end = start + len(target)
        response = create(client, article, label="name_calling", start=start, end=end, text=target)
        assert response.status_code == 201, (target, response.json())
        assert response.json()["text"] == unicode_sample[start:end] == target
    listed = client.get(spans_url(article)).json()
    assert sorted(span["text"] for span in listed) == sorted(targets)
    for span in listed:
        assert span["text"] == unicode_sample[span["start"] : span["end"]]
    # A client counting UTF-16 units would send the wrong slice: the text check catches it.
    start = unicode_sample.index("families")
    utf16_start = len(unicode_sample[:start].encode("utf-16-le")) // 2
    wrong = create(
        client,
        article,
        label="name_calling",
        start=utf16_start,
        end=utf16_start + 8,
        text="families",
    )
    assert wrong.status_code == 409
    assert wrong.json()["actual"] != "families"


# --- update and delete ------------------------------------------------------------------------


def test_update_with_current_version_bumps_it(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    response = client.patch(url, {"start": 13, "end": 17, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["text"] == "100%"
    assert response.json()["version"] == 2
    world.span.refresh_from_db()
    assert (world.span.start, world.span.end, world.span.text, world.span.version) == (
        13,
        17,
        "100%",
        2,
    )


def test_stale_version_is_a_409_and_nothing_changes(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    assert client.patch(url, {"note": "first", "version": 1}, format="json").status_code == 200
    stale = client.patch(url, {"note": "second", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    world.span.refresh_from_db()
    assert world.span.note == "first"


def test_replayed_update_succeeds(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    first = client.patch(url, {"note": "first", "version": 1}, format="json")
    again = client.patch(url, {"note": "first", "version": 1}, format="json")
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == 2


def test_if_match_etag(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"note": "a"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(url, {"note": "b"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    world.span.refresh_from_db()
    assert world.span.note == "a"


def test_update_without_version_is_refused(world: World):
    response = client_for(world.annotator).patch(
        f"/api/v1/spans/{world.span.pk}/", {"note": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_update_validates_like_create(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    for body, field in [
        ({"end": 10_000, "version": 1}, "end"),
        ({"start": 9, "end": 4, "version": 1}, "end"),
        ({"label": "old_label", "version": 1}, "label"),
    ]:
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), body
    mismatch = client.patch(url, {"text": "nope", "version": 1}, format="json")
    assert mismatch.status_code == 409
    assert mismatch.json()["actual"] == "enemy"


def test_delete_with_stale_version_is_refused(world: World):
    client = client_for(world.annotator)
    url = f"/api/v1/spans/{world.span.pk}/"
    client.patch(url, {"note": "x", "version": 1}, format="json")
    assert client.delete(url + "?version=1").status_code == 409
    assert client.delete(url + "?version=2").status_code == 204
    assert not Span.objects.filter(pk=world.span.pk).exists()


# --- layers -------------------------------------------------------------------------------------


def test_annotator_lists_only_own_layer(world: World):
    client = client_for(world.annotator)
    listed = client.get(spans_url(world.article)).json()
    assert [span["id"] for span in listed] == [world.span.pk]
    assert client.get(spans_url(world.article) + "?layer=all").status_code == 403
    assert client.get(spans_url(world.article) + "?layer=gold").status_code == 403


def test_reviewer_reads_every_layer_and_writes_gold(world: World):
    client = client_for(world.reviewer)
    every = client.get(spans_url(world.article) + "?layer=all").json()
    assert {span["id"] for span in every} == {world.span.pk, world.gold_span.pk}
    gold = client.get(spans_url(world.article) + "?layer=gold").json()
    assert [span["id"] for span in gold] == [world.gold_span.pk]
    one = client.get(spans_url(world.article) + f"?layer={world.annotator.pk}").json()
    assert [span["id"] for span in one] == [world.span.pk]
    created = client.post(
        spans_url(world.article) + "?layer=gold",
        {"label": "name_calling", "start": 24, "end": 28},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["annotator"] is None
    # A reviewer does not edit an annotator's layer.
    response = client.patch(
        f"/api/v1/spans/{world.span.pk}/", {"note": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_list_answers_each_span_as_its_own_get_does(world: World, unicode_sample):
    """The layer list is written by the database (ids, timestamps as text): each item must be
    what GET /spans/<id>/ answers from the model, for whole-second and fractional
    timestamps, with and without a client id, and with line separators escaped."""
    article = Article.objects.create(project=world.project, external_id="rows", text=unicode_sample)
    Assignment.objects.create(article=article, annotator=world.annotator)
    client = client_for(world.annotator)
    for start in (0, 5, 10):
        body = {"label": "name_calling", "start": start, "end": start + 3, "note": "a\u2028b"}
        assert create(client, article, **body, client_id=str(uuid.uuid4())).status_code == 201
    whole = Span.objects.filter(article=article).order_by("start").first()
    stamp = whole.created_at.replace(microsecond=0)
    Span.objects.filter(pk=whole.pk).update(created_at=stamp, updated_at=stamp)
    fractional = whole.created_at.replace(microsecond=120000)
    Span.objects.filter(start=5, article=article).update(updated_at=fractional, client_id=None)

    response = client.get(spans_url(article))
    assert response.status_code == 200
    assert b"\\u2028" in response.content
    assert "\u2028".encode() not in response.content
    listed = response.json()
    assert [span["start"] for span in listed] == [0, 5, 10]
    for span in listed:
        one = client.get(f"/api/v1/spans/{span['id']}/")
        assert one.json() == span
    assert listed[0]["created_at"] == stamp.isoformat().replace("+00:00", "Z")
    assert "." not in listed[0]["created_at"]
    assert listed[1]["updated_at"].endswith(".120000Z")
    assert listed[1]["client_id"] is None
    assert len(listed[2]["client_id"]) == 36


# --- sync -----------------------------------------------------------------------------------


def sync(client, article, operations):
    return client.post(spans_url(article) + "sync/", {"operations": operations}, format="json")


def test_sync_applies_a_batch_and_reports_each_operation(world: World):
    client = client_for(world.annotator)
    cid = str(uuid.uuid4())
    operations = [
        {"op": "create", "client_id": cid, "label": "name_calling", "start": 24, "end": 28},
        {"op": "update", "client_id": cid, "version": 1, "note": "offline note"},
        {"op": "delete", "id": world.span.pk, "version": 1},
    ]
    response = sync(client, world.article, operations)
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 200, 204]
    assert results[1]["span"]["note"] == "offline note"
    assert results[1]["span"]["version"] == 2
    assert stored(world.article, world.annotator) == [("name_calling", 24, 28, "They")]
    # The queue may flush the same batch again after a lost answer: nothing changes.
    again = sync(client, world.article, operations)
    assert again.status_code == 200, again.json()
    assert [r["status"] for r in again.json()["results"]] == [200, 200, 204]
    assert stored(world.article, world.annotator) == [("name_calling", 24, 28, "They")]


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"op": "create", "label": "name_calling", "start": 30, "end": 10_000}, 400, "end"),
        ({"op": "create", "label": "old_label", "start": 30, "end": 33}, 400, "label"),
        ({"op": "create", "label": "name_calling", "start": "30", "end": 33}, 400, "start"),
        ({"op": "update", "id": 1, "version": 1, "note": "x"}, 400, "id"),  # not in my layer
        ({"op": "frobnicate"}, 400, "op"),
        (
            {"op": "create", "label": "name_calling", "start": 24, "end": 28, "text": "Them"},
            409,
            "text",
        ),
    ],
)
def test_sync_with_one_bad_operation_stores_nothing(world: World, bad, code, field):
    if bad.get("id") == 1:
        bad["id"] = world.other_span.pk
    client = client_for(world.annotator)
    before = stored(world.article, world.annotator)
    operations = [
        {
            "op": "create",
            "client_id": str(uuid.uuid4()),
            "label": "name_calling",
            "start": 0,
            "end": 3,
        },
        {"op": "update", "id": world.span.pk, "version": 1, "note": "changed"},
        bad,
        {"op": "delete", "id": world.span.pk},
    ]
    response = sync(client, world.article, operations)
    assert response.status_code == code, response.json()
    body = response.json()
    assert body["failed_index"] == 2, body
    assert field in body["error"], body
    assert stored(world.article, world.annotator) == before
    world.span.refresh_from_db()
    assert world.span.note == ""
    assert world.span.version == 1


def test_sync_version_conflict_is_a_409(world: World):
    client = client_for(world.annotator)
    client.patch(f"/api/v1/spans/{world.span.pk}/", {"note": "online", "version": 1}, format="json")
    response = sync(
        client,
        world.article,
        [{"op": "update", "id": world.span.pk, "version": 1, "note": "offline"}],
    )
    assert response.status_code == 409
    assert response.json()["failed_index"] == 0
    world.span.refresh_from_db()
    assert world.span.note == "online"


def test_sync_refuses_empty_and_oversized_batches(world: World):
    client = client_for(world.annotator)
    assert sync(client, world.article, []).status_code == 400
    many = [{"op": "delete", "id": 1}] * 501
    assert sync(client, world.article, many).status_code == 400


def test_span_create_is_one_transaction(world: World):
    client = client_for(world.annotator)
    with CaptureQueriesContext(connection) as queries:
        create(client, world.article, label="name_calling", start=24, end=28)
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert any("annotations_span" in sql for sql in writes)


# --- concurrency (PostgreSQL: real row locks between connections) -----------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_duplicate_or_overwrite(world: World):
    from concurrent.futures import ThreadPoolExecutor

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers anyway")

    def in_thread(call):
        def run(i):
            try:
                return call(i)
            finally:
                connection.close()  # each thread has its own connection

        return run

    clients = [client_for(world.annotator) for _ in range(8)]
    body = {"label": "name_calling", "start": 24, "end": 28}
    with ThreadPoolExecutor(8) as pool:
        creates = list(
            pool.map(in_thread(lambda i: create(clients[i], world.article, **body)), range(8))
        )
    assert sorted(r.status_code for r in creates) == [201] + [400] * 7
    url = f"/api/v1/spans/{world.span.pk}/"
    with ThreadPoolExecutor(8) as pool:
        updates = list(
            pool.map(
                in_thread(
                    lambda i: clients[i].patch(url, {"note": f"n{i}", "version": 1}, format="json")
                ),
                range(8),
            )
        )
    assert sorted(r.status_code for r in updates) == [200] + [409] * 7
    winner = next(r.json() for r in updates if r.status_code == 200)
    world.span.refresh_from_db()
    assert (world.span.note, world.span.version) == (winner["note"], 2)
