"""The review API: groups, accept/reject, curation status, auto-accept, and who may use it.
(Every role x route status code is in tests/test_authz_matrix.py; here, what the calls do.)"""

import pytest
from api_helpers import client_for, make_span

from annotator.annotations.models import Curation, Span
from annotator.schemas.models import Label

pytestmark = pytest.mark.django_db


def gold(article):
    return sorted(
        Span.objects.filter(article=article, annotator__isnull=True).values_list(
            "start", "end", "label__key"
        )
    )


@pytest.fixture
def agreeing(world):
    """`ann` and `ann2` both marked "enemy" on the world's article; only `ann` marked "evil"."""
    world.gold_span.delete()
    label = Label.objects.get(key="loaded_language")
    make_span(world.article, world.annotator2, label, 4, 9)
    make_span(world.article, world.annotator, label, 18, 22)
    return world


def test_reviewer_reads_groups_with_who_agrees(agreeing):
    w = agreeing
    response = client_for(w.reviewer).get(f"/api/v1/articles/{w.article.pk}/review/")
    assert response.status_code == 200, response.content
    body = response.json()
    groups = [
        (g["text"], g["count"], [a["username"] for a in g["annotators"]], g["gold"])
        for g in body["groups"]
    ]
    assert groups == [("enemy", 2, ["ann", "ann2"], None), ("evil", 1, ["ann"], None)]
    assert body["curation"]["status"] == "todo"


def test_groups_carry_each_annotators_span_and_note(agreeing):
    w = agreeing
    Span.objects.filter(annotator=w.annotator2).update(note="Only in the headline?")
    body = client_for(w.reviewer).get(f"/api/v1/articles/{w.article.pk}/review/").json()
    enemy = body["groups"][0]
    notes = [(a["username"], a["note"]) for a in enemy["annotators"]]
    assert notes == [("ann", ""), ("ann2", "Only in the headline?")]
    spans = {a["span"] for a in enemy["annotators"]}
    assert spans == set(
        Span.objects.filter(article=w.article, start=4, annotator__isnull=False).values_list(
            "pk", flat=True
        )
    )


def test_accept_writes_gold_once_and_reject_takes_it_out(agreeing):
    w = agreeing
    reviewer = client_for(w.reviewer)
    url = f"/api/v1/articles/{w.article.pk}/review/"
    candidate = {"label": "loaded_language", "start": 4, "end": 9}
    first = reviewer.post(url + "accept/", candidate, format="json")
    assert first.status_code == 201
    assert first.json()["layer"] == "gold"
    assert reviewer.post(url + "accept/", candidate, format="json").status_code == 200
    assert gold(w.article) == [(4, 9, "loaded_language")]
    spans = reviewer.get(f"/api/v1/articles/{w.article.pk}/spans/?layer=gold").json()
    assert [(s["start"], s["end"], s["text"]) for s in spans] == [(4, 9, "enemy")]

    response = reviewer.post(url + "reject/", candidate, format="json")
    assert response.json() == {"removed_from_gold": True}
    assert gold(w.article) == []
    assert Curation.objects.get(article=w.article).reviewer == w.reviewer


def test_bad_candidates_name_the_field_and_store_nothing(agreeing):
    w = agreeing
    reviewer = client_for(w.reviewer)
    url = f"/api/v1/articles/{w.article.pk}/review/accept/"
    cases = [
        ({"label": "loaded_language", "start": "4", "end": 9}, "start"),
        ({"label": "loaded_language", "start": 4, "end": 999}, "end"),
        ({"label": "nope", "start": 4, "end": 9}, "label"),
        ({"start": 4, "end": 9}, "label"),
    ]
    for payload, field_name in cases:
        response = reviewer.post(url, payload, format="json")
        assert response.status_code == 400, payload
        assert field_name in response.json(), response.json()
    assert gold(w.article) == []


def test_curation_status(agreeing):
    w = agreeing
    url = f"/api/v1/articles/{w.article.pk}/curation/"
    response = client_for(w.manager).patch(url, {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["reviewer"] == "boss"
    bad = client_for(w.manager).patch(url, {"status": "finished"}, format="json")
    assert bad.status_code == 400
    assert "status" in bad.json()
    assert Curation.objects.get(article=w.article).status == "done"


def test_auto_accept_over_the_project_or_chosen_articles(agreeing):
    w = agreeing
    reviewer = client_for(w.reviewer)
    url = f"/api/v1/projects/{w.project.slug}/review/auto-accept/"
    foreign = reviewer.post(url, {"k": 2, "article_ids": [w.foreign_article.pk]}, format="json")
    assert foreign.status_code == 400
    assert "article_ids" in foreign.json()
    assert reviewer.post(url, {"k": 0}, format="json").status_code == 400
    response = reviewer.post(url, {"k": 2}, format="json")
    assert response.json() == {"promoted": 1, "skipped": 0, "k": 2}
    assert gold(w.article) == [(4, 9, "loaded_language")]
    assert gold(w.other_article) == []  # one annotator only
    again = reviewer.post(url, {"k": 1, "article_ids": [w.other_article.pk]}, format="json")
    assert again.json()["promoted"] == 1
    assert gold(w.article) == [(4, 9, "loaded_language")]  # not among the chosen articles
    assert gold(w.other_article) == [(13, 17, "loaded_language")]


@pytest.mark.parametrize("who", ["annotator", "researcher", "outsider"])
def test_others_get_404_and_change_nothing(agreeing, who):
    w = agreeing
    client = client_for(getattr(w, who))
    base = f"/api/v1/articles/{w.article.pk}/"
    candidate = {"label": "loaded_language", "start": 4, "end": 9}
    assert client.get(base + "review/").status_code == 404
    assert client.post(base + "review/accept/", candidate, format="json").status_code == 404
    assert client.patch(base + "curation/", {"status": "done"}, format="json").status_code == 404
    auto = f"/api/v1/projects/{w.project.slug}/review/auto-accept/"
    assert client.post(auto, {"k": 1}, format="json").status_code == 404
    assert gold(w.article) == []
    assert not Curation.objects.exists()
