"""Training on a real Celery worker process, a real Redis broker and PostgreSQL (as in CI): a
manager asks for a training through the API, a worker trains the sequence model and predicts
the open articles, and an annotator is then recommended spans with the model's version.

The worker reads the test database (committed rows: ``transactional_db``) and writes the model
file to the same MEDIA_ROOT as this process, which loads it to recommend.
"""

import os
import uuid

import pytest
from api_helpers import client_for
from processes import Celery, child_database_url, clean_env, wait_for
from recommender_helpers import rec_world

from annotator.corpus.models import Article

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    queue = f"test-recommenders-{uuid.uuid4().hex[:12]}"  # no other worker takes our messages
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.ANNOTATOR_RECOMMENDER_QUEUE = queue
    env = clean_env(
        tmp_path,
        DATABASE_URL=child_database_url(),
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        ANNOTATOR_MEDIA_ROOT=media,
        ANNOTATOR_RECOMMENDER_QUEUE=queue,
        ANNOTATOR_RECOVERY_QUEUE=queue,
        ANNOTATOR_TESTING=1,
    )
    started = Celery.worker(env, tmp_path, "rec", queue, "--pool=solo")
    yield started
    started.stop()


def test_a_worker_trains_the_sequence_model_and_annotators_get_its_recommendations(worker):
    w = rec_world(n_train=25, n_fresh=3)
    boss, ann = client_for(w.manager), client_for(w.annotator)
    base = f"/api/v1/projects/{w.project.slug}/recommenders/"
    settings = {"folds": 2}
    pk = boss.post(base, {"name": "CRF", "kind": "sequence", "settings": settings}, format="json")
    pk = pk.json()["id"]
    boss.patch(f"/api/v1/projects/{w.project.slug}/", {"recommendations": "always"}, format="json")
    created = boss.post(f"{base}{pk}/train/", {}, format="json")
    assert created.status_code == 201, created.json()
    model_url = f"{base}{pk}/models/{created.json()['id']}/"

    def ended():
        model = boss.get(model_url).json()
        return model if model["status"] in ("done", "failed") else None

    model = wait_for(ended, 120, f"training\n{worker.log()}")
    assert model["status"] == "done", model
    assert model["counts"]["spans"] == 25 * 6
    assert model["evaluation"]["folds"] == 2
    assert boss.get(f"{base}{pk}/").json()["state"] == "ready"
    assert not Article.objects.filter(pk__in=[a.pk for a in w.fresh], uncertainty=None).exists()

    body = ann.get(f"/api/v1/articles/{w.fresh[1].pk}/recommendations/").json()
    assert body["status"][0]["state"] == "ok"
    assert body["recommendations"], "the worker's model recommends spans"
    for rec in body["recommendations"]:
        assert rec["origin_model"] == f"sequence #{pk} v1"
        assert w.fresh[1].text[rec["start"] : rec["end"]] == rec["text"]
