"""Rules the database enforces itself (SQLite and PostgreSQL alike), and model invariants."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.db.models.functions import Length

from annotator.annotations.models import Span
from annotator.core.text import text_checksum
from annotator.corpus.models import Article, ArticleImage, ArticleTextLocked, Assignment, Project
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db
User = get_user_model()
TEXT = "Protecting\u00a0ISIS while U.S.-led coalition protects them."

on_postgresql = pytest.mark.postgres  # the text trigger exists on PostgreSQL only


@pytest.fixture
def label():
    schema = LabelSchema.objects.create(name="Propaganda")
    return Label.objects.create(
        schema=schema, key="loaded_language", name="Loaded language", hotkey="1"
    )


@pytest.fixture
def project(label):
    return Project.objects.create(slug="news", name="News", schema=label.schema)


@pytest.fixture
def article(project):
    return Article.objects.create(project=project, external_id="a1", title="A1", text=TEXT)


def refused(constraint: str | None = None):
    """Expect the database to refuse the write, naming the check constraint when given."""
    return pytest.raises(IntegrityError, match=constraint)


def span(article, label, start, end, text, **extra):
    # transaction.atomic: the refused INSERT must not break the test's outer transaction.
    with transaction.atomic():
        return Span.objects.create(
            article=article, label=label, start=start, end=end, text=text, **extra
        )


# --- constraints ----------------------------------------------------------------------------


def test_a_valid_span_is_stored(article, label):
    stored = span(article, label, 0, 15, TEXT[:15])
    assert Span.objects.get(pk=stored.pk).text == "Protecting\u00a0ISIS"


def test_negative_start_is_refused(article, label):
    # end - start == len(text), so only the start checks can refuse it.
    with refused():
        span(article, label, -1, 2, "abc")
    assert not Span.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5)])
def test_end_not_after_start_is_refused(article, label, start, end):
    with refused("span_start_before_end"):
        span(article, label, start, end, "")


@pytest.mark.parametrize("text", ["Protectin", "Protecting ", ""])
def test_text_snapshot_length_must_match_offsets(article, label, text):
    with refused("span_text_length_matches_offsets"):
        span(article, label, 0, 10, text)


def test_duplicate_client_id_is_refused(article, label):
    client_id = uuid.uuid4()
    span(article, label, 0, 10, TEXT[:10], client_id=client_id)
    with refused():
        span(article, label, 11, 15, TEXT[11:15], client_id=client_id)
    # Spans without a client id do not collide with each other.
    span(article, label, 11, 15, TEXT[11:15])
    span(article, label, 16, 21, TEXT[16:21])
    assert Span.objects.count() == 3


@pytest.mark.parametrize("layer", ["gold", "annotator"])
def test_identical_span_in_a_layer_is_refused(article, label, layer):
    ann = User.objects.create_user("ann")
    annotator = ann if layer == "annotator" else None
    span(article, label, 0, 10, TEXT[:10], annotator=annotator)
    with refused():
        span(article, label, 0, 10, TEXT[:10], annotator=annotator)
    # The same range with another label, or in another layer, is another span.
    other = Label.objects.create(schema=label.schema, key="doubt", name="Doubt", hotkey="2")
    span(article, other, 0, 10, TEXT[:10], annotator=annotator)
    span(article, label, 0, 10, TEXT[:10], annotator=None if annotator else ann)
    assert Span.objects.count() == 3


def test_duplicate_assignment_is_refused(article):
    ann = User.objects.create_user("ann")
    Assignment.objects.create(article=article, annotator=ann)
    with refused(), transaction.atomic():
        Assignment.objects.create(article=article, annotator=ann, status="done")
    assert Assignment.objects.get().status == "todo"


def test_external_id_is_unique_within_a_project_only(article, project):
    with refused(), transaction.atomic():
        Article.objects.create(project=project, external_id="a1", text="other")
    other = Project.objects.create(slug="other", name="Other", schema=project.schema)
    assert Article.objects.create(project=other, external_id="a1", text="other").pk


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5), (5, None), (None, 5)])
def test_invalid_image_caption_range_is_refused(article, start, end):
    with refused("image_caption_range_valid"), transaction.atomic():
        ArticleImage.objects.create(
            article=article, url="https://example.org/a.jpg", caption_start=start, caption_end=end
        )
    assert not ArticleImage.objects.exists()


def test_image_caption_range(article):
    image = ArticleImage.objects.create(
        article=article, url="https://example.org/a.jpg", caption_start=0, caption_end=15
    )
    assert image.caption == "Protecting\u00a0ISIS"


# --- Unicode offsets ------------------------------------------------------------------------

PHRASES = [
    "🔥",
    "👨‍👩‍👧 families",
    "Cafe\u0301",
    "e\u0300vil",
    "«Ñandú»",
    "الحرب عادلة\u00a0تماما",
    "הם שקרנים",
    "Price\u00a0rises",
    "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
]


def test_spans_over_unicode_text_count_code_points(project, label, unicode_sample):
    article = Article.objects.create(project=project, external_id="u", text=unicode_sample)
    for phrase in PHRASES:
        start = unicode_sample.index(phrase)
        span(article, label, start, start + len(phrase), phrase)

    article = Article.objects.get(pk=article.pk)
    assert article.text == unicode_sample
    rows = Span.objects.filter(article=article).annotate(db_length=Length("text"))
    assert sorted(row.text for row in rows) == sorted(PHRASES)
    for row in rows:
        assert row.text == article.text[row.start : row.end]
        assert len(row.text) == row.end - row.start == row.db_length


@pytest.mark.parametrize("phrase", ["🔥", "👨‍👩‍👧", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"])
def test_utf16_lengths_are_refused(project, label, unicode_sample, phrase):
    # A browser offset that was not converted counts UTF-16 units: the database says no.
    article = Article.objects.create(project=project, external_id="u", text=unicode_sample)
    start = unicode_sample.index(phrase)
    utf16_length = len(phrase.encode("utf-16-le")) // 2
    assert utf16_length != len(phrase)
    with refused("span_text_length_matches_offsets"):
        span(article, label, start, start + utf16_length, phrase)


# --- text immutability ----------------------------------------------------------------------


def test_text_checksum_is_maintained(article):
    assert article.text_sha256 == text_checksum(TEXT)
    article.text = "Corrected\u00a0text 🔥"
    article.save()
    article.refresh_from_db()
    assert article.text == "Corrected\u00a0text 🔥"
    assert article.text_sha256 == text_checksum("Corrected\u00a0text 🔥")


def test_text_is_immutable_once_the_article_has_spans(article, label):
    span(article, label, 0, 10, TEXT[:10])
    article.text = "Something else"
    with pytest.raises(ArticleTextLocked) as excinfo:
        article.save()
    assert "'a1' already has spans" in str(excinfo.value.message_dict["text"])
    stored = Article.objects.get(pk=article.pk)
    assert (stored.text, stored.text_sha256) == (TEXT, text_checksum(TEXT))

    # Other fields can still change.
    stored.title = "Renamed"
    stored.save()
    assert Article.objects.get(pk=article.pk).title == "Renamed"


def test_text_can_change_again_once_its_spans_are_gone(article, label):
    span(article, label, 0, 10, TEXT[:10])
    Span.objects.all().delete()
    article.text = "New"
    article.save()
    assert Article.objects.get(pk=article.pk).text == "New"


@on_postgresql
def test_postgresql_trigger_stops_queryset_update_of_locked_text(article, label, project):
    span(article, label, 0, 10, TEXT[:10])
    with refused("has spans: its text is immutable"), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(text="bypass")
    assert Article.objects.get(pk=article.pk).text == TEXT

    # Updates that keep the text, and articles without spans, are not affected.
    Article.objects.filter(pk=article.pk).update(title="T", text=TEXT)
    free = Article.objects.create(project=project, external_id="free", text="x")
    Article.objects.filter(pk=free.pk).update(text="y")
    assert Article.objects.get(pk=free.pk).text == "y"
    assert Article.objects.get(pk=article.pk).title == "T"


# --- labels ---------------------------------------------------------------------------------


def test_label_key_is_immutable(label):
    label.key = "renamed"
    with pytest.raises(ValidationError, match="immutable"):
        label.save()
    assert Label.objects.get(pk=label.pk).key == "loaded_language"
    label.key = "loaded_language"
    label.name = "Loaded words"
    label.save()
    assert Label.objects.get(pk=label.pk).name == "Loaded words"


def test_a_label_in_use_cannot_be_deleted(article, label):
    span(article, label, 0, 10, TEXT[:10])
    with pytest.raises(ProtectedError):
        label.delete()
    assert Label.objects.filter(pk=label.pk).exists()
    assert Span.objects.count() == 1


def test_an_unused_label_can_be_deleted(label):
    label.delete()
    assert not Label.objects.exists()


def test_a_schema_in_use_by_a_project_cannot_be_deleted(project):
    with pytest.raises(ProtectedError):
        project.schema.delete()
    assert Project.objects.filter(pk=project.pk).exists()
