"""What every export format shares: the plain data a writer is fed (``ExportArticle``,
``ExportSpan``, ``ExportLabel``), the ``FormatWriter`` interface, span verification, the counts
for the manifest (``ExportStats``) and the errors. Files go out through a sink (sinks.py).

Writers never touch the database. The export service queries the rows, turns them into the
dataclasses below and feeds a writer one article at a time, so memory stays flat however large
the project is::

    writer = FORMATS["semeval"](labels, options)
    writer.begin(sink)
    for article in articles:          # an iterator, never a list of the whole project
        writer.write(article)
    report = writer.finish()          # counts for the manifest

(``write_export(writer, sink, articles)`` does exactly that.) Every span is checked against
its article's text before anything of that article is written.
"""

import contextlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    from .sinks import Sink, SinkFile

GOLD = "(gold)"  # annotator key of the gold layer in counts (not a valid Django username)


class ExportError(ValueError):
    """Bad writer input or use: the message names the option, label, file or article."""


class SpanMismatch(ExportError):
    """A span whose offsets do not select its text snapshot: the export must not ship."""

    def __init__(self, external_id: str, span: "ExportSpan", found: str, reason: str = ""):
        self.span, self.reason = span, reason
        self.external_id = external_id
        self.label_key = span.label_key
        self.start = span.start
        self.end = span.end
        self.expected = span.text
        self.found = found
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"article {external_id!r}: span {span.label_key} [{span.start}, {span.end}) "
            f"expected {span.text!r} but the text there is {found!r}{detail}"
        )


@dataclass(frozen=True)
class ExportLabel:
    key: str
    name: str
    official_label: str = ""
    category: str = ""
    description: str = ""

    @property
    def technique(self) -> str:
        """The name SemEval-style files use: the official label, else the immutable key."""
        return self.official_label or self.key


class ExportSpan(NamedTuple):
    """Immutable. A named tuple rather than a frozen dataclass: an export builds one per span
    (a million for a large project), and a frozen dataclass takes ~10x longer to construct."""

    start: int
    end: int
    label_key: str
    text: str
    annotator: str | None = None  # username; None is the gold layer
    note: str = ""
    origin: str = "manual"


class ExportImage(NamedTuple):
    """A picture of an article: ``src`` is its URL, or its path inside the zip when it has a
    stored file and no URL (docs/formats.md, "jsonl"), with its caption's range."""

    src: str
    url: str = ""
    file: str | None = None  # path inside the zip; None when only the URL is known
    caption_start: int | None = None
    caption_end: int | None = None
    caption: str = ""


class ExportComment(NamedTuple):
    """A comment of the article's thread (``span`` None) or of one exported span, whose
    ``span`` is ``(annotator, label key, start, end)`` (unique in an article's layer)."""

    author: str
    author_role: str  # "curator" (reviewer, manager, staff) or "annotator"
    body: str
    created_at: str  # ISO 8601
    span: tuple[str | None, str, int, int] | None = None


_LABEL_KEY = itemgetter(ExportSpan._fields.index("label_key"))
_ANNOTATOR = itemgetter(ExportSpan._fields.index("annotator"))


@dataclass
class ExportArticle:
    id: int
    external_id: str
    title: str
    text: str
    metadata: dict = field(default_factory=dict)
    spans: Sequence[ExportSpan] = ()
    url: str = ""
    published: date | str | None = None
    original_text: str = ""
    images: Sequence[ExportImage] = ()  # read only for formats with carries_images
    comments: Sequence[ExportComment] = ()  # read only for formats with carries_comments

    @property
    def published_iso(self) -> str | None:
        if self.published is None or isinstance(self.published, str):
            return self.published or None
        return self.published.isoformat()


# --- writers -----------------------------------------------------------------------------


