import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from annotator.corpus.assignments import AssignmentError, assign_round_robin
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Project, Role
from annotator.schemas.models import LabelSchema

pytestmark = pytest.mark.django_db
User = get_user_model()


def make_project(slug, schema=None):
    schema = schema or LabelSchema.objects.create(name=f"schema {slug}")
    return Project.objects.create(slug=slug, name=slug.title(), schema=schema)


def make_articles(project, n):
    return [
        Article.objects.create(project=project, external_id=f"{project.slug}-{i}", text=f"Text {i}")
        for i in range(n)
    ]


def make_annotators(project, names, role=Role.ANNOTATOR):
    users = [User.objects.create_user(name) for name in names]
    for user in users:
        Membership.objects.create(user=user, project=project, role=role)
    return users


@pytest.fixture
def project():
    return make_project("news")


def loads(project):
    return Counter(
        Assignment.objects.filter(article__project=project).values_list(
            "annotator__username", flat=True
        )
    )


def annotators_by_article(articles):
    result = {article.pk: set() for article in articles}
    for article_id, annotator_id in Assignment.objects.values_list("article_id", "annotator_id"):
        result[article_id].add(annotator_id)
    return result


def test_balances_load_and_gives_each_article_distinct_annotators(project):
    articles = make_articles(project, 10)
    annotators = make_annotators(project, ["ann", "bob", "cyd"])

    created = assign_round_robin(Article.objects.filter(project=project), annotators, 2)

    assert created == 20
    assert Assignment.objects.count() == 20
    assert sorted(loads(project).values()) == [6, 7, 7]
    assert all(len(users) == 2 for users in annotators_by_article(articles).values())
    assert set(Assignment.objects.values_list("status", flat=True)) == {AssignmentStatus.TODO}


def test_rerun_creates_nothing(project):
    articles = make_articles(project, 7)
    annotators = make_annotators(project, ["ann", "bob", "cyd"])
    assert assign_round_robin(articles, annotators, 2) == 14
    before = set(Assignment.objects.values_list("article_id", "annotator_id"))

    assert assign_round_robin(articles, annotators, 2) == 0
    assert set(Assignment.objects.values_list("article_id", "annotator_id")) == before


def test_existing_assignments_count_and_new_work_goes_to_the_least_loaded(project):
    articles = make_articles(project, 6)
    ann, bob, cyd = make_annotators(project, ["ann", "bob", "cyd"])
    # ann already has three articles; the three new articles should go to bob and cyd first.
    for article in articles[:3]:
        Assignment.objects.create(article=article, annotator=ann)

    created = assign_round_robin(articles, [ann, bob, cyd], 1)

    assert created == 3
    counts = loads(project)
    assert counts["ann"] == 3
    assert sorted([counts["bob"], counts["cyd"]]) == [1, 2]
    assert all(len(users) == 1 for users in annotators_by_article(articles).values())


def test_skipped_assignment_gets_a_replacement(project):
    (article,) = make_articles(project, 1)
    ann, bob = make_annotators(project, ["ann", "bob"])
    Assignment.objects.create(article=article, annotator=ann, status=AssignmentStatus.SKIPPED)

    assert assign_round_robin([article], [ann, bob], 1) == 1

    assert set(Assignment.objects.values_list("annotator__username", "status")) == {
        ("ann", AssignmentStatus.SKIPPED),
        ("bob", AssignmentStatus.TODO),
    }


def test_more_per_article_than_annotators_is_refused(project):
    articles = make_articles(project, 2)
    annotators = make_annotators(project, ["ann", "bob"])

    with pytest.raises(AssignmentError, match="3 distinct annotators: only 2 chosen"):
        assign_round_robin(articles, annotators, 3)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("per_article", [0, -1])
def test_per_article_must_be_positive(project, per_article):
    articles = make_articles(project, 1)
    annotators = make_annotators(project, ["ann"])
    with pytest.raises(AssignmentError, match="at least 1"):
        assign_round_robin(articles, annotators, per_article)


def test_no_annotators_or_duplicates_are_refused(project):
    articles = make_articles(project, 1)
    (ann,) = make_annotators(project, ["ann"])
    with pytest.raises(AssignmentError, match="at least one annotator"):
        assign_round_robin(articles, [], 1)
    with pytest.raises(AssignmentError, match="more than once"):
        assign_round_robin(articles, [ann, ann], 1)


def test_articles_of_several_projects_are_refused(project):
    other = make_project("other", schema=project.schema)
    articles = make_articles(project, 1) + make_articles(other, 1)
    annotators = make_annotators(project, ["ann"])

    with pytest.raises(AssignmentError, match=r"several projects \(news, other\)"):
        assign_round_robin(articles, annotators, 1)
    assert not Assignment.objects.exists()


def test_non_members_and_other_roles_are_refused_by_name(project):
    articles = make_articles(project, 2)
    (ann,) = make_annotators(project, ["ann"])
    (rita,) = make_annotators(project, ["rita"], role=Role.RESEARCHER)
    outsider = User.objects.create_user("outsider")

    with pytest.raises(AssignmentError) as excinfo:
        assign_round_robin(articles, [ann, rita, outsider], 1)

    message = str(excinfo.value)
    assert "rita is a researcher, not an annotator" in message
    assert "outsider is not a member of project 'news'" in message
    assert "ann is" not in message
    assert not Assignment.objects.exists()


def test_no_articles_creates_nothing(project):
    annotators = make_annotators(project, ["ann"])
    assert assign_round_robin(Article.objects.none(), annotators, 1) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_fill_each_slot_once():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers anyway")
    project = make_project("race")
    make_articles(project, 20)
    annotators = make_annotators(project, ["ann", "bob", "cyd"])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        from django.db import connections

        try:
            barrier.wait()
            results.append(
                assign_round_robin(Article.objects.filter(project=project), annotators, 2)
            )
        except Exception as exc:  # the test reports it below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(results) == [0, 40]
    assert Assignment.objects.count() == 40
