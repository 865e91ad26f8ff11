"""Label edits one at a time, from the API and the manager console: validate, save, record.

Input is a dict of fields as a request gives them; every problem is a Django ``ValidationError``
keyed by the field (``{"hotkey": ["'d' is reserved ..."]}``), so the API answers it as a 400
naming the field and nothing is stored. The rules are those of schema files and the admin
(``spec``, ``forms``): keys are immutable and unique in the schema, hotkeys are one digit or
letter, unique in the schema and not reserved by the annotation page, colours are ``#rrggbb``;
a label in use is retired or merged, never deleted. New schemas for projects come from presets,
a schema file or a copy of another schema (``schema_from_*``), under a name no other schema has.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from annotator.core.text import normalize_text

from .colours import ColourClash, colour_clashes
from .history import LABEL_FIELDS, Action, label_snapshot, record_change
from .models import Label, LabelSchema, colour_validator, hotkey_validator, label_key_validator
from .services import (
    LabelInUseError,
    SchemaError,
    delete_label,
    import_schema_report,
    load_schema_report,
    merge_labels,
    save_label,
    save_schema,
)
from .spec import RESERVED_HOTKEYS, reserved_message

# Editable fields and their longest values (the model's, and a bound for the free texts).
TEXT_LIMITS = {
    "name": 200,
    "official_label": 200,
    "category": 100,
    "description": 20_000,
    "example": 20_000,
}


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _clean(schema: LabelSchema, data: dict[str, Any], *, label: Label | None) -> dict[str, Any]:
    """The validated, normalised values of the editable fields present in ``data``."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, limit in TEXT_LIMITS.items():
        if field in data:
            _clean_text(field, data[field], limit, values, errors)
    if "name" in values and not values["name"]:
        errors["name"] = ["A label needs a name."]
    colour_key = "colour" if "colour" in data else "color"  # the API's name, or the model's
    if colour_key in data:
        colour = data[colour_key]
        if isinstance(colour, str) and _is_colour(colour):
            values["color"] = colour.lower()
        else:
            errors[colour_key] = [f"{colour!r} is not a colour: give it as #rrggbb, e.g. #4e79a7."]
    if "hotkey" in data:
        hotkey = data["hotkey"] if data["hotkey"] is not None else ""
        if problem := _hotkey_problem(schema, hotkey, label):
            errors["hotkey"] = [problem]
        else:
            values["hotkey"] = hotkey.lower()
    if errors:
        raise ValidationError(errors)
    return values


def _clean_text(field: str, value: Any, limit: int, values: dict, errors: dict) -> None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be text."]
        return
    value = normalize_text(value)
    if field in ("name", "official_label", "category"):
        value = value.strip()
    if len(value) > limit:
        errors[field] = [f"At most {limit} characters (got {len(value)})."]
    values[field] = value


def _is_colour(value: str) -> bool:
    try:
        colour_validator(value)
    except ValidationError:
        return False
    return True


def _hotkey_problem(schema: LabelSchema, hotkey: Any, label: Label | None) -> str | None:
    if not isinstance(hotkey, str):
        return "A hotkey is one digit or lower-case letter."
    hotkey = hotkey.lower()
    if hotkey == "":
        return None
    try:
        hotkey_validator(hotkey)
    except ValidationError:
        return f"{hotkey!r} is not a hotkey: use one digit or letter."
    if hotkey in RESERVED_HOTKEYS:
        return reserved_message(hotkey)
    clash = schema.labels.filter(hotkey=hotkey)
    if label is not None:
        clash = clash.exclude(pk=label.pk)
    if (other := clash.first()) is not None:
        return f"Hotkey {hotkey!r} is already used by {other.name} ({other.key})."
    return None


def schema_update(*, schema: LabelSchema, data: dict[str, Any], user=None) -> LabelSchema:
    """Rename the schema or change its description (recorded in its history)."""
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise _field_error("name", "A schema needs a name.")
        if LabelSchema.objects.filter(name=name).exclude(pk=schema.pk).exists():
            raise _field_error("name", f"Another schema is called {name!r}.")
        schema.name = name
    if "description" in data:
        schema.description = normalize_text(data["description"] or "")
    return save_schema(schema, user=user)


def label_create(*, schema: LabelSchema, data: dict[str, Any], user=None) -> Label:
    """A new label; without a hotkey or colour it gets the next free one of its schema."""
    key = data.get("key")
    if not isinstance(key, str) or not key:
        raise _field_error("key", "A label needs a key (e.g. loaded_language).")
    try:
        label_key_validator(key)
    except ValidationError as exc:
        raise _field_error("key", f"{key!r}: {exc.messages[0]}") from None
    if len(key) > 100:
        raise _field_error("key", "At most 100 characters.")
    if "name" not in data:
        raise _field_error("name", "A label needs a name.")
    values = _clean(schema, data, label=None)
    with transaction.atomic():
        LabelSchema.objects.select_for_update().get(pk=schema.pk)  # one edit of it at a time
        if schema.labels.filter(key=key).exists():
            raise _field_error("key", f"The schema already has a label {key!r}.")
        last = schema.labels.order_by("-order").values_list("order", flat=True).first()
        label = Label(schema=schema, key=key, order=0 if last is None else last + 1)
        label.color = ""  # save_label picks the next palette colour unless one is given
        for field, value in values.items():
            setattr(label, field, value)
        return save_label(label, user=user)