@dataclass
class ExportStats:
    """Counts for the manifest: what was written, and what a format could not express."""

    articles: int = 0
    spans: int = 0
    labels: Counter = field(default_factory=Counter)
    annotators: Counter = field(default_factory=Counter)  # None: the gold layer
    # reason -> label key -> count (e.g. CoNLL overlaps); empty when nothing was lost
    dropped: dict[str, Counter] = field(default_factory=dict)
    # spans written differently from their exact offsets (e.g. widened to whole tokens)
    adjusted: dict[str, Counter] = field(default_factory=dict)
    # spans a lossy format wrote (CoNLL: those that survived tokenisation), per label key;
    # None for formats that write every span
    survived: Counter | None = None

    def survive(self, label_key: str) -> None:
        if self.survived is None:
            self.survived = Counter()
        self.survived[label_key] += 1

    def drop(self, reason: str, label_key: str) -> None:
        self.dropped.setdefault(reason, Counter())[label_key] += 1

    def adjust(self, reason: str, label_key: str) -> None:
        self.adjusted.setdefault(reason, Counter())[label_key] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "spans": self.spans,
            "labels": dict(sorted(self.labels.items())),
            "annotators": dict(
                sorted((GOLD if name is None else name, n) for name, n in self.annotators.items())
            ),
            "dropped": {k: dict(sorted(v.items())) for k, v in sorted(self.dropped.items())},
            "adjusted": {k: dict(sorted(v.items())) for k, v in sorted(self.adjusted.items())},
            **({} if self.survived is None else {"survived": dict(sorted(self.survived.items()))}),
        }


def verify_span(article: ExportArticle, span: ExportSpan) -> None:
    """Raise SpanMismatch unless ``article.text[start:end] == span.text``."""
    text = article.text
    if not (0 <= span.start < span.end <= len(text)):
        found = text[max(span.start, 0) : max(span.end, 0)]
        raise SpanMismatch(
            article.external_id, span, found, f"offsets outside the text of length {len(text)}"
        )
    found = text[span.start : span.end]
    if found != span.text:
        raise SpanMismatch(article.external_id, span, found)


_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def file_id(article: ExportArticle, source: str = "external") -> str:
    """The article's id in file names and id columns.

    ``source="internal"`` gives the database id (numeric, what the SemEval scorers expect).
    ``"external"`` gives the external id when it is a plain token (letters, digits, ``._-``,
    at most 100 characters); otherwise it is sanitised and suffixed with ``~<database id>``, and
    since ``~`` is never in a plain token, the result cannot collide with another article's.
    """
    if source == "internal":
        return str(article.id)
    ext = article.external_id
    if _SAFE_ID.fullmatch(ext):
        return ext
    cleaned = _UNSAFE_CHARS.sub("_", ext).strip("._-")[:80]
    return f"{cleaned}~{article.id}" if cleaned else f"article~{article.id}"


