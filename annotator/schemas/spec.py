"""Parsing and validating label definitions from presets, schema files and imported dicts.

Everything is validated before anything is written, so a bad file stores nothing. Errors are
:class:`SchemaError` (a ``ValueError``) whose message names the source and the label at fault.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from .models import colour_validator, hotkey_validator, label_key_validator
from .presets import get_preset, preset_names

# Identifies files written by export_schema; files without it are accepted if they have "labels".
SCHEMA_FORMAT = "propaganda-annotator/label-schema"
SCHEMA_FORMAT_VERSION = 1

# Letters the annotation page keeps for its own commands, so never label hotkeys:
# d = Done, s = Skip, n = Note, u and z = undo. Digits are all free for labels.
RESERVED_HOTKEYS = frozenset("dsnuz")


def reserved_message(hotkey: str) -> str:
    """Why the admin and the label editor refuse ``hotkey`` (one of RESERVED_HOTKEYS)."""
    return (
        f"{hotkey!r} is reserved by the annotation page "
        f"({', '.join(sorted(RESERVED_HOTKEYS))}); choose another key."
    )


class SchemaError(ValueError):
    """A label schema source or operation is invalid; the message says what and where."""


class UnknownPresetError(SchemaError):
    pass


class SchemaFileError(SchemaError):
    pass


@dataclass
class LabelSpec:
    """One label as a source defines it. ``None`` means "not given": keep or default it."""

    key: str
    name: str
    official_label: str | None = None
    category: str | None = None
    description: str | None = None
    example: str | None = None
    color: str | None = None
    hotkey: str | None = None
    order: int | None = None
    retired: bool | None = None
    merged_into: str | None = None


@dataclass
class SchemaSource:
    """A parsed source: where it came from (for messages and history), its labels."""

    where: str
    title: str
    description: str
    labels: list[LabelSpec]


# A label's free-text fields, kept or defaulted when a source leaves them out.
TEXT_FIELDS = ("name", "official_label", "category", "description", "example")


def parse_labels(items, where: str) -> list[LabelSpec]:
    """Validate a list of label dicts (export format; ``definition`` is a description alias)."""
    if not isinstance(items, list) or not items:
        raise SchemaFileError(f"{where}: 'labels' must be a non-empty list of label objects.")
    specs: list[LabelSpec] = []
    seen_keys: set[str] = set()
    seen_hotkeys: dict[str, str] = {}
    for index, item in enumerate(items):
        at = f"{where}: labels[{index}]"
        spec = _parse_label(item, at)
        at = f"{at} ({spec.key!r})"
        if spec.key in seen_keys:
            raise SchemaFileError(f"{at}: duplicate key {spec.key!r}.")
        seen_keys.add(spec.key)
        if spec.hotkey in seen_hotkeys:
            raise SchemaFileError(
                f"{at}: hotkey {spec.hotkey!r} is also used by label {seen_hotkeys[spec.hotkey]!r}."
            )
        if spec.hotkey:
            seen_hotkeys[spec.hotkey] = spec.key
        specs.append(spec)
    for index, spec in enumerate(specs):
        if spec.merged_into and spec.merged_into not in seen_keys:
            raise SchemaFileError(
                f"{where}: labels[{index}] ({spec.key!r}): 'merged_into' names "
                f"{spec.merged_into!r}, which is not a label of this schema."
            )
    return specs


def _parse_label(item, at: str) -> LabelSpec:
    """One label object, checked on its own (the list's checks are parse_labels')."""
    if not isinstance(item, dict):
        raise SchemaFileError(f"{at}: expected an object, got {type(item).__name__}.")
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise SchemaFileError(f"{at}: 'key' is missing or not a string.")
    at = f"{at} ({key!r})"
    _validate(label_key_validator, key, at, "key")
    values = _text_values(item, at)
    color = item.get("color", item.get("colour"))
    if color is not None:
        _validate(colour_validator, color, at, "color")
        color = color.lower()
    hotkey = item.get("hotkey")
    if hotkey is not None:
        hotkey = _check_hotkey(hotkey, at)
    order = item.get("order")
    if order is not None and (type(order) is not int or order < 0):
        raise SchemaFileError(f"{at}: 'order' must be a non-negative integer.")
    retired = item.get("retired")
    if retired is not None and not isinstance(retired, bool):
        raise SchemaFileError(f"{at}: 'retired' must be true or false.")
    merged_into = item.get("merged_into")
    if merged_into is not None and not isinstance(merged_into, str):
        raise SchemaFileError(f"{at}: 'merged_into' must be a label key.")
    return LabelSpec(
        key=key,
        color=color,
        hotkey=hotkey,
        order=order,
        retired=retired,
        merged_into=merged_into or None,
        **values,
    )


def _text_values(item: dict, at: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        value = item.get(field)
        if field == "description" and value is None:
            value = item.get("definition")
        if value is not None and not isinstance(value, str):
            raise SchemaFileError(f"{at}: '{field}' must be a string.")
        values[field] = value
    if not (values["name"] or "").strip():
        raise SchemaFileError(f"{at}: 'name' is missing or empty.")
    return values


def _check_hotkey(hotkey, at: str) -> str:
    if not isinstance(hotkey, str):
        raise SchemaFileError(f"{at}: 'hotkey' must be a string.")
    if hotkey == "":
        return ""
    _validate(hotkey_validator, hotkey, at, "hotkey")
    if hotkey in RESERVED_HOTKEYS:
        raise SchemaFileError(
            f"{at}: hotkey {hotkey!r} is reserved by the annotation page "
            f"(reserved: {', '.join(sorted(RESERVED_HOTKEYS))})."
        )
    return hotkey


def _validate(validator, value, at: str, field: str) -> None:
    if not isinstance(value, str):
        raise SchemaFileError(f"{at}: '{field}' must be a string.")
    try:
        validator(value)
    except ValidationError as exc:
        raise SchemaFileError(f"{at}: '{field}' {value!r} is invalid: {exc.messages[0]}") from None


def parse_schema_data(data, where: str) -> SchemaSource:
    """Validate a dict in the export_schema format."""
    if not isinstance(data, dict):
        raise SchemaFileError(f"{where}: expected a JSON object with a 'labels' list.")
    if "presets" in data and "labels" not in data:
        raise SchemaFileError(
            f"{where}: this is a presets collection; load one of its presets by name instead."
        )
    if data.get("format", SCHEMA_FORMAT) != SCHEMA_FORMAT:
        raise SchemaFileError(f"{where}: unknown format {data.get('format')!r}.")
    version = data.get("version", SCHEMA_FORMAT_VERSION)
    if version != SCHEMA_FORMAT_VERSION:
        raise SchemaFileError(
            f"{where}: format version {version!r} is not supported (only {SCHEMA_FORMAT_VERSION})."
        )
    for field in ("name", "description"):
        if data.get(field) is not None and not isinstance(data[field], str):
            raise SchemaFileError(f"{where}: '{field}' must be a string.")
    if "labels" not in data:
        raise SchemaFileError(f"{where}: no 'labels' list.")
    return SchemaSource(
        where=where,
        title=(data.get("name") or "").strip(),
        description=data.get("description") or "",
        labels=parse_labels(data["labels"], where),
    )


def parse_preset(name: str) -> SchemaSource:
    preset = get_preset(name)
    if preset is None:
        raise UnknownPresetError(
            f"Unknown preset {name!r}, and no file of that name. "
            f"Presets: {', '.join(preset_names())}."
        )
    where = f"preset {name}"
    return SchemaSource(
        where=where,
        title=preset["title"],
        description=f"{preset['title']} (preset {name}; source: {preset['source']}).",
        labels=parse_labels(preset["labels"], where),
    )


def parse_schema_file(path: str | Path) -> SchemaSource:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemaFileError(f"{path}: cannot read: {exc.strerror}.") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SchemaFileError(f"{path}: not UTF-8 (byte {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise SchemaFileError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from None
    source = parse_schema_data(data, str(path))
    source.title = source.title or path.stem
    return source


def parse_source(source: str) -> SchemaSource:
    """A preset name, or else a path to a schema JSON file."""
    if get_preset(source) is not None:
        return parse_preset(source)
    path = Path(source)
    if path.suffix.lower() == ".json" or path.exists():
        return parse_schema_file(path)
    return parse_preset(source)  # raises UnknownPresetError listing the presets
