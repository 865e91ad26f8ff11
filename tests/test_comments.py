"""Discussions: who reads and writes which comments (annotators are blind to each other), bad
input, edits. (Every role x route status code is in tests/test_authz_matrix.py.)"""

import pytest
from api_helpers import client_for, make_span

from annotator.annotations.models import Comment
from annotator.corpus.models import Assignment
from annotator.schemas.models import Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(world):
    """`ann` and `ann2` both annotate the world's article; `ann2` has a span of their own."""
    Assignment.objects.create(article=world.article, annotator=world.annotator2)
    label = Label.objects.get(key="loaded_language")
    world.span2 = make_span(world.article, world.annotator2, label, 18, 22)
    return world


def post(user, article, body, span=None):
    data = {"body": body} if span is None else {"body": body, "span": span}
    return client_for(user).post(f"/api/v1/articles/{article.pk}/comments/", data, format="json")


def read(user, article) -> list[tuple]:
    response = client_for(user).get(f"/api/v1/articles/{article.pk}/comments/")
    assert response.status_code == 200, response.content
    return [(c["author"], c["span"], c["body"]) for c in response.json()["comments"]]


def test_annotators_never_read_each_other_but_read_the_curators(shared):
    w = shared
    assert post(w.annotator, w.article, "Is 'enemy' loaded?").status_code == 201
    assert post(w.annotator2, w.article, "I skipped the title.").status_code == 201
    assert post(w.reviewer, w.article, "Mark the title too, please.").status_code == 201
    assert post(w.annotator, w.article, "On my span", span=w.span.pk).status_code == 201
    assert post(w.reviewer, w.article, "Agreed", span=w.span.pk).status_code == 201
    assert post(w.annotator2, w.article, "Mine", span=w.span2.pk).status_code == 201

    assert read(w.annotator, w.article) == [
        ("ann", None, "Is 'enemy' loaded?"),
        ("rev", None, "Mark the title too, please."),
        ("ann", w.span.pk, "On my span"),
        ("rev", w.span.pk, "Agreed"),
    ]
    assert read(w.annotator2, w.article) == [
        ("ann2", None, "I skipped the title."),
        ("rev", None, "Mark the title too, please."),
        ("ann2", w.span2.pk, "Mine"),
    ]
    assert len(read(w.reviewer, w.article)) == 6
    assert len(read(w.manager, w.article)) == 6
    # One comment of another annotator is not even addressable.
    theirs = Comment.objects.get(body="I skipped the title.")
    response = client_for(w.annotator).patch(
        f"/api/v1/comments/{theirs.pk}/", {"body": "x"}, format="json"
    )
    assert response.status_code == 404


def test_spans_an_annotator_cannot_see_take_no_comments_from_them(shared):
    w = shared
    for span in (w.span2, w.gold_span, w.foreign_span):
        response = post(w.annotator, w.article, "Sneaky", span=span.pk)
        assert response.status_code == 400
        assert list(response.json()) == ["span"]
    assert post(w.reviewer, w.article, "Gold note", span=w.gold_span.pk).status_code == 201
    assert ("rev", w.gold_span.pk, "Gold note") not in read(w.annotator, w.article)
    assert not Comment.objects.filter(body="Sneaky").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "empty"), ("   \n", "empty"), (None, "empty"), ("x" * 10_001, "At most 10,000")],
)
def test_bad_bodies_name_the_field_and_store_nothing(world, body, message):
    response = post(world.annotator, world.article, body)
    assert response.status_code == 400
    assert message in response.json()["body"][0]
    assert not Comment.objects.exists()


def test_a_span_id_must_be_a_number(world):
    response = post(world.annotator, world.article, "Hi", span="12")
    assert response.status_code == 400
    assert "whole number" in response.json()["span"][0]


def test_edit_by_the_author_and_delete_by_a_manager(world):
    created = post(world.annotator, world.article, "  First thought  ").json()
    assert created["body"] == "First thought"
    assert created["edited"] is False
    url = f"/api/v1/comments/{created['id']}/"
    reviewer = client_for(world.reviewer)
    assert reviewer.patch(url, {"body": "Rewritten"}, format="json").status_code == 403
    response = client_for(world.annotator).patch(url, {"body": "Second thought"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Second thought"
    assert client_for(world.annotator).patch(url, {"body": ""}, format="json").status_code == 400
    assert Comment.objects.get().body == "Second thought"
    assert reviewer.delete(url).status_code == 403
    assert client_for(world.manager).delete(url).status_code == 204
    assert not Comment.objects.exists()


def test_deleting_a_span_deletes_its_thread_only(world):
    post(world.annotator, world.article, "Thread")
    post(world.annotator, world.article, "About the span", span=world.span.pk)
    url = f"/api/v1/spans/{world.span.pk}/?version={world.span.version}"
    response = client_for(world.annotator).delete(url)
    assert response.status_code == 204, response.content
    assert list(Comment.objects.values_list("body", flat=True)) == ["Thread"]


def test_researchers_read_no_comments(world):
    post(world.reviewer, world.article, "Curators only")
    response = client_for(world.researcher).get(f"/api/v1/articles/{world.article.pk}/comments/")
    assert response.status_code == 403
