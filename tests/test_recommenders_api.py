"""The recommenders API as managers and annotators use it: configure, train (a worker's job,
run eagerly here; tests/test_recommenders_worker.py runs a real worker), read recommendations,
accept one as a span, reject one, the project's switches and active ordering."""

import pytest
from api_helpers import UNREACHABLE_CACHES, client_for
from recommender_helpers import eager, rec_world, recs_url  # noqa: F401  # eager: a fixture

from annotator.corpus.assignments import next_article_id
from annotator.corpus.models import Article, Assignment

pytestmark = pytest.mark.django_db


def train(client, project, pk, capture):
    with capture(execute=True):
        response = client.post(recs_url(project, pk, "train"), {}, format="json")
    assert response.status_code == 201, response.json()
    detail = client.get(recs_url(project, pk, "models", response.json()["id"])).json()
    return response.json(), detail


def recommendations(client, article) -> dict:
    response = client.get(f"/api/v1/articles/{article.pk}/recommendations/")
    assert response.status_code == 200
    return response.json()


def test_managers_configure_recommenders_and_bad_settings_name_the_field():
    w = rec_world(n_train=2, n_fresh=1)
    boss = client_for(w.manager)
    created = boss.post(recs_url(w.project), {"name": "Phrases", "kind": "phrase"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "untrained"
    assert body["current_model"] is None
    assert body["settings"] == {"min_agreement": 2, "retrain_after": 50, "timeout": 5, "folds": 5}
    pk = body["id"]

    bad = boss.patch(recs_url(w.project, pk), {"settings": {"retrain_after": 0}}, format="json")
    assert bad.status_code == 400
    assert "settings" in bad.json()
    unknown = boss.patch(recs_url(w.project, pk), {"settings": {"speed": 1}}, format="json")
    assert unknown.status_code == 400
    assert "speed" in str(unknown.json())
    kind = boss.patch(recs_url(w.project, pk), {"kind": "sequence"}, format="json")
    assert kind.status_code == 400
    assert "kind" in kind.json()
    no_url = boss.post(recs_url(w.project), {"name": "LS", "kind": "external"}, format="json")
    assert no_url.status_code == 400
    assert "url" in no_url.json()

    ok = boss.patch(
        recs_url(w.project, pk), {"settings": {"retrain_after": 5}, "name": "Memory"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["settings"]["retrain_after"] == 5
    assert ok.json()["name"] == "Memory"
    annotator_view = client_for(w.annotator).get(recs_url(w.project))
    assert [r["name"] for r in annotator_view.json()] == ["Memory"]
    assert boss.delete(recs_url(w.project, pk)).status_code == 204
    assert boss.get(recs_url(w.project)).json() == []


def test_training_with_no_data_says_so(django_capture_on_commit_callbacks):
    w = rec_world(n_train=0, n_fresh=2)
    boss = client_for(w.manager)
    pk = boss.post(recs_url(w.project), {"name": "CRF", "kind": "sequence"}, format="json")
    response = boss.post(recs_url(w.project, pk.json()["id"], "train"), {}, format="json")
    assert response.status_code == 400
    assert "nothing to learn from" in str(response.json())
    assert boss.get(recs_url(w.project, pk.json()["id"], "models")).json() == []


def test_phrase_memory_recommends_accepts_and_rejects(django_capture_on_commit_callbacks, eager):  # noqa: F811
    w = rec_world(n_train=20, n_fresh=3)
    boss, ann = client_for(w.manager), client_for(w.annotator)
    pk = boss.post(recs_url(w.project), {"name": "Phrases", "kind": "phrase"}, format="json")
    pk = pk.json()["id"]
    job, model = train(boss, w.project, pk, django_capture_on_commit_callbacks)
    assert model["status"] == "done", model
    assert model["version"] == 1
    assert model["counts"]["articles"] == 20
    assert model["counts"]["spans"] == 120
    assert model["origin_model"] == f"phrase #{pk} v1"
    assert model["evaluation"]["folds"] == 5

    # Off by default: the annotator sees none, and is told why; the manager sees them.
    article = w.fresh[0]
    hidden = recommendations(ann, article)
    assert hidden == {"visible": False, "reason": "off", "recommendations": [], "status": []}
    boss.patch(f"/api/v1/projects/{w.project.slug}/", {"recommendations": "always"}, format="json")
    shown = recommendations(ann, article)
    assert shown["visible"]
    assert shown["status"][0]["state"] == "ok"
    found = shown["recommendations"]
    assert found, "the training phrases recur in new articles"
    for rec in found:
        assert article.text[rec["start"] : rec["end"]] == rec["text"]
        assert rec["origin_model"] == f"phrase #{pk} v1"
        assert 0 < rec["score"] <= 1

    accepted, rejected = found[0], found[-1]
    created = ann.post(
        f"/api/v1/articles/{article.pk}/spans/",
        {
            "label": accepted["label"],
            "start": accepted["start"],
            "end": accepted["end"],
            "origin": "recommender",
            "origin_model": accepted["origin_model"],
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["origin"] == "recommender"
    assert created.json()["origin_model"] == f"phrase #{pk} v1"
    reject_url = f"/api/v1/articles/{article.pk}/recommendations/reject/"
    body = {k: rejected[k] for k in ("start", "end", "label")}
    assert ann.post(reject_url, body, format="json").status_code == 201
    assert ann.post(reject_url, body, format="json").status_code == 200  # idempotent

    again = {r["id"] for r in recommendations(ann, article)["recommendations"]}
    assert accepted["id"] not in again
    assert rejected["id"] not in again
    assert len(again) == len(found) - 2 or accepted["id"] == rejected["id"]
    # Another user's rejection is theirs only.
    others = {r["id"] for r in recommendations(boss, article)["recommendations"]}
    assert rejected["id"] in others

    bad = ann.post(reject_url, {**body, "label": "nope"}, format="json")
    assert bad.status_code == 400
    assert "label" in bad.json()
    beyond = ann.post(reject_url, {**body, "end": len(article.text) + 1}, format="json")
    assert beyond.status_code == 400
    assert "end" in beyond.json()


def test_after_done_shows_annotators_recommendations_once_they_are_done(
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
):
    w = rec_world(n_train=10, n_fresh=1)
    boss, ann = client_for(w.manager), client_for(w.annotator)
    pk = boss.post(recs_url(w.project), {"name": "P", "kind": "phrase"}, format="json").json()
    train(boss, w.project, pk["id"], django_capture_on_commit_callbacks)
    boss.patch(
        f"/api/v1/projects/{w.project.slug}/", {"recommendations": "after_done"}, format="json"
    )
    project = boss.get(f"/api/v1/projects/{w.project.slug}/").json()
    assert project["recommendations"] == "after_done"
    assert project["active_ordering"] is False
    article = w.fresh[0]
    assert recommendations(ann, article)["reason"] == "after_done"
    assert ann.post(f"/api/v1/articles/{article.pk}/complete/").status_code == 200
    assert recommendations(ann, article)["visible"] is True


def test_evaluation_downloads_as_json(django_capture_on_commit_callbacks, eager):  # noqa: F811
    w = rec_world(n_train=12, n_fresh=1)
    boss = client_for(w.manager)
    pk = boss.post(recs_url(w.project), {"name": "P", "kind": "phrase"}, format="json").json()
    job, _ = train(boss, w.project, pk["id"], django_capture_on_commit_callbacks)
    response = boss.get(recs_url(w.project, pk["id"], "models", job["id"], "evaluation"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.json()
    assert set(data) >= {"labelled", "unlabelled", "per_label", "folds", "seed", "learning_curve"}
    assert set(data["labelled"]) == {"precision", "recall", "f1"}
    assert all(
        {"precision", "recall", "f1", "support"} <= set(v) for v in data["per_label"].values()
    )
    assert [p["articles"] for p in data["learning_curve"]] == sorted(
        p["articles"] for p in data["learning_curve"]
    )


def test_active_ordering_serves_the_most_uncertain_article_first():
    w = rec_world(n_train=0, n_fresh=3)
    first, second, third = w.fresh
    Article.objects.filter(pk=second.pk).update(uncertainty=0.9)
    Article.objects.filter(pk=third.pk).update(uncertainty=0.2)
    assert next_article_id(w.project, w.annotator) == first.pk  # the default order
    boss = client_for(w.manager)
    response = boss.patch(
        f"/api/v1/projects/{w.project.slug}/", {"active_ordering": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["active_ordering"] is True
    w.project.refresh_from_db()
    assert next_article_id(w.project, w.annotator) == second.pk
    Article.objects.filter(pk=second.pk).update(uncertainty=None)  # not scored: last
    assert next_article_id(w.project, w.annotator) == third.pk

    # The order never serves what the assignment rules do not: an article not assigned to them,
    # or one they finished; and what they have in progress still comes first.
    unassigned = Article.objects.create(project=w.project, external_id="x", text="Other.")
    Article.objects.filter(pk=unassigned.pk).update(uncertainty=1.0)
    Assignment.objects.filter(article=third, annotator=w.annotator).update(status="done")
    assert next_article_id(w.project, w.annotator) == first.pk
    Assignment.objects.filter(article=second, annotator=w.annotator).update(status="in_progress")
    Article.objects.filter(pk=first.pk).update(uncertainty=0.95)
    assert next_article_id(w.project, w.annotator) == second.pk


def test_the_admin_applies_the_same_rules(admin_client):
    w = rec_world(n_train=0, n_fresh=0)
    page = "/admin/recommenders/recommender/add/"
    form = {
        "project": w.project.pk,
        "name": "LS",
        "kind": "external",
        "enabled": "on",
        "url": "",
        "settings": "{}",
    }
    response = admin_client.post(page, form)
    assert response.status_code == 200
    assert "An external recommender needs the URL of its backend." in response.content.decode()
    response = admin_client.post(page, {**form, "kind": "phrase", "settings": '{"folds": 1}'})
    assert "folds must be between 2 and 10." in response.content.decode()
    response = admin_client.post(page, {**form, "kind": "phrase"})
    assert response.status_code == 302


def test_an_accepted_recommendation_keeps_its_model_through_sync_too():
    w = rec_world(n_train=0, n_fresh=1)
    article = w.fresh[0]
    ann = client_for(w.annotator)
    start, end = w.fresh_gold[0][0][:2]
    ops = [
        {
            "op": "create",
            "label": "doubt",
            "start": start,
            "end": end,
            "origin": "recommender",
            "origin_model": "sequence #7 v3",
        },
        {
            "op": "create",
            "label": "slogans",
            "start": start,
            "end": end,
            "origin_model": "ignored without origin recommender",
        },
    ]
    response = ann.post(
        f"/api/v1/articles/{article.pk}/spans/sync/", {"operations": ops}, format="json"
    )
    assert response.status_code == 200, response.json()
    spans = [result["span"] for result in response.json()["results"]]
    assert [(s["origin"], s["origin_model"]) for s in spans] == [
        ("recommender", "sequence #7 v3"),
        ("manual", ""),
    ]
    listed = ann.get(f"/api/v1/articles/{article.pk}/spans/").json()
    assert {s["origin_model"] for s in listed} == {"sequence #7 v3", ""}


def test_recommendations_come_while_the_cache_is_unreachable(
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
    settings,
):
    """Redis down: the retraining check (a cache entry a minute) is skipped, the
    recommendations still come."""
    w = rec_world(n_train=20, n_fresh=1)
    boss = client_for(w.manager)
    pk = boss.post(recs_url(w.project), {"name": "Phrases", "kind": "phrase"}, format="json")
    train(boss, w.project, pk.json()["id"], django_capture_on_commit_callbacks)
    settings.CACHES = UNREACHABLE_CACHES
    shown = recommendations(boss, w.fresh[0])
    assert shown["status"][0]["state"] == "ok"
    assert shown["recommendations"]
