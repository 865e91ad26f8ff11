"""Plain ``.txt`` articles and SemEval-2020 Task 11 / PTC folders and zips.

An article file is UTF-8 text whose first line is the title; the whole file is the text, so
PTC offsets stay valid. ``article<ID>.txt`` gets external id ``ID`` and the spans of its labels
files wherever they are in the folder or zip (the official data keeps articles and labels in
sibling folders):

- ``article<ID>.task-flc-tc.labels`` or ``article<ID>.labels``:
  ``ID<TAB>technique<TAB>begin<TAB>end``
- ``article<ID>.task-si.labels``: ``ID<TAB>begin<TAB>end``, imported under the ``--si-label``
  label, and only for articles that have no technique file (the SI spans repeat those spans).

Any other ``NAME.txt`` is a plain article with external id ``NAME``, unless ``article<ID>.txt``
files are next to it (then it is the corpus's README or the like, and ignored).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from annotator.core.text import TextDecodeError, decode_utf8

from .records import (
    MAX_TITLE,
    ArticleRecord,
    ImportOptions,
    RecordError,
    TextWithOffsets,
    check_external_id,
    unique_spans,
)
from .report import ImportIssue

ARTICLE_NAME = re.compile(r"^article(\d+)\.txt$")
LABELS_NAME = re.compile(r"^article(\d+)\.(?:(task-flc-tc|task-si)\.)?labels$")
TECHNIQUE, SPAN_ONLY = "technique", "si"


@dataclass(frozen=True)
class Member:
    """A file of a folder or zip: the name errors show, its base name, and how to read it."""

    name: str
    basename: str
    read: Callable[[], bytes]


def is_semeval_member(basename: str) -> bool:
    return basename.endswith(".txt") or bool(LABELS_NAME.match(basename))


def read_articles(members: list[Member], options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per article file among ``members``."""
    articles: dict[str, Member] = {}
    plain: list[Member] = []
    labels: dict[str, list[tuple[Member, str]]] = defaultdict(list)
    for member in members:
        if match := ARTICLE_NAME.match(member.basename):
            if match[1] in articles:
                yield ImportIssue(
                    member.name,
                    None,
                    f"article {match[1]} appears twice, also as {articles[match[1]].name}",
                )
                continue
            articles[match[1]] = member
        elif match := LABELS_NAME.match(member.basename):
            kind = SPAN_ONLY if match[2] == "task-si" else TECHNIQUE
            labels[match[1]].append((member, kind))
        elif member.basename.endswith(".txt"):
            plain.append(member)
    for article_id, files in labels.items():
        if article_id not in articles:
            yield ImportIssue(
                files[0][0].name,
                None,
                f"labels for article {article_id} but no article{article_id}.txt",
            )
    for article_id in sorted(articles, key=int):
        member = articles[article_id]
        files = labels.get(article_id, [])
        if any(kind == TECHNIQUE for _, kind in files):
            files = [f for f in files if f[1] == TECHNIQUE]
        yield _read(member, article_id, files, options)
    if articles:
        return  # other .txt files next to a PTC corpus are its README, LICENSE...: not articles
    for member in plain:
        yield _read(member, PurePosixPath(member.basename).stem, [], options)


def _read(member: Member, external_id: str, label_files, options) -> ArticleRecord | ImportIssue:
    try:
        return text_record(member, external_id, label_files, options)
    except RecordError as exc:
        return ImportIssue(exc.file or member.name, exc.line, str(exc))


def text_record(member: Member, external_id: str, label_files, options) -> ArticleRecord:
    external_id = check_external_id(external_id)
    try:
        raw = decode_utf8(member.read())
    except TextDecodeError as exc:
        raise RecordError(str(exc)) from None
    if not raw.strip():
        raise RecordError("empty article file")
    text = TextWithOffsets(raw)
    title = text.text.split("\n", 1)[0].strip()[:MAX_TITLE]
    spans = []
    for labels_member, kind in label_files:
        spans.extend(_label_spans(labels_member, kind, external_id, text, options))
    return ArticleRecord(
        external_id=external_id,
        title=title,
        text=text.text,
        text_sha256=text.checksum(),
        spans=unique_spans(spans),
    )


def _label_spans(member: Member, kind: str, article_id: str, text, options):
    try:
        content = decode_utf8(member.read())
    except TextDecodeError as exc:
        raise RecordError(str(exc), file=member.name) from None
    columns = 4 if kind == TECHNIQUE else 3
    for number, line in enumerate(content.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            yield _label_line(line, columns, article_id, text, options)
        except RecordError as exc:
            raise RecordError(str(exc), file=member.name, line=number) from None


def _label_line(line: str, columns: int, article_id: str, text, options):
    fields = line.split("\t")
    if len(fields) != columns:
        form = "ID, technique, begin, end" if columns == 4 else "ID, begin, end"
        raise RecordError(f"expected {columns} tab-separated columns ({form}), got {len(fields)}")
    if fields[0].strip() != article_id:
        raise RecordError(
            f"article id {fields[0]!r} does not match the file's article {article_id}"
        )
    if columns == 4:
        label_id = options.labels.resolve(fields[1].strip())
    elif options.si_label_id is None:
        raise RecordError(
            "span-identification labels carry no technique: pass --si-label KEY to choose the "
            "label their spans get"
        )
    else:
        label_id = options.si_label_id
    begin, end = fields[-2].strip(), fields[-1].strip()
    if not (_is_number(begin) and _is_number(end)):
        raise RecordError(f"begin and end must be integers, got {begin!r} and {end!r}")
    start, stop = text.span(int(begin), int(end))
    return start, stop, label_id


def _is_number(value: str) -> bool:
    return value.isascii() and value.isdigit()
