"""Label schema operations: load presets/files, export/import, edit, retire, merge.

The management commands, the admin and the API all call these functions, and every change
they make is recorded in the schema's history (SchemaChange) with the acting user.

Hotkeys: labels without one get the next free key of 1-9 then a-z, skipping the letters the
annotation page reserves (``spec.RESERVED_HOTKEYS``: d, s, n, u, z). Colours come from
``keys.PALETTE``. A label in use is never deleted: retire it or merge it into another label.
"""

from dataclasses import dataclass, field, fields, replace

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .history import (
    SCHEMA_FIELDS,
    Action,
    diff,
    label_snapshot,
    record_change,
)
from .keys import next_colour, next_hotkey
from .models import Label, LabelSchema
from .spec import (
    SCHEMA_FORMAT,
    SCHEMA_FORMAT_VERSION,
    TEXT_FIELDS,
    LabelSpec,
    SchemaError,
    SchemaSource,
    parse_schema_data,
    parse_source,
)

__all__ = [
    "Action",
    "LabelInUseError",
    "LabelMergeError",
    "SchemaError",
    "SchemaLoadReport",
    "delete_label",
    "export_schema",
    "import_schema",
    "import_schema_report",
    "load_schema",
    "load_schema_report",
    "merge_labels",
    "record_change",
    "retire_label",
    "save_label",
    "save_schema",
    "unretire_label",
]


class LabelInUseError(SchemaError):
    pass


class LabelMergeError(SchemaError):
    pass


@dataclass
class SchemaLoadReport:
    schema: LabelSchema
    schema_created: bool = False
    created: list[str] = field(default_factory=list)
    updated: dict[str, dict] = field(default_factory=dict)  # key -> {field: {before, after}}
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existing labels left as they are (``keep``)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.schema_created or bool(self.created or self.updated)


# --- loading and importing ---------------------------------------------------------------------


def load_schema(sources: str | list[str], *, name: str | None = None, user=None) -> LabelSchema:
    """Create or update the schema from presets and/or schema JSON files (merged in order)."""
    return load_schema_report(sources, name=name, user=user).schema


def load_schema_report(
    sources: str | list[str], *, name: str | None = None, user=None, keep=frozenset()
) -> SchemaLoadReport:
    """Load and report. Existing labels whose key is in ``keep`` are left exactly as they are
    (``report.kept``): the demo seed keeps the labels people edited."""
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        raise SchemaError("Name at least one preset or schema file.")
    parsed = [parse_source(source) for source in sources]  # validates all before writing
    return _apply_sources(parsed, name=name, user=user, keep=keep)


def import_schema(data: dict, *, name: str | None = None, user=None) -> LabelSchema:
    """Create or update a schema from an ``export_schema`` dict."""
    return import_schema_report(data, name=name, user=user).schema


def import_schema_report(
    data: dict, *, name: str | None = None, user=None, where: str = "imported schema"
) -> SchemaLoadReport:
    source = parse_schema_data(data, where)
    if not (name or source.title):
        raise SchemaError(f"{where}: no 'name'; give the schema a name.")
    return _apply_sources([source], name=name, user=user)


def export_schema(schema: LabelSchema) -> dict:
    """A JSON-ready dict that import_schema (and ``load_schema FILE``) reads back."""
    labels = schema.labels.select_related("merged_into").order_by("order", "id")
    return {
        "format": SCHEMA_FORMAT,
        "version": SCHEMA_FORMAT_VERSION,
        "name": schema.name,
        "description": schema.description,
        "labels": [{"key": label.key, **label_snapshot(label)} for label in labels],
    }


def _merge_specs(sources: list[SchemaSource]) -> list[LabelSpec]:
    """One spec per key; a later source's given fields override an earlier one's."""
    merged: dict[str, LabelSpec] = {}
    for source in sources:
        for spec in source.labels:
            if spec.key not in merged:
                merged[spec.key] = replace(spec)  # a copy: later sources change it
                continue
            for f in fields(spec):
                value = getattr(spec, f.name)
                if value is not None:
                    setattr(merged[spec.key], f.name, value)
    return list(merged.values())