def label_update(*, label: Label, data: dict[str, Any], user=None) -> Label:
    """Change the given editable fields; the key never changes."""
    if "key" in data and data["key"] != label.key:
        raise _field_error("key", f"A label's key never changes (it is {label.key!r}).")
    values = _clean(label.schema, data, label=label)
    with transaction.atomic():
        LabelSchema.objects.select_for_update().get(pk=label.schema_id)
        if values.get("hotkey"):
            problem = _hotkey_problem(label.schema, values["hotkey"], label)
            if problem:  # taken meanwhile
                raise _field_error("hotkey", problem)
        for field, value in values.items():
            setattr(label, field, value)
        return save_label(label, user=user)


def label_delete(*, label: Label, user=None) -> None:
    """Delete an unused label; one in use answers why not (retire or merge it)."""
    try:
        delete_label(label, user=user)
    except LabelInUseError as exc:
        raise _field_error("label", str(exc)) from None


def label_merge(*, source: Label, into: str, user=None) -> int:
    """Move every span of ``source`` to the label keyed ``into`` and retire ``source``."""
    target = Label.objects.filter(schema_id=source.schema_id, key=into).first()
    if target is None:
        raise _field_error("into", f"No label {into!r} in this schema.")
    try:
        return merge_labels(source, target, user=user)
    except SchemaError as exc:
        raise _field_error("into", str(exc)) from None


def labels_reorder(*, schema: LabelSchema, keys: list[str], user=None) -> None:
    """Put the labels in the order of ``keys``, which must name each label exactly once."""
    with transaction.atomic():
        LabelSchema.objects.select_for_update().get(pk=schema.pk)
        labels = {label.key: label for label in schema.labels.all()}
        if sorted(keys) != sorted(labels):  # also when a key is listed twice
            missing = sorted(set(labels) - set(keys))
            unknown = sorted(set(keys) - set(labels))
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if unknown:
                parts.append(f"not in the schema: {', '.join(unknown)}")
            if len(set(keys)) != len(keys):
                parts.append("a key is listed twice")
            raise _field_error(
                "keys", "List every label of the schema once (" + "; ".join(parts) + ")."
            )
        before = [label.key for label in sorted(labels.values(), key=lambda lb: (lb.order, lb.pk))]
        if before == keys:
            return
        changed = []
        for position, key in enumerate(keys):
            if labels[key].order != position:
                labels[key].order = position
                changed.append(labels[key])
        Label.objects.bulk_update(changed, ["order"])
        record_change(
            schema, Action.LABELS_REORDERED, user=user, detail={"before": before, "after": keys}
        )


def schema_clashes(schema: LabelSchema) -> list[ColourClash]:
    """Pairs of the schema's active labels whose colours are hard to tell apart."""
    colours = dict(schema.labels.filter(retired=False).values_list("key", "color"))
    return colour_clashes(colours)


def labels_with_usage(schema: LabelSchema):
    """The schema's labels in order, each with ``span_count``."""
    return (
        schema.labels.select_related("merged_into")
        .annotate(span_count=Count("spans"))
        .order_by("order", "id")
    )


# --- new schemas for projects ---------------------------------------------------------------


def unique_schema_name(base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)``... whichever no schema has yet."""
    base = base.strip()[:190] or "Labels"
    taken = set(LabelSchema.objects.filter(name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"


def schema_from_presets(presets: list[str], *, name: str, user=None) -> LabelSchema:
    """A new schema (never an existing one updated) from presets, merged in order."""
    if not presets:
        raise _field_error("presets", "Choose at least one preset.")
    try:
        return load_schema_report(presets, name=unique_schema_name(name), user=user).schema
    except SchemaError as exc:
        raise _field_error("presets", str(exc)) from None


def schema_from_file(data: Any, *, name: str, user=None, where: str = "schema file") -> LabelSchema:
    """A new schema from a schema file's contents (the export format)."""
    try:
        report = import_schema_report(data, name=unique_schema_name(name), user=user, where=where)
    except SchemaError as exc:
        raise _field_error("schema_file", str(exc)) from None
    return report.schema


def schema_copy(schema: LabelSchema, *, name: str, user=None) -> LabelSchema:
    """A new schema with the labels of ``schema`` as they are (retired ones and merges too)."""
    with transaction.atomic():
        copy = LabelSchema.objects.create(
            name=unique_schema_name(name), description=schema.description
        )
        originals = list(schema.labels.select_related("merged_into").order_by("order", "id"))
        copies = {
            label.key: Label(
                schema=copy,
                key=label.key,
                # The tracked fields; merge links are set below, once the targets exist.
                **{f: getattr(label, f) for f in LABEL_FIELDS if f != "merged_into"},
            )
            for label in originals
        }
        Label.objects.bulk_create(copies.values())
        merged = []
        for label in originals:
            if label.merged_into is not None:
                copies[label.key].merged_into = copies[label.merged_into.key]
                merged.append(copies[label.key])
        Label.objects.bulk_update(merged, ["merged_into"])
        record_change(
            copy,
            Action.SCHEMA_CREATED,
            user=user,
            detail={
                "copied_from": schema.name,
                "labels": [label_snapshot(copies[lb.key]) | {"key": lb.key} for lb in originals],
            },
        )
    return copy
