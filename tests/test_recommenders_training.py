"""Training through the API (the job runs eagerly here): the sequence model on gold, batch
prediction for the queue, retraining after new spans, and learning from agreement when there is
no gold yet."""

import pytest
from api_helpers import client_for, make_user
from django.core.cache import cache
from recommender_helpers import eager, rec_world, recs_url  # noqa: F401  # eager: a fixture

from annotator.annotations.models import Span
from annotator.corpus.assignments import next_article_id
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Role
from annotator.recommenders import synthetic

pytestmark = pytest.mark.django_db


def add(client, project, **fields) -> int:
    response = client.post(recs_url(project), fields, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def models_of(client, project, pk) -> list[dict]:
    return client.get(recs_url(project, pk, "models")).json()


def test_sequence_model_trains_predicts_the_queue_and_recommends(
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
):
    w = rec_world(n_train=30, n_fresh=4)
    boss, ann = client_for(w.manager), client_for(w.annotator)
    pk = add(boss, w.project, name="CRF", kind="sequence", settings={"folds": 3})
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(recs_url(w.project, pk, "train"), {}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["version"] == 1
    recommender = boss.get(recs_url(w.project, pk)).json()
    assert recommender["state"] == "ready", recommender
    model = recommender["current_model"]
    assert model["status"] == "done"
    assert model["source"] == "gold"
    assert model["counts"] == {"articles": 30, "spans": 180, "labels": 6}
    assert any("window" in feature for feature in model["features"])
    assert model["duration_seconds"] > 0
    evaluation = model["evaluation"]
    assert evaluation["folds"] == 3
    assert evaluation["labelled"]["f1"] > 0.6
    curve = evaluation["learning_curve"]
    assert curve[-1]["f1"] >= curve[0]["f1"]

    # Batch prediction scored every open article for the queue.
    scores = dict(
        Article.objects.filter(pk__in=[a.pk for a in w.fresh]).values_list("pk", "uncertainty")
    )
    assert all(value is not None and 0 <= value <= 1 for value in scores.values())
    w.project.active_ordering = True
    w.project.save()
    assert next_article_id(w.project, w.annotator) == max(scores, key=lambda pk: scores[pk])

    boss.patch(f"/api/v1/projects/{w.project.slug}/", {"recommendations": "always"}, format="json")
    article = w.fresh[1]
    body = ann.get(f"/api/v1/articles/{article.pk}/recommendations/").json()
    found = {(r["start"], r["end"], r["label"]) for r in body["recommendations"]}
    gold = set(w.fresh_gold[1])
    assert len(found & gold) >= len(gold) // 2, "it finds techniques in a new article"
    assert {r["origin_model"] for r in body["recommendations"]} == {f"sequence #{pk} v1"}


def test_retrains_after_enough_new_gold_spans(django_capture_on_commit_callbacks, eager):  # noqa: F811
    w = rec_world(n_train=6, n_fresh=2)
    boss = client_for(w.manager)
    pk = add(boss, w.project, name="P", kind="phrase", settings={"retrain_after": 3})
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(recs_url(w.project, pk, "train"), {}, format="json")
    assert [m["version"] for m in models_of(boss, w.project, pk)] == [1]

    def open_article():
        cache.clear()  # the once-a-minute look for new data
        with django_capture_on_commit_callbacks(execute=True):
            boss.get(f"/api/v1/articles/{w.fresh[0].pk}/recommendations/")

    label = w.project.schema.labels.get(key="doubt")
    article = w.fresh[1]
    for n in range(3):
        open_article()
        assert len(models_of(boss, w.project, pk)) == 1, "not before 3 new spans"
        Span.objects.create(
            article=article,
            annotator=None,
            label=label,
            start=n,
            end=n + 1,
            text=article.text[n : n + 1],
        )
    open_article()
    versions = models_of(boss, w.project, pk)
    assert [m["version"] for m in versions] == [2, 1]
    assert versions[0]["status"] == "done"
    assert versions[0]["counts"]["spans"] == 36 + 3


def test_without_gold_it_learns_what_annotators_agree_on(
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
):
    w = rec_world(n_train=0, n_fresh=0)
    second = make_user("synth-ann2")
    Membership.objects.create(user=second, project=w.project, role=Role.ANNOTATOR)
    labels = {label.key: label for label in w.project.schema.labels.all()}
    for n, (text, spans) in enumerate(synthetic.corpus(4, seed=9, spans=4)):
        article = Article.objects.create(project=w.project, external_id=f"agree{n}", text=text)
        for user in (w.annotator, second):
            Assignment.objects.create(article=article, annotator=user, status=AssignmentStatus.DONE)
            # Both agree on the first two spans; the others are one annotator's only.
            mine = spans[:2] + (spans[2:] if user == w.annotator else [])
            for s, e, key in mine:
                Span.objects.create(
                    article=article,
                    annotator=user,
                    label=labels[key],
                    start=s,
                    end=e,
                    text=text[s:e],
                )
    boss = client_for(w.manager)
    pk = add(boss, w.project, name="P", kind="phrase")
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(recs_url(w.project, pk, "train"), {}, format="json")
    model = models_of(boss, w.project, pk)[0]
    assert model["source"] == "agreed"
    assert model["counts"]["spans"] == 8
    assert model["counts"]["articles"] == 4

    strict = add(boss, w.project, name="Q", kind="phrase", settings={"min_agreement": 3})
    refused = boss.post(recs_url(w.project, strict, "train"), {}, format="json")
    assert refused.status_code == 400
    assert "3 annotators" in str(refused.json())

    # Gold arrives: the next look retrains on it at once, however few spans it has.
    from annotator.recommenders.tasks import retrain_due

    article = Article.objects.filter(project=w.project).first()
    Span.objects.create(
        article=article,
        annotator=None,
        label=labels["doubt"],
        start=0,
        end=3,
        text=article.text[:3],
    )
    with django_capture_on_commit_callbacks(execute=True):
        queued = retrain_due()
    # Q too: it had nothing it could learn from, and now has gold.
    assert queued == [f"P (phrase, {w.project.slug}) v2", f"Q (phrase, {w.project.slug}) v1"]
    assert models_of(boss, w.project, pk)[0]["source"] == "gold"


def test_a_training_the_broker_could_not_start_shows_as_an_error(
    django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from annotator.core.jobs import BrokerUnavailable
    from annotator.recommenders.tasks import train_model

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(train_model, "apply_async", down)
    w = rec_world(n_train=3, n_fresh=0)
    boss = client_for(w.manager)
    pk = add(boss, w.project, name="P", kind="phrase")
    with pytest.raises(BrokerUnavailable), django_capture_on_commit_callbacks(execute=True):
        boss.post(recs_url(w.project, pk, "train"), {}, format="json")
    recommender = boss.get(recs_url(w.project, pk)).json()
    assert recommender["state"] == "error"
    assert "broker" in recommender["message"]
    assert models_of(boss, w.project, pk)[0]["status"] == "failed"


def test_data_gone_before_the_worker_ran_fails_the_model_saying_so(
    django_capture_on_commit_callbacks,
    eager,  # noqa: F811
):
    w = rec_world(n_train=3, n_fresh=0)
    boss = client_for(w.manager)
    pk = add(boss, w.project, name="CRF", kind="sequence")
    with django_capture_on_commit_callbacks() as queued:
        assert boss.post(recs_url(w.project, pk, "train"), {}, format="json").status_code == 201
    Span.objects.filter(article__project=w.project).delete()  # a reviewer cleared the gold
    for callback in queued:
        callback()
    [model] = models_of(boss, w.project, pk)
    assert model["status"] == "failed"
    assert "nothing to learn from" in model["error"]
    recommender = boss.get(recs_url(w.project, pk)).json()
    assert recommender["state"] == "error"
    assert "nothing to learn from" in recommender["message"]


def test_the_periodic_look_queues_trainings_that_are_due(django_capture_on_commit_callbacks, eager):  # noqa: F811
    from annotator.recommenders.tasks import retrain_due

    w = rec_world(n_train=4, n_fresh=0)
    boss = client_for(w.manager)
    pk = add(boss, w.project, name="P", kind="phrase", settings={"retrain_after": 2})
    add(boss, w.project, name="Off", kind="phrase", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        queued = retrain_due()  # never trained, and there is data
    assert queued == [f"P (phrase, {w.project.slug}) v1"]
    assert models_of(boss, w.project, pk)[0]["status"] == "done"
    assert retrain_due() == []  # nothing new
    label = w.project.schema.labels.get(key="slogans")
    article = w.train[0]
    for n in range(2):
        Span.objects.create(
            article=article,
            annotator=None,
            label=label,
            start=n,
            end=n + 1,
            text=article.text[n : n + 1],
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert retrain_due() == [f"P (phrase, {w.project.slug}) v2"]
