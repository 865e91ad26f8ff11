"""The ``split`` format option: a deterministic train/dev/test split by article, for any format.

``{"split": {"train": 0.8, "dev": 0.1, "test": 0.1, "seed": 13}}`` writes each split as a
complete dataset in its own folder (``train/articles.jsonl``, ``dev/...``). An article goes to
the split where ``sha256("<seed>:<external id>")`` (its first 8 bytes as a fraction of 2^64)
falls among the cumulative fractions, taken in the order of ``split_names`` (train, validation,
dev, test, then the others alphabetically, whatever the option's key order): the same article
lands in the same split in every export with the same seed and fractions, whatever else the
project holds, and in the same split in every annotator's folder (layer ``each``). Split sizes
follow the fractions on average (each article is a draw), not exactly. The seed is kept in the
options, hence in the manifest; the counts per split are in the manifest's ``counts.splits``.
"""

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from .base import ExportArticle, ExportError, ExportLabel, FormatWriter
from .sinks import PrefixedSink, Sink

OPTION = "split"
DEFAULT_SEED = 13
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


def clean_split(value: Any) -> dict[str, Any] | None:
    """The split option with its seed filled in; an ExportError names what is wrong."""
    if value in (None, {}, ""):
        return None
    if isinstance(value, str):  # the command line's --option split={"train": 0.8, ...}
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ExportError(f"option 'split': not a JSON object: {value!r}") from None
    if not isinstance(value, Mapping):
        raise ExportError('option \'split\' must be an object like {"train": 0.8, "test": 0.2}')
    seed = value.get("seed", DEFAULT_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ExportError(f"option 'split': 'seed' must be an integer, got {seed!r}")
    fractions = {name: share for name, share in value.items() if name != "seed"}
    if len(fractions) < 2:
        raise ExportError("option 'split' needs at least two splits, e.g. train and test")
    for name, share in fractions.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ExportError(
                f"option 'split': split name {name!r} must be lower-case letters, digits "
                "and '_', starting with a letter (it names a folder)"
            )
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise ExportError(
                f"option 'split': {name!r} must be a fraction in (0, 1], got {share!r}"
            )
    if not math.isclose(sum(fractions.values()), 1.0, abs_tol=1e-9):
        raise ExportError(
            f"option 'split': the fractions must add up to 1, they add up to "
            f"{sum(fractions.values()):g}"
        )
    return {**{name: fractions[name] for name in split_names(fractions)}, "seed": seed}


_USUAL_ORDER = ("train", "validation", "dev", "test")


def split_names(split: Mapping[str, Any]) -> list[str]:
    """The split names in their fixed order: train, validation, dev, test, then the others
    alphabetically. Never the option's own key order: the Export row keeps its options in a
    PostgreSQL ``jsonb``, which reorders keys."""
    names = [name for name in split if name != "seed"]
    usual = [name for name in _USUAL_ORDER if name in names]
    return usual + sorted(set(names) - set(usual))


def split_of(external_id: str, split: Mapping[str, Any]) -> str:
    """The split an article goes to (see the module docstring)."""
    digest = hashlib.sha256(f"{split['seed']}:{external_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    names = split_names(split)
    total = 0.0
    for name in names:
        total += split[name]
        if draw < total:
            return name
    return names[-1]  # rounding: the fractions add up to 1 within 1e-9


class SplitWriter(FormatWriter):
    """One writer of the format per split, each in its folder of the sink."""

    name = "split"
    description = "A format's files once per split"

    def __init__(
        self,
        writer_class: type[FormatWriter],
        labels: Iterable[ExportLabel],
        options: Mapping | None = None,
    ):
        given = dict(options or {})
        split = clean_split(given.pop(OPTION, None))
        if split is None:
            raise ExportError("SplitWriter needs the 'split' option")
        labels = list(labels)
        super().__init__(labels)
        self.split = split
        # (each checks the format's own options)
        self.writers = {name: writer_class(labels, given) for name in split_names(split)}

    def files(self) -> list[str]:
        return [
            f"{name}/{file}" for name, writer in self.writers.items() for file in writer.files()
        ]

    def begin(self, sink: Sink) -> None:
        super().begin(sink)
        for name, writer in self.writers.items():
            writer.begin(PrefixedSink(sink, name))

    def write(self, article: ExportArticle) -> None:
        self.writers[split_of(article.external_id, self.split)].write(article)

    def finish(self) -> dict[str, Any]:
        reports = {name: writer.finish() for name, writer in self.writers.items()}
        total: dict[str, Any] = {"articles": 0, "spans": 0}
        for report in reports.values():
            total["articles"] += report["articles"]
            total["spans"] += report["spans"]
            for key in ("labels", "annotators"):
                total[key] = dict(sorted((Counter(total.get(key)) + Counter(report[key])).items()))
            for key in ("dropped", "adjusted"):
                merged = total.setdefault(key, {})
                for reason, per_label in report[key].items():
                    counts = Counter(merged.get(reason)) + Counter(per_label)
                    merged[reason] = dict(sorted(counts.items()))
        total["splits"] = {
            name: {"articles": report["articles"], "spans": report["spans"]}
            for name, report in reports.items()
        }
        return total

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()

    def folder_files(self) -> dict[str, bytes]:
        """The format's files for every folder a tool may open (brat's configuration)."""
        return next(iter(self.writers.values())).folder_files()


# What a format declares about itself (its name, what it carries): its split writer declares
# the same, for whoever asks the writer.
DECLARED = (
    "name",
    "description",
    "carries_annotator",
    "annotator_where",
    "carries_images",
    "carries_comments",
)


def make_writer(
    writer_class: type[FormatWriter], labels: Iterable[ExportLabel], options: Mapping | None
) -> FormatWriter:
    """The format's writer, or a SplitWriter over it when the options ask for a split."""
    if (options or {}).get(OPTION):
        declared = {
            name: getattr(writer_class, name) for name in DECLARED if hasattr(writer_class, name)
        }
        split_class = type(f"Split{writer_class.__name__}", (SplitWriter,), declared)
        return split_class(writer_class, labels, options)
    return writer_class(labels, {k: v for k, v in (options or {}).items() if k != OPTION})


def clean_format_options(writer_class: type[FormatWriter], options: Mapping | None) -> dict:
    """The format's options cleaned by the format, plus the split option (any format)."""
    given = dict(options or {})
    split = clean_split(given.pop(OPTION, None))
    cleaned = writer_class.clean_options(given)
    return {**cleaned, OPTION: split} if split else cleaned
