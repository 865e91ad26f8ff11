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
