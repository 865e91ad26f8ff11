"""The dashboard's statistics: spans per label, disagreement per article, the stats API and who
may read it (no article text in it)."""

import pytest
from api_helpers import ARTICLE_TEXT, client_for, make_span

from annotator.agreement.stats import article_disagreement, project_stats
from annotator.corpus.models import Assignment
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
    stats = project_stats(w.project, w.manager)
    labels = {row["key"]: row for row in stats["spans_per_label"]}
    assert (labels["loaded_language"]["annotators"], labels["loaded_language"]["gold"]) == (3, 1)
    assert labels["name_calling"]["annotators"] == 1
    assert labels["old_label"]["annotators"] == 0 and labels["old_label"]["retired"]
    queue = stats["disagreement"]
    assert queue["compared"] == 2
    assert [(r["external_id"], r["disagreement"]) for r in queue["articles"]] == [
        ("a2", 1),
        ("a1", 0),
    ]
    assert queue["articles"][1]["has_gold"] is True
    by_user = {row["username"]: row for row in stats["progress"]["by_annotator"]}
    assert by_user["ann"]["total"] == 2 and by_user["ann2"]["total"] == 2
    assert stats["progress"]["all"]["total"] == 4


def test_stats_api_for_researchers_has_no_article_text(disputed):
    w = disputed
    response = client_for(w.researcher).get("/api/v1/projects/news/stats/?limit=1")
    assert response.status_code == 200
    body = response.content.decode()
    assert ARTICLE_TEXT[:20] not in body and "evil" not in body
    assert [r["title"] for r in response.json()["disagreement"]["articles"]] == ["Second"]
    assert client_for(w.annotator).get("/api/v1/projects/news/stats/").status_code == 404
    bad = client_for(w.manager).get("/api/v1/projects/news/stats/?limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()
