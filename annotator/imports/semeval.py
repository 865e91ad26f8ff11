"""Plain ``.txt`` articles and SemEval-2020 Task 11 / PTC folders and zips.

An article file is UTF-8 text whose first line is the title; the whole file is the text, so
PTC offsets stay valid (a leading BOM counts as a character in the release's offsets: it is
dropped and the offsets move, like any other normalisation). ``article<ID>.txt`` gets external
id ``ID`` and the spans of its labels files wherever they are in the folder or zip (the release
keeps articles and labels in sibling folders); ptc_names.py lists the names. For each article:

- technique (TC) lines come from its own TC files, else from the whole-set TC files;
- span-identification (SI) lines (no technique) only with ``--si-label``, under that label
  (the release's SI fragments are not the TC ranges: reading both by default would mix two
  annotations); SI files left unread are reported;
- ``other-labels.tsv`` lines (labels outside the task's techniques, from our export) always.

Errors: a labels file (or whole-set line) whose article is missing, label files found but none
read, a line with a wrong column count, another article's id, bad offsets or an unknown
technique. The same span twice is stored once and reported (the release repeats a few).

Any other ``NAME.txt`` is a plain article with external id ``NAME``, unless ``article<ID>.txt``
files are next to it (then it is the corpus's README or the like, and ignored).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from annotator.core.params import is_ascii_int
from annotator.core.text import TextDecodeError, decode_utf8

from . import ptc_names
from .ptc_names import COLUMNS, OTHER, SI, TC
from .records import (
    ArticleRecord,
    ImportOptions,
    RecordError,
    check_external_id,
    file_text,
    title_of,
)
from .report import ImportIssue, ImportNote

EXPECTED_NAMES = "article<ID>.task2-TC.labels, article<ID>.task1-SI.labels, train-task2-TC.labels"


@dataclass(frozen=True)
class Member:
    """A file of a folder or zip: the name errors show, its base name, and how to read it."""

    name: str
    basename: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class LabelLines:
    """Where an article's labels come from: a file's name, its kind, and its (number, line)s."""

    name: str
    kind: str
    lines: Callable[[], Iterable[tuple[int, str]]]


def is_semeval_member(basename: str) -> bool:
    return basename.lower().endswith(".txt") or ptc_names.looks_like_labels(basename)


@dataclass
class _Corpus:
    articles: dict[str, Member] = field(default_factory=dict)
    plain: list[Member] = field(default_factory=list)
    per_article: dict[str, list[tuple[Member, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    whole_sets: list[tuple[Member, str]] = field(default_factory=list)
    unknown_labels: list[Member] = field(default_factory=list)

    @property
    def label_files(self) -> int:
        per_article = sum(len(files) for files in self.per_article.values())
        return per_article + len(self.whole_sets) + len(self.unknown_labels)


def read_articles(members: list[Member], options: ImportOptions) -> Iterator:
    """Yield an ArticleRecord or ImportIssue per article file among ``members``, and
    ImportNotes on label files left unread."""
    corpus = _Corpus()
    yield from _sort_members(members, corpus)
    whole: dict[str, dict[str, list[tuple[str, int, str]]]] = {TC: {}, SI: {}, OTHER: {}}
    yield from _read_whole_sets(corpus, whole)
    yield from _orphans(corpus, whole)
    used: set[str] = set()
    si_unread: set[str] = set()
    for ident in sorted(corpus.articles, key=_id_order):
        sources = _label_sources(ident, corpus, whole, options, si_unread)
        used.update(source.name for source in sources)
        yield _read(corpus.articles[ident], ident, sources, options)
    yield from _unread(corpus, used, si_unread)
    if corpus.articles:
        return  # other .txt files next to a PTC corpus are its README, LICENSE...: not articles
    for member in corpus.plain:
        yield _read(member, PurePosixPath(member.basename).stem, [], options)


def _sort_members(members: list[Member], corpus: _Corpus) -> Iterator[ImportIssue]:
    """File each member under what its name says it is: article, labels file or plain text."""
    for member in members:
        if (ident := ptc_names.article_id(member.basename)) is not None:
            if ident in corpus.articles:
                other = corpus.articles[ident].name
                yield ImportIssue(
                    member.name, None, f"article {ident} appears twice, also as {other}"
                )
                continue
            corpus.articles[ident] = member
        elif (name := ptc_names.labels_name(member.basename)) is not None:
            if name.article_id is None:
                corpus.whole_sets.append((member, name.kind))
            else:
                corpus.per_article[name.article_id].append((member, name.kind))
        elif ptc_names.looks_like_labels(member.basename):
            corpus.unknown_labels.append(member)
        elif member.basename.lower().endswith(".txt"):
            corpus.plain.append(member)


def _read_whole_sets(corpus: _Corpus, whole) -> Iterator[ImportIssue]:
    """The lines of the whole-set label files, by kind and article id."""
    for member, kind in corpus.whole_sets:
        try:
            for number, line in _numbered_lines(member):
                ident = line.split("\t", 1)[0].strip()
                whole[kind].setdefault(ident, []).append((member.name, number, line))
        except RecordError as exc:
            yield ImportIssue(exc.file or member.name, exc.line, str(exc))


def _id_order(ident: str) -> tuple:
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


def _orphans(corpus: _Corpus, whole) -> Iterator[ImportIssue]:
    """Labels whose article is not there: an error (the import would lose them silently)."""
    for ident, files in corpus.per_article.items():
        if ident not in corpus.articles:
            for member, _ in files:
                yield ImportIssue(
                    member.name, None, f"labels for article {ident} but no article{ident}.txt"
                )
    for by_id in whole.values():
        for ident, lines in by_id.items():
            if ident not in corpus.articles:
                name, number, _ = lines[0]
                yield ImportIssue(
                    name, number, f"labels for article {ident} but no article{ident}.txt"
                )


def _label_sources(ident, corpus: _Corpus, whole, options, si_unread: set[str]):
    """The label lines an article takes: per kind its own files, else the whole-set lines."""
    own = corpus.per_article.get(ident, [])
    sources: list[LabelLines] = []
    for kind in (TC, SI, OTHER):
        files = [member for member, member_kind in own if member_kind == kind]
        if files:
            found = [LabelLines(m.name, kind, _lazy_lines(m)) for m in files]
        else:
            by_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for name, number, line in whole[kind].get(ident, ()):
                by_file[name].append((number, line))
            found = [LabelLines(n, kind, _given(lines)) for n, lines in by_file.items()]
        if kind == SI and options.si_label_id is None:
            si_unread.update(source.name for source in found)
            continue
        sources += found
    return sources


def _unread(corpus: _Corpus, used: set[str], si_unread: set[str]) -> Iterator:
    """Label files found and not read: an error when none was read, else a note each kind."""
    if not corpus.articles or not corpus.label_files:
        return
    unknown = [m.name for m in corpus.unknown_labels]
    if not used:
        if si_unread:
            first = sorted(si_unread)[0]
            yield ImportIssue(
                first,
                None,
                f"{len(si_unread)} span-identification labels file(s) found and none read: "
                "they carry no technique; pass --si-label KEY to import their spans under a "
                "label (no technique-classification file was found)",
            )
        else:
            yield ImportIssue(
                unknown[0] if unknown else next(iter(corpus.articles.values())).name,
                None,
                f"{corpus.label_files} labels file(s) found and none read: names not "
                f"recognised (expected {EXPECTED_NAMES}): {', '.join(unknown[:5])}",
            )
        return
    if si_unread:
        yield ImportNote(
            sorted(si_unread)[0],
            f"{len(si_unread)} span-identification labels file(s) not read (technique files "
            "preferred; --si-label KEY imports their spans too)",
        )
    shadowed = {m.name for m, _ in corpus.whole_sets} - used - si_unread
    for name in sorted(shadowed):
        yield ImportNote(name, "not read: every article has its own labels file of this kind")
    for name in unknown:
        yield ImportNote(name, f"not read: name not recognised (expected {EXPECTED_NAMES})")


def _read(member: Member, external_id: str, sources, options) -> ArticleRecord | ImportIssue:
    try:
        return text_record(member, external_id, sources, options)
    except RecordError as exc:
        return ImportIssue(exc.file or member.name, exc.line, str(exc))


def text_record(
    member: Member, external_id: str, sources: list[LabelLines], options
) -> ArticleRecord:
    external_id = check_external_id(external_id)
    text = file_text(member.read())  # a BOM counts in the release's offsets: moved when dropped
    spans: dict[tuple[int, int, int], None] = {}
    repeated = []
    for source in sources:
        for number, span in _label_spans(source, external_id, text, options):
            if span in spans:
                repeated.append(f"{source.name}, line {number}")
            spans[span] = None
    return ArticleRecord(
        external_id=external_id,
        title=title_of(text.text),
        text=text.text,
        text_sha256=text.checksum(),
        spans=list(spans),
        label_files=[source.name for source in sources],
        repeated_spans=repeated,
    )


def _decode(member: Member) -> str:
    try:
        return decode_utf8(member.read())
    except TextDecodeError as exc:
        raise RecordError(str(exc), file=member.name) from None


def _numbered_lines(member: Member) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(_decode(member).split("\n"), 1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def _given(lines: list[tuple[int, str]]) -> Callable[[], Iterable[tuple[int, str]]]:
    return lambda: lines


def _lazy_lines(member: Member) -> Callable[[], Iterable[tuple[int, str]]]:
    return lambda: _numbered_lines(member)


def _label_spans(source: LabelLines, article_id: str, text, options):
    columns = COLUMNS[source.kind]
    for number, line in source.lines():
        try:
            yield number, _label_line(line, columns, article_id, text, options)
        except RecordError as exc:
            raise RecordError(str(exc), file=source.name, line=number) from None


def _label_line(line: str, columns: int, article_id: str, text, options):
    fields = line.split("\t")
    if len(fields) != columns:
        form = "ID, technique, begin, end" if columns == 4 else "ID, begin, end"
        raise RecordError(f"expected {columns} tab-separated columns ({form}), got {len(fields)}")
    if fields[0].strip() != article_id:
        raise RecordError(
            f"article id {fields[0]!r} does not match the file's article {article_id}"
        )
    # SI lines are read only when --si-label gave their label
    label_id = options.labels.resolve(fields[1].strip()) if columns == 4 else options.si_label_id
    begin, end = fields[-2].strip(), fields[-1].strip()
    if not (is_ascii_int(begin) and is_ascii_int(end)):
        raise RecordError(f"begin and end must be integers, got {begin!r} and {end!r}")
    start, stop = text.span(int(begin), int(end))
    return start, stop, label_id