class FormatWriter:
    """The interface every format implements.

    Subclasses set ``name``, ``description`` and ``options`` (option name -> (default, allowed
    values or None for any string)), maybe ``filename``, and implement ``write_article`` and
    optionally ``start`` (headers) and ``end``.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    options: ClassVar[Mapping[str, tuple[Any, tuple | None]]] = {}
    # The file the format writes line by line for the whole export (jsonl, csv, CoNLL, the
    # SemEval TSV): ``self.out``, opened by begin() and closed by finish(). Per-article files
    # go through ``self.sink``.
    filename: ClassVar[str | None] = None
    # Whether every span in the output names its annotator (a field or a column). Only such a
    # format may put several annotators' spans in one file (the layer ``all``); the others get
    # one folder per annotator (``each``) or the gold layer, so no file mixes annotators
    # anonymously. ``annotator_where`` says where the name is, for the dataset card.
    carries_annotator: ClassVar[bool] = False
    annotator_where: ClassVar[str] = ""
    # Whether the format writes the articles' images (and the export ships their files) and
    # the discussions; the export reads them only then.
    carries_images: ClassVar[bool] = False
    carries_comments: ClassVar[bool] = False

    def __init__(self, labels: Iterable[ExportLabel], options: Mapping | None = None):
        self.labels: dict[str, ExportLabel] = {}
        for label in labels:
            if label.key in self.labels:
                raise ExportError(f"label {label.key!r} given twice")
            self.labels[label.key] = label
        self.opts = self.clean_options(options)
        self.stats = ExportStats()
        self._sink: Sink | None = None
        self._out: SinkFile | None = None
        self._seen_ids: set[str] = set()

    @classmethod
    def clean_options(cls, options: Mapping | None) -> dict[str, Any]:
        """Defaults filled in; an unknown option or value is an ExportError naming it."""
        given = dict(options or {})
        unknown = sorted(set(given) - set(cls.options))
        if unknown:
            known = ", ".join(sorted(cls.options)) or "none"
            raise ExportError(f"{cls.name}: unknown option {unknown[0]!r} (known: {known})")
        cleaned = {}
        for key, (default, allowed) in cls.options.items():
            value = given.get(key, default)
            if allowed is not None and value not in allowed:
                raise ExportError(
                    f"{cls.name}: option {key!r} must be one of {list(allowed)}, got {value!r}"
                )
            cleaned[key] = value
        return cleaned

    @property
    def sink(self) -> "Sink":
        """Where the writer's files go (given to ``begin``)."""
        if self._sink is None:
            raise ExportError(f"{self.name}: call begin(sink) first")
        return self._sink

    @property
    def out(self) -> "SinkFile":
        """The open ``filename``."""
        if self._out is None:
            raise ExportError(f"{self.name}: no file is open (filename, begin)")
        return self._out

    def files(self) -> list[str]:
        """Names of the files written once per export (``filename``, schema files);
        per-article files (SemEval, brat) come on top."""
        return [self.filename] if self.filename else []

    def folder_files(self) -> dict[str, bytes]:
        """Files a tool needs in every folder it may open (brat's configuration): with one
        folder per annotator, the export puts them in the folders above those too."""
        return {}

    # lifecycle ---------------------------------------------------------------------------

    def begin(self, sink: "Sink") -> None:
        if self._sink is not None:
            raise ExportError(f"{self.name}: writer already started")
        self._sink = sink
        if self.filename:
            self._out = sink.open(self.filename)
        self.start()

    def write(self, article: ExportArticle) -> None:
        if self._sink is None:
            raise ExportError(f"{self.name}: call begin(sink) before write()")
        spans, text, labels = article.spans, article.text, self.labels
        size = len(text)
        for span in spans:
            if span.label_key not in labels:
                raise ExportError(
                    f"article {article.external_id!r}: span [{span.start}, {span.end}) has "
                    f"label {span.label_key!r}, which is not in the export's labels"
                )
            # verify_span() inlined for the common case (a million calls in a large export)
            if not 0 <= span.start < span.end <= size or text[span.start : span.end] != span.text:
                verify_span(article, span)
        stats = self.stats
        stats.articles += 1
        stats.spans += len(spans)
        stats.labels.update(map(_LABEL_KEY, spans))
        stats.annotators.update(map(_ANNOTATOR, spans))  # None (gold) is named in as_dict()
        self.write_article(article)

    def finish(self) -> dict[str, Any]:
        """Close every file; return the counts (``ExportStats.as_dict``)."""
        self.end()
        if self._out is not None:
            self._out.close()
        return self.stats.as_dict()

    def abort(self) -> None:
        """Close what is open after a failure (the export service discards the output)."""
        close_quietly(self._out)

    # for subclasses ----------------------------------------------------------------------

    def start(self) -> None:
        pass

    def write_article(self, article: ExportArticle) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass

    def article_file_id(self, article: ExportArticle, source: str = "external") -> str:
        """``file_id`` plus a check that no two articles share one (a duplicate feed)."""
        ident = file_id(article, source)
        if ident in self._seen_ids:
            raise ExportError(f"article {article.external_id!r}: id {ident!r} used twice")
        self._seen_ids.add(ident)
        return ident


def close_quietly(*files: "SinkFile | None") -> None:
    """Close each file that is open, ignoring errors (after a failure: ``abort``)."""
    for file in files:
        if file is not None:
            with contextlib.suppress(Exception):
                file.close()


def write_export(
    writer: FormatWriter, sink: "Sink", articles: Iterable[ExportArticle]
) -> dict[str, Any]:
    """Run a writer over an article iterator; return its counts. Closes the writer's files
    on failure too (the sink itself is the caller's to close or discard)."""
    writer.begin(sink)
    try:
        for article in articles:
            writer.write(article)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()
