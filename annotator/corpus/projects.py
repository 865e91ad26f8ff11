"""Creating, editing and archiving projects, and who may edit a project's label schema.

Who creates projects: staff, and users given the ``corpus.add_project`` permission (in the
admin, for a user or a group); the creator becomes the project's first manager. A new project's
schema is always its own unless sharing is asked for by name: from presets, from a schema file,
as a copy of another project's schema, or (on purpose) the very schema of another project that
the creator manages. A shared schema is edited only by someone who manages every project that
uses it, since an edit changes all of them.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from annotator.core.text import normalize_text
from annotator.corpus.models import Membership, Project, Role
from annotator.schemas.editing import schema_copy, schema_from_file, schema_from_presets
from annotator.schemas.models import LabelSchema

CREATE_PERMISSION = "corpus.add_project"
TEXT_FIELDS = ("description", "guidelines")
FLAGS = (
    "annotators_per_article",
    "allow_overlap",
    "show_suggestions",
    "recommendations",
    "active_ordering",
)
SETTINGS = ("name", *TEXT_FIELDS, *FLAGS)
SCHEMA_SOURCES = ("presets", "schema_file", "copy_from", "share_with")


def can_create_projects(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.has_perm(CREATE_PERMISSION)))


def projects_sharing(schema: LabelSchema):
    return Project.objects.filter(schema=schema).order_by("name", "pk")


def schema_edit_problem(user, project: Project) -> str | None:
    """Why ``user`` may not edit ``project``'s schema (None: they may). The caller has already
    checked that they manage ``project``; a shared schema also needs every other project."""
    if user.is_superuser:
        return None
    others = projects_sharing(project.schema).exclude(pk=project.pk)
    managed = set(
        Membership.objects.filter(
            user_id=user.pk, project__in=others, role=Role.MANAGER
        ).values_list("project_id", flat=True)
    )
    not_mine = [p.name for p in others if p.pk not in managed]
    if not_mine:
        return (
            "This schema is shared with projects you do not manage ("
            + ", ".join(not_mine)
            + "): an edit would change them too. Ask their managers, or an admin."
        )
    return None


def _text(data: dict[str, Any], field: str) -> str:
    return normalize_text(data.get(field) or "")


def _resolve_schema(user, source: dict[str, Any], name: str) -> LabelSchema:
    """The new project's schema; errors are all keyed ``schema`` (the request's field)."""
    try:
        return _schema_from(user, source, name)
    except ValidationError as error:
        raise ValidationError({"schema": error.messages}) from None


def _schema_from(user, source: dict[str, Any], name: str) -> LabelSchema:
    given = [key for key in SCHEMA_SOURCES if source.get(key)]
    if given == [] and "presets" in source:
        raise ValidationError("Choose at least one preset.")
    if len(given) != 1:
        raise ValidationError(
            "Start the labels from exactly one of: presets, a schema file, a copy "
            "of another project's schema, or another project's schema shared."
        )
    kind = given[0]
    if kind == "presets":
        return schema_from_presets(list(source["presets"]), name=f"{name} labels", user=user)
    if kind == "schema_file":
        return schema_from_file(source["schema_file"], name=f"{name} labels", user=user)
    other = _other_project(user, source[kind], manager=kind == "share_with")
    if kind == "copy_from":
        return schema_copy(other.schema, name=f"{name} labels", user=user)
    return other.schema


def _other_project(user, slug: str, *, manager: bool) -> Project:
    """A project the user may take labels from: one they are a member of (a manager of, to
    share its schema, since their edits would change it)."""
    project = Project.objects.select_related("schema").filter(slug=slug).first()
    if project is not None and (
        user.is_superuser
        or Membership.objects.filter(
            user_id=user.pk, project=project, **({"role": Role.MANAGER} if manager else {})
        ).exists()
    ):
        return project
    needed = "you manage" if manager else "you are a member of"
    raise ValidationError(f"No project {slug!r} that {needed}.")


def project_create(*, user, data: dict[str, Any], schema_source: dict[str, Any]) -> Project:
    """A new project with its schema and its creator as manager; all or nothing."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": ["A project needs a name."]})
    slug = data.get("slug") or slugify(name)[:100]
    if not slug:
        raise ValidationError({"slug": ["Give a slug: letters, digits, '-' or '_'."]})
    try:
        with transaction.atomic():
            if Project.objects.filter(slug=slug).exists():
                raise ValidationError({"slug": [f"A project {slug!r} exists already."]})
            schema = _resolve_schema(user, schema_source, name)
            project = Project.objects.create(
                slug=slug,
                name=name,
                description=_text(data, "description"),
                guidelines=_text(data, "guidelines"),
                schema=schema,
                **{key: data[key] for key in FLAGS if data.get(key) is not None},
            )
            Membership.objects.create(user=user, project=project, role=Role.MANAGER)
    except IntegrityError:  # the same slug created concurrently
        raise ValidationError({"slug": [f"A project {slug!r} exists already."]}) from None
    return project


def project_update(*, project: Project, data: dict[str, Any]) -> Project:
    """Change the project's settings given in ``data``; ``archived`` archives or restores it."""
    fields = []
    for key in SETTINGS:
        if key not in data or data[key] is None:
            continue
        value = _text(data, key) if key in TEXT_FIELDS else data[key]
        if key == "name":
            value = value.strip()
            if not value:
                raise ValidationError({"name": ["A project needs a name."]})
        setattr(project, key, value)
        fields.append(key)
    archived = data.get("archived")
    if archived is not None and bool(archived) != (project.archived_at is not None):
        project.archived_at = timezone.now() if archived else None
        fields.append("archived_at")
    if fields:
        project.save(update_fields=fields)
    return project
