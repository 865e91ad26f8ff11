"""seed_demo: the demo project, its articles (seed + Unicode demos), users, roles, assignments."""

import io
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from annotator.annotations.models import Span
from annotator.corpus.demo import DEMO_USERS, PROJECT_SLUG
from annotator.corpus.models import Article, Assignment, Membership, Project
from annotator.schemas.models import Label, LabelSchema, SchemaChange
from annotator.schemas.services import save_label

pytestmark = pytest.mark.django_db

FIXTURES = Path(django_settings.BASE_DIR) / "fixtures"
DEMO_FILES = sorted((FIXTURES / "demo").glob("*.txt"))
ZWJ = "\u200d"


@pytest.fixture(autouse=True)
def dev_settings(settings):
    # pytest-django runs tests with DEBUG off; seed_demo is a development command.
    settings.DEBUG = True
    # The demo users get real passwords; PBKDF2 would cost about a second each here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    """Every row seed_demo writes, with the fields that would change on a second run."""
    user_model = get_user_model()
    return {
        "projects": list(Project.objects.values()),
        "schemas": list(LabelSchema.objects.values()),
        "labels": list(Label.objects.values()),
        "history": SchemaChange.objects.count(),
        "articles": list(Article.objects.values()),
        "users": list(user_model.objects.values()),
        "memberships": list(Membership.objects.values()),
        "assignments": list(Assignment.objects.values()),
    }


def test_demo_files_exercise_unicode():
    texts = {path.stem: path.read_text(encoding="utf-8") for path in DEMO_FILES}
    assert 3 <= len(texts) <= 4
    assert all("\r" not in text for text in texts.values())
    joined = "".join(texts.values())
    assert ZWJ in joined
    assert any(unicodedata.bidirectional(c) in ("R", "AL") for c in joined)
    assert any(unicodedata.combining(c) for c in joined)
    assert any(ord(c) > 0xFFFF for c in joined)
    unicode_demo = texts["demo-unicode"]
    assert unicode_demo.startswith("Unicode demo article")
    assert ZWJ in unicode_demo
    assert "\u00a0" in unicode_demo


def test_seed_demo_creates_the_demo_project():
    out = seed()
    project = Project.objects.get(slug=PROJECT_SLUG)
    assert project.name == "Propaganda demo"
    keys = set(project.schema.labels.values_list("key", flat=True))
    assert len(keys) == 18
    assert {"inserted_phrase", "image_miscaption", "loaded_language"} <= keys
    hotkeys = list(project.schema.labels.values_list("hotkey", flat=True))
    assert len(set(hotkeys)) == 18

    articles = {a.external_id: a for a in project.articles.all()}
    assert set(articles) == {"seed"} | {path.stem for path in DEMO_FILES}
    for path in DEMO_FILES:
        article = articles[path.stem]
        assert article.text.encode("utf-8") == path.read_bytes()
        assert article.title == article.text.split("\n", 1)[0]

    user_model = get_user_model()
    for demo in DEMO_USERS:
        user = user_model.objects.get(username=demo.username)
        assert user.check_password(demo.password)
        assert Membership.objects.get(user=user, project=project).role == demo.role
        assert f"{demo.username}" in out
        assert demo.password in out
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert Membership.objects.get(user=admin, project=project).role == "manager"
    assert not user_model.objects.get(username="annotator1").is_staff

    pairs = set(Assignment.objects.values_list("article__external_id", "annotator__username"))
    assert pairs == {(ext, u) for ext in articles for u in ("annotator1", "annotator2")}
    assert all(a.status == "todo" for a in Assignment.objects.all())
    assert f"Articles: {len(articles)} created, 0 updated, 0 unchanged." in out


