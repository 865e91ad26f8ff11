"""The dashboard's statistics: spans per label, disagreement per article, the stats API and who
may read it (no article text in it)."""

import pytest
from api_helpers import ARTICLE_TEXT, client_for, make_span, make_user

from annotator.agreement.stats import article_disagreement, project_stats
from annotator.annotations.models import Span
from annotator.corpus.models import Assignment, Membership
from annotator.schemas.models import Label

pytestmark = pytest.mark.django_db


def test_article_disagreement_is_one_minus_mean_pair_f1():
    same = [(0, 5, 1)]
    assert article_disagreement({1: same, 2: same}) == 0
    assert article_disagreement({1: same, 2: [(0, 5, 2)]}) == 1  # another label
    # [10,21) vs [15,26): P = R = 6/11, so F1 = 6/11.
    assert article_disagreement({1: [(10, 21, 1)], 2: [(15, 26, 1)]}) == pytest.approx(5 / 11)
    assert article_disagreement({1: same}) is None
    # Three layers: pairs (1,2)=0, (1,3)=1, (2,3)=1.
    assert article_disagreement({1: same, 2: same, 3: []}) == pytest.approx(2 / 3)


@pytest.fixture
def disputed(world):
    """article: ann and ann2 agree; other_article: they disagree completely."""
    w = world
    loaded = Label.objects.get(key="loaded_language")
    calling = Label.objects.get(key="name_calling")
    Assignment.objects.create(article=w.article, annotator=w.annotator2)
    Assignment.objects.create(article=w.other_article, annotator=w.annotator)
    make_span(w.article, w.annotator2, loaded, 4, 9)  # = world.span
    make_span(w.other_article, w.annotator, calling, 24, 28)  # ann2 has loaded 13-17
    return w


def test_project_stats_counts_and_orders_the_queue(disputed):
    w = disputed
    stats = project_stats(w.project, w.manager, done_only=False)
    labels = {row["key"]: row for row in stats["spans_per_label"]}
    assert (labels["loaded_language"]["annotators"], labels["loaded_language"]["gold"]) == (3, 1)
    assert labels["name_calling"]["annotators"] == 1
    assert labels["old_label"]["annotators"] == 0
    assert labels["old_label"]["retired"]
    queue = stats["disagreement"]
    assert queue["compared"] == 2
    assert [(r["external_id"], r["disagreement"]) for r in queue["articles"]] == [
        ("a2", 1),
        ("a1", 0),
    ]
    assert queue["articles"][1]["has_gold"] is True
    by_user = {row["username"]: row for row in stats["progress"]["by_annotator"]}
    assert by_user["ann"]["total"] == 2
    assert by_user["ann2"]["total"] == 2
    assert stats["progress"]["all"]["total"] == 4


def test_stats_api_for_researchers_has_no_article_text(disputed):
    w = disputed
    response = client_for(w.researcher).get("/api/v1/projects/news/stats/?limit=1&done_only=0")
    assert response.status_code == 200
    body = response.content.decode()
    assert ARTICLE_TEXT[:20] not in body
    assert "evil" not in body
    assert [r["title"] for r in response.json()["disagreement"]["articles"]] == ["Second"]
    assert client_for(w.annotator).get("/api/v1/projects/news/stats/").status_code == 404
    bad = client_for(w.manager).get("/api/v1/projects/news/stats/?limit=0")
    assert bad.status_code == 400
    assert "limit" in bad.json()


def test_the_queue_counts_finished_work_unless_asked_for_work_in_progress(disputed):
    """#14: articles an annotator never opened topped the queue at 1.00."""
    w = disputed
    manager = client_for(w.manager)
    done = manager.get("/api/v1/projects/news/stats/").json()["disagreement"]
    assert done["done_only"] is True
    assert done["articles"] == []
    Assignment.objects.filter(article=w.article).update(status="done")
    Assignment.objects.filter(article=w.other_article).update(status="in_progress")
    done = manager.get("/api/v1/projects/news/stats/").json()["disagreement"]
    assert [(r["external_id"], r["disagreement"]) for r in done["articles"]] == [("a1", 0)]
    both = manager.get("/api/v1/projects/news/stats/?done_only=false").json()["disagreement"]
    assert [r["external_id"] for r in both["articles"]] == ["a2", "a1"]
    # To do: never opened, so no layer and no disagreement, whatever the switch says.
    Assignment.objects.filter(article=w.other_article, annotator=w.annotator).update(status="todo")
    Span.objects.filter(article=w.other_article, annotator=w.annotator).delete()
    both = manager.get("/api/v1/projects/news/stats/?done_only=false").json()["disagreement"]
    assert [r["external_id"] for r in both["articles"]] == ["a1"]


def test_a_heat_map_cell_drills_down_to_that_pairs_articles(disputed):
    w = disputed
    third = make_user("ann3")
    Membership.objects.create(user=third, project=w.project, role="annotator")
    Assignment.objects.create(article=w.article, annotator=third, status="done")
    Assignment.objects.filter(article__in=[w.article, w.other_article]).update(status="done")
    manager = client_for(w.manager)
    url = f"/api/v1/projects/news/stats/?pair={w.annotator.pk},{w.annotator2.pk}"
    pair = manager.get(url).json()["disagreement"]
    assert pair["pair"] == [w.annotator.pk, w.annotator2.pk]
    assert [(r["external_id"], r["layers"], r["disagreement"]) for r in pair["articles"]] == [
        ("a2", 2, 1),
        ("a1", 2, 0),
    ]
    # ann3 (no span on a1) disagrees with ann there, and shares no other article with ann.
    url = f"/api/v1/projects/news/stats/?pair={w.annotator.pk},{third.pk}"
    pair = manager.get(url).json()["disagreement"]
    assert [(r["external_id"], r["disagreement"]) for r in pair["articles"]] == [("a1", 1)]
    for bad in ("1", "1,1", "a,b", "1,2,3"):
        response = manager.get(f"/api/v1/projects/news/stats/?pair={bad}")
        assert response.status_code == 400
        assert "pair" in response.json()
    response = manager.get("/api/v1/projects/news/stats/?done_only=maybe")
    assert response.status_code == 400
    assert "done_only" in response.json()
