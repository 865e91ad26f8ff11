"""The review service (annotator/annotations/review.py): grouping, accept/reject, auto-accept."""

import pytest
from api_helpers import make_user

from annotator.annotations import review
from annotator.annotations.models import Curation, CurationStatus, Span
from annotator.annotations.spans import SpanError, create_span
from annotator.core.text import normalize_newlines
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(unicode_sample):
    """A project on the Unicode sample (CRLF input normalised), three annotators, a reviewer."""
    schema = LabelSchema.objects.create(name="Review techniques")
    for key in ("loaded", "fear"):
        Label.objects.create(schema=schema, key=key, name=key.title())
    Label.objects.create(schema=schema, key="gone", name="Gone", retired=True)
    project = Project.objects.create(slug="rev", name="Rev", schema=schema)
    text = normalize_newlines(unicode_sample.replace("\n", "\r\n"))  # as articles are stored
    article = Article.objects.create(project=project, external_id="u", text=text)
    users = [make_user(name) for name in ("cleo", "abe", "bea")]
    for user in users:
        Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
        Assignment.objects.create(article=article, annotator=user)
    reviewer = make_user("rita")
    Membership.objects.create(user=reviewer, project=project, role=Role.REVIEWER)
    return project, article, users, reviewer


def at(text, phrase):
    start = text.index(phrase)  # code points: Python str indexing
    return start, start + len(phrase)


def mark(article, user, phrase, label="loaded"):
    start, end = at(article.text, phrase)
    return create_span(article, user.pk if user else None, label=label, start=start, end=end)[0]


def gold(article):
    return sorted(
        Span.objects.filter(article=article, annotator__isnull=True).values_list(
            "start", "end", "label__key", "text"
        )
    )


def test_groups_identical_spans_and_names_who_marked_them(setup):
    _, article, (cleo, abe, bea), _ = setup
    family = "👨‍👩‍👧 families"
    mark(article, cleo, family)
    mark(article, abe, family)
    mark(article, bea, family, label="fear")  # same offsets, other label: another group
    mark(article, bea, "e\u0300vil")
    mark(article, None, "שקרנים")  # gold only

    groups = review.group_spans(article)

    start, end = at(article.text, family)
    assert [(g["start"], g["end"], g["label"], g["count"]) for g in groups] == sorted(
        [
            (start, end, "fear", 1),
            (start, end, "loaded", 2),
            (*at(article.text, "e\u0300vil"), "loaded", 1),
            (*at(article.text, "שקרנים"), "loaded", 0),
        ]
    )
    agreed = next(g for g in groups if g["label"] == "loaded" and g["start"] == start)
    assert [a["username"] for a in agreed["annotators"]] == ["abe", "cleo"]
    assert agreed["text"] == family
    assert agreed["gold"] is None
    assert next(g for g in groups if g["count"] == 0)["gold"] is not None
    assert [a["username"] for a in review.annotators_of(article)] == ["abe", "bea", "cleo"]


def test_accept_is_idempotent_and_reject_removes_and_remembers(setup):
    _, article, (cleo, *_), reviewer = setup
    span = mark(article, cleo, "💥 catastrophe")
    first, created = review.accept(article, span.start, span.end, "loaded", reviewer)
    again, created_again = review.accept(article, span.start, span.end, "loaded", reviewer)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert gold(article) == [(span.start, span.end, "loaded", "💥 catastrophe")]
    curation = Curation.objects.get(article=article)
    assert (curation.status, curation.reviewer) == (CurationStatus.IN_PROGRESS, reviewer)

    assert review.reject(article, span.start, span.end, "loaded", reviewer) is True
    assert gold(article) == []
    assert review.group_spans(article)[0]["rejected"] is True
    assert review.reject(article, span.start, span.end, "loaded", reviewer) is False
    assert Curation.objects.get(article=article).rejected == [[span.start, span.end, "loaded"]]

    review.accept(article, span.start, span.end, "loaded", reviewer)  # changes its mind
    assert Curation.objects.get(article=article).rejected == []


def test_accept_an_edited_candidate_checks_offsets_and_label(setup):
    _, article, (cleo, *_), reviewer = setup
    span = mark(article, cleo, "Ñandú")
    review.accept(article, span.start - 1, span.end + 1, "fear", reviewer)  # with the quotes
    assert gold(article) == [(span.start - 1, span.end + 1, "fear", "«Ñandú»")]
    with pytest.raises(SpanError) as error:
        review.accept(article, 5, len(article.text) + 1, "fear", reviewer)
    assert "end" in error.value.body
    with pytest.raises(SpanError) as error:
        review.accept(article, 0, 3, "gone", reviewer)
    assert "retired" in error.value.body["label"][0]
    with pytest.raises(SpanError) as error:
        review.set_status(article, "finished", reviewer)
    assert "status" in error.value.body


def test_auto_accept_promotes_exactly_the_groups_with_k_identical_marks(setup):
    project, article, (cleo, abe, bea), reviewer = setup
    second = Article.objects.create(project=project, external_id="u2", text=article.text)
    for user in (cleo, abe, bea):
        mark(article, user, "🔥 news")  # 3 marks
    mark(article, cleo, "Cafe\u0301")
    mark(article, abe, "Cafe\u0301")  # 2 marks
    mark(article, bea, "Cafe\u0301 owners")  # overlaps, different end: 1 mark
    mark(article, abe, "الحرب")
    mark(article, bea, "الحرب", label="fear")  # same text, different labels: 1 + 1
    mark(second, cleo, "Price\u00a0rises")
    mark(second, bea, "Price\u00a0rises")
    rejected = mark(second, abe, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    mark(second, bea, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    review.reject(second, rejected.start, rejected.end, "loaded", reviewer)

    result = review.auto_accept([article, second.pk], 2, reviewer)

    assert (result.promoted, result.skipped) == (3, 0)
    assert [row[3] for row in gold(article)] == ["🔥 news", "Cafe\u0301"]
    assert [row[3] for row in gold(second)] == ["Price\u00a0rises"]
    assert review.auto_accept([article, second], 2, reviewer).promoted == 0  # idempotent
    assert review.auto_accept([article], 3, reviewer).promoted == 0
    assert review.auto_accept([article], 1, reviewer).promoted == 3  # the single marks
    assert len(gold(article)) == 5


def test_auto_accept_skips_groups_that_would_overlap_gold_where_forbidden(setup):
    project, article, (cleo, abe, _), reviewer = setup
    project.allow_overlap = False
    project.save()
    mark(article, None, "news")  # gold already has an overlapping span
    mark(article, cleo, "🔥 news")
    mark(article, abe, "🔥 news")
    mark(article, cleo, "עברית")
    mark(article, abe, "עברית")
    result = review.auto_accept([article], 2, reviewer)
    assert (result.promoted, result.skipped) == (1, 1)
    assert [row[3] for row in gold(article)] == ["news", "עברית"]


def test_auto_accept_refuses_a_bad_k_and_stores_nothing(setup):
    _, article, (cleo, abe, _), reviewer = setup
    mark(article, cleo, "news")
    mark(article, abe, "news")
    for k in (0, "2", 1.5, True):
        with pytest.raises(SpanError) as error:
            review.auto_accept([article], k, reviewer)
        assert "k" in error.value.body
    assert gold(article) == []