def test_seed_article_is_byte_identical_to_the_fixture():
    seed()
    article = Article.objects.get(project__slug=PROJECT_SLUG, external_id="seed")
    raw = (FIXTURES / "seed-article.txt").read_bytes()
    assert b"\r" not in raw
    assert article.text.encode("utf-8") == raw
    assert article.text[0:15] == "Protecting ISIS"
    assert (
        article.title
        == "Protecting ISIS, US Could be Headed for a Major Showdown With Iran and Russia in Syria"
    )
    # The no-break spaces mark where the article was edited; they must survive the import.
    assert article.text.count("\u00a0") == raw.decode("utf-8").count("\u00a0") > 0
    caption = "A picture is worth\u00a0a thousand words: ISIS and US Army fighting side by side."
    assert caption in article.text
    assert article.text_sha256
    assert len(article.text_sha256) == 64


def test_demo_articles_take_code_point_spans():
    """A span after the ZWJ family in the Unicode demo article is stored by code points."""
    seed()
    article = Article.objects.get(external_id="demo-unicode")
    phrase = "these so-called families are paid actors"
    start = article.text.index(phrase)
    assert ZWJ in article.text[start - 10 : start]
    span = Span.objects.create(
        article=article,
        annotator=get_user_model().objects.get(username="annotator1"),
        label=article.project.schema.labels.get(key="loaded_language"),
        start=start,
        end=start + len(phrase),
        text=phrase,
    )
    span.refresh_from_db()
    assert article.text[span.start : span.end] == span.text == phrase


def test_seed_demo_twice_changes_nothing():
    seed()
    before = snapshot()
    out = seed()
    assert snapshot() == before
    assert "Articles: 0 created, 0 updated" in out
    assert "Memberships created: 0; assignments created: 0." in out
    assert "0 label(s) created, 0 updated" in out


def test_seed_demo_restores_a_fixture_article_without_spans_and_keeps_one_with_spans():
    seed()
    edited = Article.objects.get(external_id="demo-rtl-ceasefire")
    edited.text = "changed"
    edited.save()
    out = seed()
    edited.refresh_from_db()
    assert (
        edited.text.encode("utf-8") == (FIXTURES / "demo" / "demo-rtl-ceasefire.txt").read_bytes()
    )
    assert "1 updated" in out

    article = Article.objects.get(external_id="seed")
    Span.objects.create(
        article=article,
        annotator=get_user_model().objects.get(username="annotator2"),
        label=article.project.schema.labels.get(key="inserted_phrase"),
        start=0,
        end=15,
        text="Protecting ISIS",
    )
    Article.objects.filter(pk=article.pk).update(title="Other title")
    err = io.StringIO()
    call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    assert "article 'seed' differs" in err.getvalue()
    assert Article.objects.get(pk=article.pk).title == "Other title"


def test_seed_demo_keeps_a_changed_password():
    seed()
    user = get_user_model().objects.get(username="reviewer")
    user.set_password("my own secret")
    user.save()
    out = seed()
    user.refresh_from_db()
    assert user.check_password("my own secret")
    assert "reviewer" in out
    assert "(its own password, not reset)" in out


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG") as exc:
        seed()
    assert "published" in str(exc.value)
    assert not get_user_model().objects.exists()
    assert not Project.objects.exists()
    assert not LabelSchema.objects.exists()


def test_seed_demo_keeps_labels_someone_edited_and_says_so():
    """#14: `make run` (seed_demo) silently reverted admin edits to the demo labels."""
    seed()
    admin = get_user_model().objects.get(username="admin")
    label = Label.objects.get(key="loaded_language")
    label.name, label.color = "Loaded words", "#123456"
    save_label(label, user=admin)
    untouched = Label.objects.get(key="doubt")
    Label.objects.filter(pk=untouched.pk).update(name="Changed behind the history's back")
    out = seed()
    label.refresh_from_db()
    assert (label.name, label.color) == ("Loaded words", "#123456")
    assert "label 'loaded_language' was edited by someone: kept as it is" in out
    # A change nobody recorded is not an edit by someone: the preset wins, as before.
    assert Label.objects.get(pk=untouched.pk).name == "Doubt"
    assert "'doubt'" not in out