def _apply_sources(
    sources: list[SchemaSource], *, name: str | None, user, keep=frozenset()
) -> SchemaLoadReport:
    specs = _merge_specs(sources)
    schema_name = (name or " + ".join(source.title for source in sources)).strip()
    if not schema_name:
        raise SchemaError("The schema needs a name.")
    with transaction.atomic():
        schema, created = LabelSchema.objects.get_or_create(
            name=schema_name,
            defaults={"description": "\n".join(s.description for s in sources if s.description)},
        )
        # Serialise concurrent loads into the same schema.
        schema = LabelSchema.objects.select_for_update().get(pk=schema.pk)
        report = SchemaLoadReport(schema=schema, schema_created=created)
        existing = {label.key: label for label in schema.labels.select_related("merged_into")}
        before = {key: label_snapshot(label) for key, label in existing.items()}
        kept = {spec.key for spec in specs if spec.key in keep and spec.key in existing}
        report.kept = [spec.key for spec in specs if spec.key in kept]
        changing = [spec for spec in specs if spec.key not in kept]
        hotkeys = _plan_hotkeys(changing, existing, report.warnings)
        labels = _labels_as_specified(schema, specs, existing, kept, hotkeys)
        _save_labels(specs, labels, existing, before, kept)
        _record_label_changes(schema, sources, changing, labels, before, report, user)
        if report.changed:
            record_change(
                schema,
                Action.SCHEMA_IMPORTED,
                user=user,
                detail={
                    "sources": [s.where for s in sources],
                    "schema_created": created,
                    "created": report.created,
                    "updated": sorted(report.updated),
                    "unchanged": len(report.unchanged),
                    "warnings": report.warnings,
                },
            )
            schema.save(update_fields=["updated_at"])
    return report


def _labels_as_specified(schema, specs, existing, kept, hotkeys) -> dict[str, Label]:
    """Every label of the schema after the load, unsaved: existing ones changed in memory,
    new ones built (a new label without a colour gets the palette's next free one)."""
    used_colours = {label.color.lower() for label in existing.values()}
    labels: dict[str, Label] = dict(existing)
    for position, spec in enumerate(specs):
        if spec.key in kept:
            continue
        label = existing.get(spec.key) or Label(schema=schema, key=spec.key)
        for attr in TEXT_FIELDS:
            value = getattr(spec, attr)
            if value is not None:
                setattr(label, attr, value)
        label.order = spec.order if spec.order is not None else position
        if spec.retired is not None:
            label.retired = spec.retired
        if spec.color is not None:
            label.color = spec.color
        elif label.pk is None:
            label.color = next_colour(used_colours, position)
        used_colours.add(label.color)
        label.hotkey = hotkeys[spec.key]
        labels[spec.key] = label
    return labels


def _save_labels(specs, labels, existing, before, kept) -> None:
    # Free changed hotkeys first so that swaps never trip the unique constraint mid-way.
    moving = {key for key, lbl in existing.items() if before[key]["hotkey"] != lbl.hotkey}
    if moving:
        Label.objects.filter(pk__in=[existing[key].pk for key in moving]).update(hotkey="")
    for spec in specs:
        label = labels[spec.key]
        if label.pk is None or spec.key in moving or label_snapshot(label) != before[spec.key]:
            label.save()
    # Merge links last: their targets may be labels created just above.
    for spec in specs:
        label, target = labels[spec.key], spec.merged_into
        if spec.key in kept or target is None or label.merged_into_id == labels[target].pk:
            continue
        label.merged_into = labels[target]
        label.save(update_fields=["merged_into"])


def _record_label_changes(schema, sources, specs, labels, before, report, user) -> None:
    where = ", ".join(s.where for s in sources)
    for spec in specs:
        label = labels[spec.key]
        if spec.key not in before:
            report.created.append(spec.key)
            detail = {"source": where, "after": label_snapshot(label)}
            record_change(schema, Action.LABEL_ADDED, user=user, label_key=spec.key, detail=detail)
        elif changes := diff(before[spec.key], label_snapshot(label)):
            report.updated[spec.key] = changes
            detail = {"source": where, "changes": changes}
            record_change(schema, Action.LABEL_EDITED, user=user, label_key=spec.key, detail=detail)
        else:
            report.unchanged.append(spec.key)


