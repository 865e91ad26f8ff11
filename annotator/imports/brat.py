"""brat standoff: ``NAME.txt`` + ``NAME.ann`` pairs in a folder or zip (what our brat export
writes, and brat itself).

``NAME.txt`` is the article (external id ``NAME``, title its first line); in ``NAME.ann`` each
text-bound line ``T<n><TAB><label> <start> <end>[;<start> <end>...]<TAB><covered text>`` is a
span, offsets in code points of the .txt as Python reads it (a BOM and CRs counted, then
moved with the normalisation). The label is matched to the project's keys and official names.
Fragments separated only by whitespace (how brat and our export write a span across a line
break) are one span; other fragments are one span each. The covered text, when given, must be
the text at the offsets (brat writes line breaks, tabs and other controls in it as spaces):
otherwise the offsets are wrong and the line is an error. Notes (``#``), relations, events,
attributes and normalisations are not imported (counted in a note). A ``.txt`` without its
``.ann`` is an article without spans; an ``.ann`` without its ``.txt`` is an error.
``annotation.conf`` / ``visual.conf`` are not needed.
"""

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from .records import (
    ArticleRecord,
    ImportOptions,
    RecordError,
    TextWithOffsets,
    check_external_id,
    file_text,
    title_of,
)
from .report import ImportIssue, ImportNote
from .semeval import Member

ANN = ".ann"
_OFFSETS = re.compile(r"^\d+ \d+(?:;\d+ \d+)*$")
# what brat (and our export) write as a space in the covered text
_AS_SPACE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_brat_member(basename: str) -> bool:
    return basename.lower().endswith((ANN, ".txt"))


def read_brat(members: list[Member], options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per ``.txt`` among ``members`` (paired with the
    ``.ann`` of the same folder and stem), and notes."""
    texts: dict[tuple[str, str], Member] = {}
    anns: dict[tuple[str, str], Member] = {}
    for member in members:
        # same folder (the name without the base name) and same stem: a pair
        key = (member.name[: -len(member.basename)], PurePosixPath(member.basename).stem)
        (anns if member.basename.lower().endswith(ANN) else texts)[key] = member
    for key, ann in anns.items():
        if key not in texts:
            yield ImportIssue(ann.name, None, f"annotations for {key[1]}.txt, which is not there")
    skipped = 0
    for key in sorted(texts):
        member = texts[key]
        try:
            record, ignored = _record(member, key[1], anns.get(key), options)
        except RecordError as exc:
            yield ImportIssue(exc.file or member.name, exc.line, str(exc))
            continue
        skipped += ignored
        yield record
    if skipped:
        yield ImportNote(
            members[0].name,
            f"{skipped} .ann line(s) of notes, relations, events or attributes not imported "
            "(spans only)",
        )


def _record(member: Member, stem: str, ann: Member | None, options) -> tuple[ArticleRecord, int]:
    external_id = check_external_id(stem)
    text = file_text(member.read())
    spans: dict[tuple[int, int, int], None] = {}
    repeated: list[str] = []
    ignored = 0
    if ann is not None:
        for number, line in _lines(ann):
            if not line.startswith("T"):
                ignored += 1
                continue
            try:
                found = _spans(line, text, options)
            except RecordError as exc:
                raise RecordError(str(exc), file=ann.name, line=number) from None
            for span in found:
                if span in spans:
                    repeated.append(f"{ann.name}, line {number}")
                spans[span] = None
    record = ArticleRecord(
        external_id=external_id,
        title=title_of(text.text),
        text=text.text,
        text_sha256=text.checksum(),
        spans=list(spans),
        # brat makes an empty .ann for every document: only one with spans counts as read
        label_files=[ann.name] if ann is not None and spans else [],
        repeated_spans=repeated,
    )
    return record, ignored


def _lines(member: Member) -> Iterator[tuple[int, str]]:
    try:
        content = member.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"invalid UTF-8 at byte {exc.start}", file=member.name) from None
    # brat splits lines at "\n" only: U+2028 or U+0085 in a covered text is not a line break
    for number, line in enumerate(content.split("\n"), 1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def _spans(line: str, text: TextWithOffsets, options) -> list[tuple[int, int, int]]:
    fields = line.split("\t")
    if len(fields) not in (2, 3):
        raise RecordError(
            f"expected T<n><TAB><label> <start> <end><TAB><text>, got {len(fields)} fields"
        )
    label, _, offsets = fields[1].partition(" ")
    if not _OFFSETS.match(offsets):
        raise RecordError(f"offsets must be 'start end' or 'start end;start end', got {offsets!r}")
    label_id = options.labels.resolve(label)
    pieces = [text.span(*map(int, piece.split(" "))) for piece in offsets.split(";")]
    normal = text.text
    if len(fields) == 3:
        expected = " ".join(normal[a:b] for a, b in pieces)
        if _as_written(expected) != _as_written(fields[2]):
            raise RecordError(
                f"the covered text {fields[2]!r} is not the text at {offsets} "
                f"({expected!r}): wrong offsets?"
            )
    joined: list[list[int]] = []
    for start, end in sorted(pieces):
        if joined and not normal[joined[-1][1] : start].strip():
            joined[-1][1] = max(joined[-1][1], end)  # split at a line break: one span
        else:
            joined.append([start, end])
    return [(start, end, label_id) for start, end in joined]


def _as_written(value: str) -> str:
    return _AS_SPACE.sub(" ", value).replace("\r", " ")
