"""The file names of SemEval-2020 Task 11 / PTC data, as released and as the scorers name them.

- articles: ``article<ID>.txt``;
- per-article labels: ``article<ID>.task2-TC.labels`` and ``article<ID>.task1-SI.labels``
  (SemEval-2020 release), ``article<ID>.task-SI.labels``, ``article<ID>.labels-task-TC``,
  ``article<ID>.task-flc-tc.labels``, ``article<ID>.task-FLC.labels``, ``article<ID>.labels``
  (scorer examples, PTC v1);
- whole-set labels (every article's lines in one file): ``train-task2-TC.labels``,
  ``train-task1-SI.labels``, ``dev-task-TC.labels``... and ours, ``task2-TC.labels``;
- ``other-labels.tsv``: the lines of labels outside the task's techniques, which our SemEval
  export keeps out of the TC files (``ID<TAB>label<TAB>begin<TAB>end``).

Names are matched case-insensitively. IDs are the release's digits, or an export's file id
(letters, digits, ``._~-``).
"""

import re
from dataclasses import dataclass

TC, SI, OTHER = "TC", "SI", "other"
COLUMNS = {TC: 4, SI: 3, OTHER: 4}
OTHER_LABELS_FILE = "other-labels.tsv"

_ID = r"(?P<id>[A-Za-z0-9][A-Za-z0-9._~-]*?)"
# task2-TC, task-TC, task-flc-tc, task-FLC -> TC; task1-SI, task-SI -> SI
_KIND = r"task[12]?-(?:flc-)?(?:tc|si)|task-flc"
ARTICLE_NAME = re.compile(rf"^article{_ID}\.txt$", re.IGNORECASE)
_PER_ARTICLE = re.compile(
    rf"^article{_ID}\.(?:(?P<kind>{_KIND})\.labels|labels-(?P<kind2>{_KIND})|labels)$",
    re.IGNORECASE,
)
_WHOLE_SET = re.compile(rf"^(?!article)(?:.*[-_.])?(?P<kind>{_KIND})\.labels$", re.IGNORECASE)


@dataclass(frozen=True)
class LabelsName:
    kind: str  # TC, SI or OTHER
    article_id: str | None  # None: a whole-set file


def _kind(name: str | None) -> str:
    return SI if name and name.lower().endswith("si") else TC


def labels_name(basename: str) -> LabelsName | None:
    """What a labels file is, from its name; None if it is not one we read."""
    if match := _PER_ARTICLE.match(basename):
        return LabelsName(_kind(match["kind"] or match["kind2"]), match["id"])
    if match := _WHOLE_SET.match(basename):
        return LabelsName(_kind(match["kind"]), None)
    if basename.lower() == OTHER_LABELS_FILE:
        return LabelsName(OTHER, None)
    return None


def looks_like_labels(basename: str) -> bool:
    """A file a user means as labels, whether or not we know its name (reported if unread)."""
    return ".labels" in basename.lower() or labels_name(basename) is not None


def article_id(basename: str) -> str | None:
    match = ARTICLE_NAME.match(basename)
    return match["id"] if match else None