def _plan_hotkeys(specs: list[LabelSpec], existing: dict[str, Label], warnings: list[str]):
    """The hotkey each spec's label ends up with, never colliding within the schema.

    Labels keeping their hotkey hold it first; then wanted hotkeys are claimed in order; a
    wanted hotkey already taken falls back to the label's current one or the next free one.
    """
    spec_keys = {spec.key for spec in specs}
    wanted: dict[str, str | None] = {}
    for spec in specs:
        current = existing[spec.key].hotkey if spec.key in existing else None
        wanted[spec.key] = spec.hotkey if spec.hotkey is not None else current
    taken = {lbl.hotkey for key, lbl in existing.items() if key not in spec_keys and lbl.hotkey}
    plan: dict[str, str] = {}
    for spec in specs:
        hotkey = wanted[spec.key]
        if spec.key in existing and hotkey and hotkey == existing[spec.key].hotkey:
            plan[spec.key] = hotkey
            taken.add(hotkey)
    needs_auto = []
    for spec in specs:
        if spec.key in plan:
            continue
        hotkey = wanted[spec.key]
        if hotkey == "":
            plan[spec.key] = ""
        elif hotkey is None:
            needs_auto.append(spec.key)
        elif hotkey not in taken:
            plan[spec.key] = hotkey
            taken.add(hotkey)
        else:
            current = existing[spec.key].hotkey if spec.key in existing else ""
            if current and current not in taken:
                plan[spec.key] = current
                taken.add(current)
            else:
                needs_auto.append(spec.key)
            warnings.append(
                f"label {spec.key!r}: hotkey {hotkey!r} is taken by another label; "
                f"{'kept ' + repr(current) if spec.key in plan else 'assigned another'}."
            )
    for key in needs_auto:
        plan[key] = next_hotkey(taken)
        if plan[key]:
            taken.add(plan[key])
    return plan


# --- single edits (admin, API) -----------------------------------------------------------------


def save_schema(schema: LabelSchema, *, user=None) -> LabelSchema:
    """Save a new or edited schema (name, description), recording it."""
    with transaction.atomic():
        if schema.pk is None:
            schema.save()
            detail = {"after": _schema_values(schema)}
            record_change(schema, Action.SCHEMA_CREATED, user=user, detail=detail)
            return schema
        stored = LabelSchema.objects.select_for_update().get(pk=schema.pk)
        schema.save()
        if changes := diff(_schema_values(stored), _schema_values(schema)):
            record_change(schema, Action.SCHEMA_EDITED, user=user, detail={"changes": changes})
    return schema


def _schema_values(schema: LabelSchema) -> dict:
    return {f: getattr(schema, f) for f in SCHEMA_FIELDS}


def save_label(label: Label, *, user=None) -> Label:
    """Save a new or edited label, recording what changed.

    A new label without a hotkey or colour gets the next free one of its schema.
    """
    with transaction.atomic():
        if label.pk is None:
            siblings = Label.objects.filter(schema=label.schema_id)
            if not label.hotkey:
                taken = set(siblings.exclude(hotkey="").values_list("hotkey", flat=True))
                label.hotkey = next_hotkey(taken)
            if not label.color:
                used = {c.lower() for c in siblings.values_list("color", flat=True)}
                label.color = next_colour(used, siblings.count())
            label.save()
            record_change(
                label.schema,
                Action.LABEL_ADDED,
                user=user,
                label_key=label.key,
                detail={"after": label_snapshot(label)},
            )
            return label
        stored = (
            Label.objects.select_for_update(of=("self",))
            .select_related("merged_into")
            .get(pk=label.pk)
        )
        before = label_snapshot(stored)
        label.save()
        if changes := diff(before, label_snapshot(label)):
            action = Action.LABEL_EDITED
            if set(changes) == {"retired"}:
                action = Action.LABEL_RETIRED if label.retired else Action.LABEL_UNRETIRED
            record_change(
                label.schema, action, user=user, label_key=label.key, detail={"changes": changes}
            )
    return label


