"""The demo project (``manage.py seed_demo``): dev only, since its users have published passwords.

Creates project ``propaganda-demo`` with the manipulation + SemEval-2020 labels, the seed
article (fixtures/seed-article.txt) and the demo articles (fixtures/demo/*.txt), five users
with their roles, and an assignment of every demo article to both annotators. Running it again
changes nothing: rows are matched by their natural keys and saved only when they differ, and a
label someone edited since (the schema history names a user) is kept as it is.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from annotator.core.text import decode_utf8, normalize_text
from annotator.corpus.models import Assignment
from annotator.schemas.history import labels_edited_by_people
from annotator.schemas.models import LabelSchema
from annotator.schemas.services import load_schema_report

from .models import Article, Membership, Project, Role

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SEED_ARTICLE = FIXTURES_DIR / "seed-article.txt"
# The seed article before its manipulation (its insertions removed): diff suggestions show them.
SEED_ORIGINAL = FIXTURES_DIR / "seed-article.original.txt"
ORIGINALS = {"seed": SEED_ORIGINAL}
DEMO_ARTICLES_DIR = FIXTURES_DIR / "demo"

PROJECT_SLUG = "propaganda-demo"
PROJECT_NAME = "Propaganda demo"
SCHEMA_PRESETS = ["manipulation", "semeval2020"]
SCHEMA_NAME = "Propaganda demo: manipulation + SemEval-2020"
GUIDELINES = """\
Mark the exact words that carry a technique, nothing more: no leading or trailing spaces.

- **Manipulation edits**: text inserted into or substituted in a copied article, captions that
  misdescribe a picture, framing the facts do not support.
- **SemEval-2020 techniques**: one label per technique; overlapping spans are fine.

Use the keys shown next to each label; mark the article Done when you have read all of it.
"""


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    superuser: bool = False


# Published in this repository: for local development only (refused when DEBUG is off).
DEMO_USERS = (
    DemoUser("admin", "demo-admin", Role.MANAGER, superuser=True),
    DemoUser("annotator1", "demo-annotator1", Role.ANNOTATOR),
    DemoUser("annotator2", "demo-annotator2", Role.ANNOTATOR),
    DemoUser("reviewer", "demo-reviewer", Role.REVIEWER),
    DemoUser("researcher", "demo-researcher", Role.RESEARCHER),
)


class DemoRefused(ValueError):
    pass


@dataclass
class SeedReport:
    project: Project
    project_created: bool = False
    schema_labels_created: int = 0
    schema_labels_updated: int = 0
    schema_labels_kept: list[str] = field(default_factory=list)  # edited by someone: not reset
    articles_created: list[str] = field(default_factory=list)
    articles_updated: list[str] = field(default_factory=list)
    articles_unchanged: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    # Existing users whose password is no longer the demo one: left alone, not reset.
    users_with_own_password: list[str] = field(default_factory=list)
    memberships_created: int = 0
    assignments_created: int = 0
    warnings: list[str] = field(default_factory=list)


def read_article_file(path: Path) -> tuple[str, str]:
    """(title, text) of a plain-text article: UTF-8, CRLF/CR -> LF, title = first line.

    The text is the whole file, title line included, as in the PTC/SemEval corpora.
    """
    text = normalize_text(decode_utf8(path.read_bytes()))
    return text.split("\n", 1)[0].strip(), text


def demo_article_files() -> list[tuple[str, Path]]:
    """(external_id, path) of the seed article and every fixtures/demo/*.txt, in order."""
    return [("seed", SEED_ARTICLE)] + [
        (path.stem, path) for path in sorted(DEMO_ARTICLES_DIR.glob("*.txt"))
    ]


def seed_demo() -> SeedReport:
    if not settings.DEBUG:
        raise DemoRefused(
            "seed_demo creates users whose passwords are published in this repository "
            "(admin/demo-admin, ...), so it only runs with DEBUG on (DJANGO_DEBUG=1, development). "
            "On a real server create users with `manage.py createsuperuser` instead."
        )
    with transaction.atomic():
        # Labels someone edited (the admin) are theirs now: never reset to the presets.
        schema = LabelSchema.objects.filter(name=SCHEMA_NAME).first()
        edited = labels_edited_by_people(schema) if schema else set()
        schema_report = load_schema_report(SCHEMA_PRESETS, name=SCHEMA_NAME, keep=edited)
        project, created = Project.objects.get_or_create(
            slug=PROJECT_SLUG,
            defaults={
                "name": PROJECT_NAME,
                "schema": schema_report.schema,
                "guidelines": GUIDELINES,
                "annotators_per_article": 2,
                "description": "Demo project: the manipulated seed article and Unicode samples.",
            },
        )
        report = SeedReport(
            project=project,
            project_created=created,
            schema_labels_created=len(schema_report.created),
            schema_labels_updated=len(schema_report.updated),
            schema_labels_kept=schema_report.kept,
        )
        if project.schema_id != schema_report.schema.pk:
            report.warnings.append(
                f"project {PROJECT_SLUG!r} uses schema {project.schema.name!r}, "
                f"not {SCHEMA_NAME!r}; left as it is."
            )
        articles = [
            _seed_article(project, ext_id, path, report) for ext_id, path in demo_article_files()
        ]
        users = {demo.username: _seed_user(demo, report) for demo in DEMO_USERS}
        for demo in DEMO_USERS:
            membership, created = Membership.objects.get_or_create(
                user=users[demo.username], project=project, defaults={"role": demo.role}
            )
            report.memberships_created += created
            if membership.role != demo.role:
                membership.role = demo.role
                membership.save(update_fields=["role"])
        annotators = [users[d.username] for d in DEMO_USERS if d.role == Role.ANNOTATOR]
        for article in articles:
            for annotator in annotators:
                _, created = Assignment.objects.get_or_create(article=article, annotator=annotator)
                report.assignments_created += created
    return report


def _seed_article(project: Project, external_id: str, path: Path, report: SeedReport) -> Article:
    title, text = read_article_file(path)
    original = read_article_file(ORIGINALS[external_id])[1] if external_id in ORIGINALS else ""
    relative = str(path.relative_to(settings.BASE_DIR))
    article, created = Article.objects.get_or_create(
        project=project,
        external_id=external_id,
        defaults={
            "title": title,
            "text": text,
            "original_text": original,
            "metadata": {"fixture": relative},
        },
    )
    if created:
        report.articles_created.append(external_id)
    elif article.text != text or article.title != title:
        if article.spans.exists():
            report.warnings.append(
                f"article {external_id!r} differs from {relative} but has spans; left as it is."
            )
            report.articles_unchanged.append(external_id)
        else:
            article.title, article.text, article.original_text = title, text, original
            article.save()
            report.articles_updated.append(external_id)
    elif article.original_text != original:
        # The original never moves spans: restored even when the article has some.
        article.original_text = original
        article.save(update_fields=["original_text"])
        report.articles_updated.append(external_id)
    else:
        report.articles_unchanged.append(external_id)
    return article


def _seed_user(demo: DemoUser, report: SeedReport):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=demo.username)
    if created:
        user.set_password(demo.password)
        user.email = f"{demo.username}@example.invalid"
        report.users_created.append(demo.username)
    elif not user.check_password(demo.password):
        report.users_with_own_password.append(demo.username)
    # Grant what the demo needs; never take away rights someone gave these users since.
    flags = ["is_active"] + (["is_staff", "is_superuser"] if demo.superuser else [])
    changed = [name for name in flags if not getattr(user, name)]
    for name in changed:
        setattr(user, name, True)
    if created or changed:
        user.save()
    return user
