"""README.md of every export: a dataset card rendered from the export's manifest.

What the data is, who made it (annotators and counts), when, which options produced it, the
label definitions, the files, and a few lines of Python that load it. The layout is the
template ``exports/dataset_card.md``; names that users chose (project, labels, annotators,
schema) go through its ``md`` filter, so that they show as text, never as Markdown or HTML.
"""

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from annotator.exports.formats import FORMATS
from annotator.exports.formats.split import split_names
from annotator.exports.hf_card import front_matter


def layer_text(fmt: str, layer: str, annotators: list[str]) -> str:
    """What the export's layer means in this format's files: true for every format and layer
    (tests/test_export_layers.py reads the files to check it)."""
    writer = FORMATS[fmt]
    if layer == "gold":
        named = f"; {writer.annotator_where} gives no name" if writer.carries_annotator else ""
        return f"the gold layer (spans accepted by reviewers), no annotator's own spans{named}"
    if layer == "each":
        return (
            "each annotator's spans separately: one folder per annotator under `annotators/`, "
            "every span in a folder is that annotator's"
        )
    if writer.carries_annotator:
        where = writer.annotator_where
        return f"every selected annotator's spans in one file; {where} names who marked it"
    # options.clean_options allows this only for a single annotator
    return f"the spans of one annotator, `{annotators[0]}`, in one file"


def render_card(manifest: dict[str, Any], files: list[str], data_files: Sequence[str] = ()) -> str:
    """The card's Markdown; ``files`` are the lines of its file list (build.file_summary),
    ``data_files`` the names of the once-per-export files, for the YAML front matter."""
    counts, opts = manifest["counts"], manifest["options"]
    mapping = opts.get("label_mapping")
    folders = manifest.get("annotator_folders") if opts["layer"] == "each" else None
    lost = [
        (kind, reason, per_label)
        for kind in ("dropped", "adjusted")
        for reason, per_label in counts.get(kind, {}).items()
    ]
    context = {
        **manifest,
        "preset": mapping if isinstance(mapping, str) else None,
        "mapping": list(mapping.items()) if isinstance(mapping, dict) else [],
        "annotators": list(counts.get("annotators", {}).items()),
        "labels": [(lab, counts["labels"].get(lab["key"], 0)) for lab in manifest["labels"]],
        "lost": lost,
        "files": files,
        "survived": sum(counts.get("survived", {}).values()),
        "layer_text": layer_text(manifest["format"], opts["layer"], opts.get("annotators") or []),
        "prefix": next(iter(folders.values())) + "/" if folders else "",
        "split": _split(opts),
        "semeval_other": _outside_task(counts),
    }
    if context["split"]:  # the first split's folder, for the loading example
        context["prefix"] += context["split"]["shares"][0][0] + "/"
    body = render_to_string("exports/dataset_card.md", context)
    return front_matter(manifest, list(data_files)) + body


def _split(opts: dict[str, Any]) -> dict[str, Any] | None:
    split = (opts.get("format_options") or {}).get("split")
    if not split:
        return None
    shares = [(name, f"{split[name]:.0%}") for name in split_names(split)]
    return {"seed": split["seed"], "shares": shares}


def _outside_task(counts: dict[str, Any]) -> str:
    """The SemEval export's spans kept out of the TC files, per label (formats/semeval.py)."""
    per_label = counts.get("adjusted", {}).get("outside_task_techniques", {})
    return ", ".join(f"{key} ({n})" for key, n in sorted(per_label.items()))
