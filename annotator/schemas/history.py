"""The recorded history of a label schema (SchemaChange rows) and the helpers to fill it."""

from .models import Label, LabelSchema, SchemaChange


class Action:
    """Values of SchemaChange.action."""

    SCHEMA_CREATED = "schema_created"
    SCHEMA_EDITED = "schema_edited"
    SCHEMA_IMPORTED = "schema_imported"
    LABEL_ADDED = "label_added"
    LABEL_EDITED = "label_edited"
    LABEL_RETIRED = "label_retired"
    LABEL_UNRETIRED = "label_unretired"
    LABEL_MERGED = "label_merged"
    LABEL_DELETED = "label_deleted"
    LABELS_REORDERED = "labels_reordered"


# The label fields the history tracks (the key never changes, the schema is the history's owner).
LABEL_FIELDS = (
    "name",
    "official_label",
    "description",
    "example",
    "color",
    "hotkey",
    "category",
    "order",
    "retired",
    "merged_into",
)
SCHEMA_FIELDS = ("name", "description")


def record_change(
    schema: LabelSchema,
    action: str,
    *,
    user=None,
    label_key: str = "",
    detail: dict | None = None,
) -> SchemaChange:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None  # AnonymousUser cannot be stored
    return SchemaChange.objects.create(
        schema=schema, user=user, action=action, label_key=label_key, detail=detail or {}
    )


def label_snapshot(label: Label) -> dict:
    """The tracked fields as JSON values (merged_into as the target's key)."""
    snapshot = {field: getattr(label, field) for field in LABEL_FIELDS if field != "merged_into"}
    snapshot["merged_into"] = label.merged_into.key if label.merged_into else None
    return snapshot


def diff(before: dict, after: dict) -> dict:
    """``{field: {"before": old, "after": new}}`` for every field whose value changed."""
    return {
        field: {"before": before.get(field), "after": value}
        for field, value in after.items()
        if before.get(field) != value
    }


# How the history table names a field for people (the API keeps the field names).
FIELD_NAMES = {"color": "colour", "description": "definition", "official_label": "official label"}
SHOWN_CHARACTERS = 60  # a longer text (a definition) is cut in the one-line summary


def _shown(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        cut = value if len(value) <= SHOWN_CHARACTERS else value[: SHOWN_CHARACTERS - 1] + "…"
        return f"“{cut}”"
    return str(value)


def _field(field: str) -> str:
    return FIELD_NAMES.get(field, field.replace("_", " "))


def describe(action: str, detail: dict) -> str:
    """A recorded change in one line for people (the console's history table); the API and
    the admin give ``detail`` as it was recorded."""
    parts = []
    if sources := detail.get("sources") or detail.get("source"):
        parts.append("from " + (", ".join(sources) if isinstance(sources, list) else sources))
    if action == Action.SCHEMA_IMPORTED:
        parts.append(
            f"{len(detail.get('created', []))} added, {len(detail.get('updated', []))} updated, "
            f"{detail.get('unchanged', 0)} unchanged"
        )
        parts.extend(detail.get("warnings", []))
    elif "copied_from" in detail:
        parts.append(f"copied from {_shown(detail['copied_from'])}, {len(detail['labels'])} labels")
    elif action in (Action.LABEL_ADDED, Action.SCHEMA_CREATED) and "after" in detail:
        shown = ("name", "category", "color", "hotkey")
        parts.append(
            ", ".join(
                f"{_field(f)} {_shown(detail['after'][f])}" for f in shown if f in detail["after"]
            )
        )
    elif action == Action.LABELS_REORDERED:
        parts.append("new order: " + ", ".join(detail.get("after", [])))
    elif action == Action.LABEL_DELETED and "before" in detail:
        parts.append(f"was {_shown(detail['before'].get('name'))}")
    if "into" in detail:  # a merge: its changes (retired, merged into) would say it again
        parts.append(f"into {detail['into']}, {detail.get('spans_moved', 0)} span(s) moved")
    else:
        parts.extend(
            f"{_field(field)}: {_shown(change.get('before'))} → {_shown(change.get('after'))}"
            for field, change in detail.get("changes", {}).items()
        )
    if action == Action.LABEL_RETIRED and "spans" in detail:
        parts.append(f"{detail['spans']} span(s) keep the label")
    return "; ".join(parts)


# Changes to a label that someone made by hand (the admin, the API), as opposed to a load.
HAND_EDITS = (
    Action.LABEL_EDITED,
    Action.LABEL_RETIRED,
    Action.LABEL_UNRETIRED,
    Action.LABEL_MERGED,
)


def labels_edited_by_people(schema: LabelSchema) -> set[str]:
    """Keys of the schema's labels that a user changed (a recorded change with its user)."""
    changes = SchemaChange.objects.filter(
        schema=schema, user__isnull=False, action__in=HAND_EDITS
    ).exclude(label_key="")
    return set(changes.values_list("label_key", flat=True))