def delete_label(label: Label, *, user=None) -> None:
    """Delete an unused label; a label with spans raises LabelInUseError (retire or merge it)."""
    with transaction.atomic():
        if in_use := label.spans.count():
            raise LabelInUseError(
                f"Label {label.key!r} is used by {in_use} span(s) and cannot be deleted; "
                "retire it, or merge it into another label."
            )
        snapshot = label_snapshot(label)
        schema, key = label.schema, label.key
        label.delete()
        record_change(
            schema, Action.LABEL_DELETED, user=user, label_key=key, detail={"before": snapshot}
        )


def retire_label(label: Label, user=None) -> Label:
    """Hide a label from annotators; its spans stay as they are. No-op if already retired."""
    return _set_retired(label, True, user)


def unretire_label(label: Label, user=None) -> Label:
    return _set_retired(label, False, user)


def _set_retired(label: Label, retired: bool, user) -> Label:
    with transaction.atomic():
        label = (
            Label.objects.select_for_update(of=("self",)).select_related("schema").get(pk=label.pk)
        )
        if label.retired == retired:
            return label
        label.retired = retired
        label.save(update_fields=["retired"])
        record_change(
            label.schema,
            Action.LABEL_RETIRED if retired else Action.LABEL_UNRETIRED,
            user=user,
            label_key=label.key,
            detail={
                "changes": {"retired": {"before": not retired, "after": retired}},
                "spans": label.spans.count(),
            },
        )
    return label


def merge_labels(source: Label, target: Label, user=None) -> int:
    """Move every span of ``source`` to ``target`` and retire ``source``; returns spans moved.

    A span of ``source`` whose layer has the same range labelled ``target`` would become a
    twin of that span (which the database refuses): it is merged into it instead, its note
    appended to the note of the span that stays."""
    if source.schema_id != target.schema_id:
        raise LabelMergeError(
            f"Cannot merge label {source.key!r} (schema {source.schema.name!r}) into "
            f"{target.key!r} (schema {target.schema.name!r}): both must be in the same schema."
        )
    if source.pk == target.pk:
        raise LabelMergeError(f"Cannot merge label {source.key!r} into itself.")
    with transaction.atomic():
        locked = Label.objects.select_for_update(of=("self",)).select_related("merged_into")
        source = locked.get(pk=source.pk)
        target = locked.get(pk=target.pk)
        if target.retired:
            raise LabelMergeError(
                f"Cannot merge into {target.key!r}: it is retired; unretire it first."
            )
        twins = _merge_twins(source, target)
        # One UPDATE through the reverse relation (schemas sit below the annotations app); the
        # version bump makes clients holding the old span refetch it.
        moved = twins + source.spans.update(
            label=target, version=F("version") + 1, updated_at=timezone.now()
        )
        before = label_snapshot(source)
        source.retired = True
        source.merged_into = target
        source.save(update_fields=["retired", "merged_into"])
        record_change(
            source.schema,
            Action.LABEL_MERGED,
            user=user,
            label_key=source.key,
            detail={
                "into": target.key,
                "spans_moved": moved,
                "changes": diff(before, label_snapshot(source)),
            },
        )
    return moved


def _merge_twins(source: Label, target: Label) -> int:
    """Delete the spans of ``source`` that have a twin labelled ``target`` (same article, layer
    and range), appending their notes to the twin's; returns how many."""
    spans = target.spans.all()
    same = spans.filter(
        article_id=OuterRef("article_id"), start=OuterRef("start"), end=OuterRef("end")
    )
    twins = source.spans.filter(
        Q(Exists(same.filter(annotator_id=OuterRef("annotator_id"))))
        | Q(Exists(same.filter(annotator__isnull=True)), annotator__isnull=True)
    )
    for span in twins.exclude(note=""):
        layer = {"article_id": span.article_id, "annotator_id": span.annotator_id}
        kept = spans.get(**layer, start=span.start, end=span.end)
        if span.note not in kept.note:
            kept.note = f"{kept.note}\n{span.note}".lstrip("\n")
            kept.version += 1
            kept.save(update_fields=["note", "version", "updated_at"])
    return twins.delete()[0]
