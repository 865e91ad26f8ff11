"""The YAML front matter of the dataset card: what Hugging Face reads from a README.md.

``datasets.load_dataset("<unzipped export>")`` takes its ``configs`` to know which files are the
data (never ``manifest.json``, a JSON file it would otherwise load as a one-row dataset), and the
Hub shows ``pretty_name``, ``license`` and ``task_categories``. One config per folder of data
(``default``, or one per annotator for the layer ``each``), one split per split folder (the
``split`` option), else a single ``train`` split, as Hugging Face names a lone split.

Values are written as JSON strings, which every YAML parser reads as the same strings
(user-chosen names may hold quotes, colons, line breaks or markup).
"""

import json
import os
import re
from typing import Any

from annotator.exports.formats.split import split_names

# The file of each format that Hugging Face loads, and the builder options it needs (Hugging
# Face picks the builder from the extension). ``datasets`` has no CoNLL builder: a CoNLL export
# also writes its sentences as JSON lines (formats/conll.py), which it loads; brat gets no
# ``configs`` (its ``.txt`` files load as lines of text).
HF_DATA_FILES: dict[str, tuple[str, dict[str, Any]]] = {
    "conll": ("sentences.jsonl", {}),
    "jsonl": ("articles.jsonl", {}),
    "parquet": ("articles.parquet", {}),
    "csv": ("spans.csv", {}),
    "doccano": ("doccano.jsonl", {}),
    "label-studio": ("tasks.json", {}),
    # every span in one table (formats/semeval.py): no header, one span a line
    "semeval": (
        "all-labels.tsv",
        {"column_names": ["article_id", "technique", "start", "end"], "quoting": 3},
    ),
}
TASK_CATEGORIES = ["token-classification", "text-classification"]
LICENSE = "unknown"  # projects have no license field: the curator states it before publishing


# What a YAML reader does not take as is inside a quoted string: characters PyYAML refuses,
# the line breaks it folds (U+0085, U+2028, U+2029), and markup for naive Markdown viewers.
_ESCAPE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[<>&]")


def _yaml(value: Any) -> str:
    """``value`` as JSON (valid YAML), every character a YAML reader might change escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def hf_configs(manifest: dict[str, Any], files: list[str]) -> list[dict[str, Any]]:
    """``configs`` for the data files among ``files`` (names in the zip): one config per
    annotator folder (else ``default``), each with its split folders as splits."""
    if manifest["format"] not in HF_DATA_FILES:
        return []
    data_name, builder_options = HF_DATA_FILES[manifest["format"]]
    split = manifest["options"].get("format_options", {}).get("split") or {}
    configs: dict[str, dict[str, Any]] = {}
    for name in files:
        if os.path.basename(name) != data_name:
            continue
        parts = name.split("/")[:-1]  # [annotators, <name>,] [<split>]
        split_name = parts.pop() if parts and parts[-1] in split else "train"
        config_name = parts[-1] if parts else "default"
        config = configs.setdefault(
            config_name, {"config_name": config_name, "data_files": [], **builder_options}
        )
        config["data_files"].append({"split": split_name, "path": name})
    order = {name: index for index, name in enumerate(split_names(split))}
    listed = list(configs.values())
    for config in listed:
        config["data_files"].sort(key=lambda entry: order.get(entry["split"], -1))
    if listed:
        listed[0]["default"] = True
    return listed


def front_matter(manifest: dict[str, Any], files: list[str]) -> str:
    """The ``---``-delimited YAML block that starts README.md."""
    pretty_name = f"{manifest['project']['name']} ({manifest['format']})"
    lines = [
        "---",
        f"pretty_name: {_yaml(pretty_name)}",
        f"license: {LICENSE}",
        "task_categories:",
        *(f"- {category}" for category in TASK_CATEGORIES),
        "tags:",
        "- propaganda",
        "- span-annotation",
    ]
    configs = hf_configs(manifest, files)
    if configs:
        lines.append("configs:")
    for config in configs:
        lines.append(f"- config_name: {_yaml(config['config_name'])}")
        if config.get("default"):
            lines.append("  default: true")
        for key, value in config.items():
            if key not in ("config_name", "data_files", "default"):
                lines.append(f"  {key}: {_yaml(value)}")
        lines.append("  data_files:")
        for entry in config["data_files"]:
            lines.append(f"  - split: {_yaml(entry['split'])}")
            lines.append(f"    path: {_yaml(entry['path'])}")
    lines.append("---")
    return "\n".join(lines) + "\n"
