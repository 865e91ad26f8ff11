"""README.md of every export: a dataset card rendered from the export's manifest.

What the data is, who made it (annotators and counts), when, which options produced it, the
label definitions, the files, and a few lines of Python that load it.
"""

from typing import Any

LOADERS = {
    "jsonl": """import json

with open("{prefix}articles.jsonl", encoding="utf-8") as f:
    for line in f:
        article = json.loads(line)
        for span in article["spans"]:
            assert article["text"][span["start"]:span["end"]] == span["text"]
            print(article["id"], span["label"], span["start"], span["end"])""",
    "semeval": """import csv
from pathlib import Path

folder = Path("{prefix}.")
for labels in sorted(folder.glob("article*.labels")):
    text = labels.with_suffix(".txt").read_text(encoding="utf-8")
    with labels.open(encoding="utf-8", newline="") as f:
        for art_id, technique, start, end in csv.reader(f, delimiter="\\t"):
            print(art_id, technique, text[int(start):int(end)])""",
    "csv": """import csv

with open("{prefix}spans.csv", encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f):
        print(row["external_id"], row["label"], row["start"], row["end"], row["text"])""",
    "conll": """with open("{prefix}tokens.conll", encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\\n")
        if not line or line.startswith("# "):
            continue  # sentence/document break or comment
        token, start, end, *tags = line.split("\\t")
        print(token, start, end, tags)""",
    "brat": """from pathlib import Path

for ann in sorted(Path("{prefix}.").glob("*.ann")):
    text = ann.with_suffix(".txt").read_text(encoding="utf-8")
    for line in ann.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            tid, label_and_range, covered = line.split("\\t")
            print(ann.stem, tid, label_and_range, covered)""",
}

LAYER_TEXT = {
    "gold": "the gold layer (spans accepted by reviewers); the annotator field is empty",
    "all": "every annotator's spans in one file; each span names its annotator",
    "each": "each annotator's spans separately, one folder per annotator under annotators/",
}


def _table(rows: list[tuple], header: tuple) -> str:
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_card(manifest: dict[str, Any], files: list[str]) -> str:
    """The card's markdown; ``files`` are the lines of its file list (build.file_summary)."""
    counts = manifest["counts"]
    opts = manifest["options"]
    project = manifest["project"]
    fmt = manifest["format"]
    mapping = opts.get("label_mapping")
    if isinstance(mapping, str):
        mapping_text = f"official names of the `{mapping}` preset"
    elif mapping:
        mapping_text = ", ".join(f"`{k}` → `{v}`" for k, v in mapping.items())
    else:
        mapping_text = "none"
    prefix = ""
    if opts["layer"] == "each" and manifest.get("annotator_folders"):
        prefix = next(iter(manifest["annotator_folders"].values())) + "/"
    out = [
        f"# {project['name']}: {fmt} dataset",
        "",
        f"Propaganda-technique spans annotated in the project `{project['slug']}`, exported in "
        f"the `{fmt}` format (export {manifest.get('export_id') or '-'}, created "
        f"{manifest['created_at']}, app version {manifest['app_version']}).",
        "",
        "## Contents",
        "",
        f"- Articles: {counts.get('articles', 0)}",
        f"- Spans: {counts.get('spans', 0)}",
        f"- Layer: {LAYER_TEXT[opts['layer']]}",
        f"- Only articles marked done: {'yes' if opts['done_only'] else 'no'}",
        f"- Labels: {', '.join(opts['labels']) if opts['labels'] else 'all labels of the schema'}",
        f"- Label mapping: {mapping_text}",
        f"- Format options: {opts['format_options'] or 'defaults'}",
        "",
        "Offsets are Unicode code points of the article text, `[start, end)`: in Python "
        "`text[start:end]` is the span. Every span was checked against its stored text before "
        "this file was made. `manifest.json` lists the sha256 of every file.",
        "",
        "## Annotators",
        "",
        _table(
            [(name, n) for name, n in counts.get("annotators", {}).items()] or [("-", 0)],
            ("annotator", "spans"),
        ),
        "",
        "## Labels",
        "",
        _table(
            [
                (
                    lab["key"],
                    lab["official_label"],
                    lab["name"],
                    counts["labels"].get(lab["key"], 0),
                    lab["description"],
                )
                for lab in manifest["labels"]
            ],
            ("key", "official name", "name", "spans", "definition"),
        ),  # fmt: skip
        "",
    ]
    lost = {k: v for k, v in counts.items() if k in ("dropped", "adjusted") and v}
    if lost:
        out += [
            "## What the format could not express",
            "",
            *[
                f"- {kind} / {reason}: {per_label}"
                for kind, reasons in lost.items()
                for reason, per_label in reasons.items()
            ],  # fmt: skip
            "",
        ]
    out += [
        "## Files",
        "",
        *[f"- {line}" for line in files],
        "- `manifest.json`: format, options, counts, label schema, checksums",
        "",
        "## Loading it in Python",
        "",
        "```python",
        LOADERS[fmt].format(prefix=prefix),
        "```",
        "",
        f"The schema `{manifest['schema']['name']}` is in `manifest.json` as it was when this "
        "export was made. Format details: docs/formats.md of the annotator.",
        "",
    ]
    return "\n".join(out)
