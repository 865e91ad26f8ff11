"""An export's options, checked against its project: what ``request_export`` stores on the
Export row and what the manifest records (``ExportOptions.as_dict()``).

A bad option is an ExportError naming the option and the value, before anything is queued.

Layers, and the default: no export mixes annotators anonymously. Without ``layer`` an export
takes the gold layer when the project has one (a reviewed span), otherwise ``each`` (one folder
per annotator); the choice is made when the export is requested and stored with it. ``all``
(every annotator in one file) is refused for a format that does not name each span's annotator
(``FormatWriter.carries_annotator``), unless the export is of one annotator only.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from annotator.annotations.models import Span
from annotator.corpus.models import Project
from annotator.exports.formats import FORMATS, ExportError
from annotator.exports.formats.split import clean_format_options
from annotator.schemas.models import Label, label_key_validator
from annotator.schemas.presets import get_preset, preset_names

LAYERS = ("gold", "all", "each")
# One line each, for the Datasets page (the card says it per format: dataset_card.layer_text).
LAYER_HELP = {
    "": "the default: gold when the project has reviewed spans, otherwise each",
    "gold": "the reviewed spans only (the gold layer), no annotator's own spans",
    "each": "one folder per annotator, each holding only that annotator's spans",
    "all": "every annotator's spans in one file, each naming its annotator "
    "(only formats with an annotator field)",
}
OPTION_NAMES = ("layer", "annotators", "done_only", "labels", "label_mapping", "format_options")


@dataclass
class ExportOptions:
    """Cleaned options. ``as_dict()`` is what the Export row and the manifest record."""

    format: str
    layer: str = "all"
    annotators: list[str] = field(default_factory=list)  # usernames; empty = everyone
    done_only: bool = False
    labels: list[str] = field(default_factory=list)  # label keys; empty = every label
    label_mapping: dict[str, str] | str | None = None  # {key: new key} or a preset name
    format_options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "annotators": self.annotators,
            "done_only": self.done_only,
            "labels": self.labels,
            "label_mapping": self.label_mapping,
            "format_options": self.format_options,
        }


def _string_list(value, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ExportError(f"option {name!r} must be a list of names, got {value!r}")
    return sorted(set(value))


def clean_options(project: Project, fmt: str, options: dict | None) -> ExportOptions:
    """Check every option against the project; an ExportError names the bad option and value."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is unknown (known: {', '.join(sorted(FORMATS))})")
    given = dict(options or {})
    unknown = sorted(set(given) - set(OPTION_NAMES))
    if unknown:
        raise ExportError(f"unknown option {unknown[0]!r} (known: {', '.join(OPTION_NAMES)})")
    layer = given.get("layer") or default_layer(project)
    if layer not in LAYERS:
        raise ExportError(f"option 'layer' must be one of {list(LAYERS)}, got {layer!r}")
    done_only = given.get("done_only", False)
    if not isinstance(done_only, bool):
        raise ExportError(f"option 'done_only' must be true or false, got {done_only!r}")
    annotators = _clean_annotators(project, given.get("annotators"), layer)
    _check_layer_names_annotators(fmt, layer, annotators)
    keys = set(Label.objects.filter(schema_id=project.schema_id).values_list("key", flat=True))
    labels = _string_list(given.get("labels"), "labels")
    for key in labels:
        if key not in keys:
            raise ExportError(f"option 'labels': {key!r} is not a label of {project.slug}")
    mapping = _clean_mapping(project, given.get("label_mapping") or None, keys)
    format_options = given.get("format_options") or {}
    if not isinstance(format_options, dict):
        raise ExportError("option 'format_options' must be an object")
    # names a bad format option; ``split`` applies to every format
    format_options = clean_format_options(FORMATS[fmt], format_options)
    return ExportOptions(fmt, layer, annotators, done_only, labels, mapping, format_options)


def _clean_annotators(project: Project, value, layer: str) -> list[str]:
    annotators = _string_list(value, "annotators")
    if annotators and layer == "gold":
        raise ExportError("option 'annotators' does not apply to layer 'gold'")
    found = set(
        get_user_model()
        .objects.filter(username__in=annotators, memberships__project=project)
        .values_list("username", flat=True)
    )
    for name in annotators:
        if name not in found:
            raise ExportError(f"option 'annotators': {name!r} is not a member of {project.slug}")
    return annotators


def _check_layer_names_annotators(fmt: str, layer: str, annotators: list[str]) -> None:
    """``all`` mixes annotators: only in a format whose files name each span's annotator."""
    if layer == "all" and not FORMATS[fmt].carries_annotator and len(annotators) != 1:
        carriers = sorted(name for name, cls in FORMATS.items() if cls.carries_annotator)
        raise ExportError(
            f"option 'layer': 'all' would mix annotators without naming them in {fmt} files; "
            f"choose 'each' (a folder per annotator) or 'gold', one annotator, or a format that "
            f"names the annotator of each span ({', '.join(carriers)})"
        )


def _clean_mapping(project: Project, mapping, keys: set[str]):
    """``{key: new key}`` (sorted) or a preset's name."""
    if mapping is None:
        return None
    if isinstance(mapping, str):
        if get_preset(mapping) is None:
            raise ExportError(
                f"option 'label_mapping': no preset {mapping!r} "
                f"(presets: {', '.join(preset_names())}; or give {{key: new key}})"
            )
        return mapping
    if not isinstance(mapping, dict):
        raise ExportError("option 'label_mapping' must be {key: new key} or a preset name")
    for old, new in mapping.items():
        if old not in keys:
            raise ExportError(f"option 'label_mapping': {old!r} is not a label of {project.slug}")
        try:
            label_key_validator(new)
        except Exception:
            raise ExportError(
                f"option 'label_mapping': {old!r} -> {new!r}: a key is lower-case letters, "
                "digits, '_' and '-'"
            ) from None
    return dict(sorted(mapping.items()))


def default_layer(project: Project) -> str:
    """``gold`` when the project has a gold layer (a span without annotator), else ``each``."""
    gold = Span.objects.filter(article__project=project, annotator__isnull=True)
    return "gold" if gold.exists() else "each"
