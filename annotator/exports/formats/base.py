"""What every export format shares: plain data in, files out through a sink.

Writers never touch the database. The export service queries the rows, turns them into the
dataclasses below and feeds a writer one article at a time, so memory stays flat however large
the project is::

    writer = FORMATS["semeval"](labels, options)
    writer.begin(sink)
    for article in articles:          # an iterator, never a list of the whole project
        writer.write(article)
    report = writer.finish()          # counts for the manifest

(``write_export(writer, sink, articles)`` does exactly that.) A sink opens named files in
binary mode; writers encode UTF-8 themselves so no newline translation can move an offset.
Every span is checked against its article's text before anything of that article is written.
"""

import hashlib
import os
import queue
import re
import shutil
import struct
import tempfile
import threading
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, NamedTuple

from isal import isal_zlib

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

    def __reduce__(self):  # rebuilt from its arguments (raised in a parallel export's child)
        return (SpanMismatch, (self.external_id, self.span, self.found, self.reason))


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

    @property
    def published_iso(self) -> str | None:
        if self.published is None or isinstance(self.published, str):
            return self.published or None
        return self.published.isoformat()


# --- sinks -------------------------------------------------------------------------------


@dataclass(slots=True)  # one per file of the export: keep it small
class FileRecord:
    sha256: str
    size: int


class _PlainFile:
    """A raw file that hashes what it is given (what ``_HashingFile`` writes to)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.raw.write(data)

    def hexdigest(self) -> str:
        return self.hash.hexdigest()

    def close(self) -> None:
        self.raw.close()


class _HashingFile:
    """A binary file that hashes what goes through it and reports to its sink on close.

    Writes are gathered into blocks of ``BLOCK`` bytes before they reach the raw file: one
    article is a few KB, and hashing, compressing and writing in large blocks costs less per
    byte (and lets a compressing thread release the GIL for longer)."""

    BLOCK = 1 << 20

    def __init__(self, raw, name: str, on_close):
        self._raw = raw  # write(bytes), hexdigest(), close(): _PlainFile or _DeflateSpool
        self.name = name
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._size = 0
        self._on_close = on_close
        self.closed = False

    def write(self, data: bytes) -> int:
        if self._pending_size < 0:
            raise ExportError(f"{self.name}: written after its compressed tail began")
        size = len(data)
        self._pending.append(data)
        self._pending_size += size
        self._size += size
        if self._pending_size >= self.BLOCK:
            self._flush()
        return size

    def _flush(self) -> None:
        if self._pending:
            block = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending, self._pending_size = [], 0
            self._raw.write(block)

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def continue_deflated(self) -> "_DeflatedTail":
        """The rest of this file comes compressed already, by a compressor of its own (the
        second half of a split export, parallel.py); this file takes no more plain writes."""
        self._flush()
        self._pending_size = -1  # write() now fails loudly
        return _DeflatedTail(self)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._flush()
            self._on_close(self, FileRecord(self._raw.hexdigest(), self._size))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _DeflatedTail:
    """Appends to a zip entry being written (a ``_HashingFile`` over a ``_DeflateSpool``)
    data another raw deflate stream holds: the entry's own stream is ended with a full flush
    (byte-aligned, not final, no back-references across it), the other stream follows it as
    is, and the CRC-32s combine. The plain bytes still pass through here for the sha256."""

    def __init__(self, file: _HashingFile):
        spool = file._raw
        if not isinstance(spool, _DeflateSpool):
            raise ExportError(f"{file.name}: only a zip entry takes a compressed tail")
        self.file, self.spool = file, spool
        spool.end_with_full_flush()

    def plain(self, block: bytes) -> None:
        """The next plain bytes of the file (hashed and counted, not compressed)."""
        self.spool._hash.update(block)
        self.file._size += len(block)

    def deflated(self, block: bytes) -> None:
        """The next bytes of the other deflate stream, which ends the entry."""
        self.spool.spool.write(block)

    def end(self, crc: int, size: int) -> None:
        """The other stream is complete: ``crc`` and ``size`` of the plain bytes it holds."""
        self.spool.crc = isal_zlib.crc32_combine(self.spool.crc, crc, size)
        self.spool.ended = True


_BAD_NAME_PART = re.compile(r"^\.{0,2}$")


class FileRecords:
    """Every file a sink has written, name -> FileRecord in the order they were completed
    (what the export manifest lists), read like a dict.

    The records wait in a temporary file, and only the names' hashes stay in memory (a
    per-article format writes two files an article: a record in a dict took ~350 bytes of
    memory a file, a hash takes ~60). A name whose hash is known is looked up in the file,
    so ``in`` is exact."""

    _FIXED = struct.Struct("<32sQH")  # sha256, size, name length

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._hashes: set[int] = set()
        self._count = 0

    def __setitem__(self, name: str, record: FileRecord) -> None:
        if name in self:
            raise ExportError(f"file {name!r} written twice")
        encoded = name.encode("utf-8")
        self._file.write(self._FIXED.pack(bytes.fromhex(record.sha256), record.size,
                                          len(encoded)) + encoded)  # fmt: skip
        self._hashes.add(hash(name))
        self._count += 1

    def __contains__(self, name: object) -> bool:
        return hash(name) in self._hashes and any(found == name for found in self)

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple[str, FileRecord]]:
        self._file.seek(0)
        try:
            for _ in range(self._count):
                digest, size, length = self._FIXED.unpack(self._file.read(self._FIXED.size))
                yield self._file.read(length).decode("utf-8"), FileRecord(digest.hex(), size)
        finally:
            self._file.seek(0, os.SEEK_END)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self.items())

    def __getitem__(self, name: str) -> FileRecord:
        for found, record in self.items():
            if found == name:
                return record
        raise KeyError(name)

    def close(self) -> None:
        self._file.close()


class Sink:
    """Where a writer's files go. ``files`` maps every written name to its sha256 and size,
    in the order the files were completed (what the export manifest needs)."""

    def __init__(self):
        self.files = FileRecords()
        self._open_names: set[str] = set()

    def open(self, name: str) -> _HashingFile:
        """A binary file for ``name`` (a relative path with '/' separators), new every time."""
        self._claim(name)
        return _HashingFile(self._open_raw(name), name, self._closed)

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.open(name) as f:
            f.write(data)

    def close(self) -> None:
        """Finish the container (zip); files still open are an error."""
        if self._open_names:
            raise ExportError(f"files still open: {sorted(self._open_names)}")

    def _claim(self, name: str) -> None:
        parts = name.split("/")
        if "\\" in name or any(_BAD_NAME_PART.match(p) for p in parts):
            raise ExportError(f"bad file name {name!r} (relative, '/'-separated, no '..')")
        if name in self.files or name in self._open_names:
            raise ExportError(f"file {name!r} written twice")
        self._open_names.add(name)

    def _closed(self, handle: _HashingFile, record: FileRecord) -> None:
        self._close_raw(handle)
        self._open_names.discard(handle.name)
        self.files[handle.name] = record

    def _open_raw(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def _close_raw(self, handle: _HashingFile) -> None:
        handle._raw.close()


class DirSink(Sink):
    """Files under a directory; refuses to overwrite anything."""

    def __init__(self, root: str | os.PathLike):
        super().__init__()
        self.root = Path(root)

    def _open_raw(self, name: str) -> BinaryIO:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return _PlainFile(open(path, "xb"))


# Fixed entry times make the zip a pure function of its contents (same data, same sha256).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class _DeflateSpool:
    """One zip entry's data, deflated as it is written into a temporary file (on disk past
    8 MiB), with its CRC-32 and sha256.

    From the second block on (a growing file: jsonl, csv, the SemEval TSV), hashing,
    compressing and spooling run in a thread: zlib and hashlib release the GIL on large
    blocks, so they overlap with the writer building the next lines on another core. The
    queue holds a few blocks at most, so memory stays flat. Small files stay on the caller's
    thread (a thread per file would cost more than it saves)."""

    QUEUE = 4  # blocks waiting for the thread, at most

    def __init__(self, level: int | None, target: BinaryIO | None = None, hashing: bool = True):
        self._deflate = raw_deflater(level)
        # where the deflated bytes go (write(), tell()): a temporary file unless given
        self.spool = target or tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
        self.crc = 0
        self._hash = hashlib.sha256() if hashing else _NoHash()
        self._blocks = 0
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.ended = False  # True once a compressed tail (_DeflatedTail) has ended the stream

    def write(self, block: bytes) -> None:
        self._blocks += 1
        if self._blocks == 2 and self._thread is None:
            self._queue = queue.Queue(self.QUEUE)
            self._thread = threading.Thread(target=self._work, name="zip-deflate", daemon=True)
            self._thread.start()
        if self._queue is None:
            self._consume(block)
            return
        if self._error is not None:
            raise ExportError(f"compressing failed: {self._error}") from self._error
        self._queue.put(block)

    def _consume(self, block: bytes) -> None:
        self._hash.update(block)
        self.crc = isal_zlib.crc32(block, self.crc)  # 3x zlib's
        self.spool.write(self._deflate.compress(block))

    def _work(self) -> None:
        while (block := self._queue.get()) is not None:
            if self._error is None:  # after a failure, drain so that put() never blocks
                try:
                    self._consume(block)
                except BaseException as exc:
                    self._error = exc

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def end_with_full_flush(self) -> None:
        """Compress what is queued and end the stream so far with a full flush: another
        deflate stream may follow (``_DeflatedTail``)."""
        self._stop()
        self._raise_error()
        self.spool.write(self._deflate.flush(isal_zlib.Z_FULL_FLUSH))
        self._queue = None

    def finish(self) -> int:
        """Wait for the thread, end the deflate stream; return the compressed size."""
        self._stop()
        self._raise_error()
        if not self.ended:  # a compressed tail ended the stream itself
            self.spool.write(self._deflate.flush())
        return self.spool.tell()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise ExportError(f"compressing failed: {self._error}") from self._error

    def hexdigest(self) -> str:
        self._stop()
        return self._hash.hexdigest()

    def close(self) -> None:
        self._stop()
        self.spool.close()


class _NoHash:
    def update(self, data: bytes) -> None:
        pass

    def hexdigest(self) -> str:
        return ""


def raw_deflater(level: int | None):
    """A raw deflate compressor (what a zip entry holds, as ``zipfile`` makes it).

    Levels 0-3 use ISA-L (``isal``): on our text its level 1 is ~4x faster than zlib's level 1
    (240 against 60 MB/s here) and compresses ~8% better; the deflate stream differs from
    zlib's, not the data. Higher levels, or None (6), use zlib."""
    if level is not None and level <= isal_zlib.ISAL_BEST_COMPRESSION:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    level = zlib.Z_DEFAULT_COMPRESSION if level is None else level
    return zlib.compressobj(level, zlib.DEFLATED, -15)


class ZipSink(Sink):
    """Files in a zip archive. A zip takes one entry at a time, so each file is deflated into
    a temporary file as it is written and copied in when it is closed: a growing file and
    per-article files can be open together.

    The entries are what ``ZipFile.open(info, "w")`` writes (same header and order, and the
    same deflate stream for zlib levels), only compressed ahead of time (``_DeflateSpool``);
    ``compresslevel`` 0-3 compresses with ISA-L (``raw_deflater``)."""

    def __init__(self, target: str | os.PathLike | BinaryIO, compresslevel: int | None = None):
        super().__init__()
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        # The entries wait for the central directory on disk, not in memory (a per-article
        # format writes two files an article); the sink refuses duplicate names itself.
        self.zip.filelist = _SpilledEntries(self.entry)
        self.zip.NameToInfo = _NoNames()
        self.compresslevel = compresslevel  # zlib level; None is zlib's default (6)

    def entry(self, name: str) -> zipfile.ZipInfo:
        """A new entry as this sink writes them (sizes, CRC and offset still to set)."""
        info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = self.compresslevel
        info.external_attr = 0o644 << 16
        return info

    def _open_raw(self, name: str) -> _DeflateSpool:
        return _DeflateSpool(self.compresslevel)

    def _close_raw(self, handle: _HashingFile) -> None:
        spool: _DeflateSpool = handle._raw
        try:
            info = self.entry(handle.name)
            info.file_size = handle._size
            info.compress_size = spool.finish()
            info.CRC = spool.crc
            spool.spool.seek(0)
            _add_deflated(self.zip, info, spool.spool)
        finally:
            spool.close()

    def close(self) -> None:
        super().close()
        try:
            self.zip.close()
        finally:
            self.zip.filelist.close()


class _SpilledEntries:
    """``ZipFile.filelist`` (the entries its central directory lists) kept in a temporary
    file: a ``ZipInfo`` held for every file until ``close()`` took ~0.5 KB of memory a file.
    zipfile appends to it as entries are written, and iterates it and takes its length when
    it writes the central directory.

    Every entry is one ``ZipSink._close_raw`` made: what differs between them (name, CRC,
    sizes, offset, and what ``FileHeader`` may raise for zip64) is stored, 40 bytes and the
    name; the rest is ``ZipSink.entry``'s."""

    _FIXED = struct.Struct("<IQQQHHHH")  # CRC, sizes, offset, flags, versions, name length

    def __init__(self, template: Callable[[str], zipfile.ZipInfo]):
        self._template = template
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._count = 0

    def append(self, info: zipfile.ZipInfo) -> None:
        name = info.filename.encode("utf-8")
        self._file.write(self._FIXED.pack(
            info.CRC, info.compress_size, info.file_size, info.header_offset, info.flag_bits,
            info.extract_version, info.create_version, len(name)) + name)  # fmt: skip
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        if self._file.closed:  # an abandoned sink's zip being closed by the garbage collector
            return
        self._file.seek(0)
        read = self._file  # buffered
        for _ in range(self._count):
            crc, packed, size, offset, flags, extract, create, length = self._FIXED.unpack(
                read.read(self._FIXED.size)
            )
            info = self._template(read.read(length).decode("utf-8"))
            info.CRC, info.compress_size, info.file_size = crc, packed, size
            info.header_offset, info.flag_bits = offset, flags
            info.extract_version, info.create_version = extract, create
            yield info
        self._file.seek(0, os.SEEK_END)

    def close(self) -> None:
        self._file.close()


class _NoNames(dict):
    """``ZipFile.NameToInfo``, which zipfile fills only to warn of a duplicate name: left
    empty (``Sink`` refuses duplicates before anything is written)."""

    def __setitem__(self, name, info) -> None:
        pass


def _add_deflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: BinaryIO) -> None:
    """Append an entry whose deflated bytes, CRC and sizes are already known.

    zipfile has no public call for this; these are the steps of ``ZipFile._open_to_write``
    and ``_ZipWriteFile.close`` for a seekable file (header written once, with the final
    sizes: the same bytes). ``test_zip_sink_*`` compares the result with ``ZipFile.open``."""
    if zf._writing:
        raise ExportError("the zip has an entry open for writing")
    zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's rule without force_zip64
    if not zip64 and info.compress_size > zipfile.ZIP64_LIMIT:
        raise ExportError(f"{info.filename}: compressed size too large for a zip without zip64")
    info.flag_bits = 0x00
    with zf._lock:
        zf.fp.seek(zf.start_dir)
        info.header_offset = zf.fp.tell()
        zf._writecheck(info)
        zf._didModify = True
        zf.fp.write(info.FileHeader(zip64))
        shutil.copyfileobj(data, zf.fp, 1 << 20)
        zf.start_dir = zf.fp.tell()
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info


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

    def merge(self, other: "ExportStats") -> None:
        """Add the counts of ``other`` (another writer's, over other articles)."""
        self.articles += other.articles
        self.spans += other.spans
        self.labels.update(other.labels)
        self.annotators.update(other.annotators)
        for mine, theirs in ((self.dropped, other.dropped), (self.adjusted, other.adjusted)):
            for reason, counts in theirs.items():
                mine.setdefault(reason, Counter()).update(counts)

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
    values or None for any string)), and implement ``start`` (open growing files, write
    headers), ``write_article`` and optionally ``end``.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    options: ClassVar[Mapping[str, tuple[Any, tuple | None]]] = {}
    # True when two writers over two halves of the articles, their files concatenated, write
    # what one writer writes: start() and end() write nothing, no per-article files, and each
    # article's output depends on that article only (``parallel.py`` builds large exports so).
    splittable: ClassVar[bool] = False

    def __init__(self, labels: Iterable[ExportLabel], options: Mapping | None = None):
        self.labels: dict[str, ExportLabel] = {}
        for label in labels:
            if label.key in self.labels:
                raise ExportError(f"label {label.key!r} given twice")
            self.labels[label.key] = label
        self.opts = self.clean_options(options)
        self.stats = ExportStats()
        self.sink: Sink | None = None
        self._streams: list[_HashingFile] = []
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

    def files(self) -> list[str]:
        """Names of the files written once per export (growing streams, schema files);
        per-article files (SemEval, brat) come on top."""
        return []

    # lifecycle ---------------------------------------------------------------------------

    def begin(self, sink: Sink) -> None:
        if self.sink is not None:
            raise ExportError(f"{self.name}: writer already started")
        self.sink = sink
        self.start()

    def write(self, article: ExportArticle) -> None:
        if self.sink is None:
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
        for stream in self._streams:
            stream.close()
        return self.stats.as_dict()

    def abort(self) -> None:
        """Close what is open after a failure (the export service discards the output)."""
        for stream in self._streams:
            stream.close()

    # for subclasses ----------------------------------------------------------------------

    def start(self) -> None:
        pass

    def write_article(self, article: ExportArticle) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass

    def open_stream(self, name: str) -> _HashingFile:
        """A file that stays open for the whole export and is closed by finish()."""
        stream = self.sink.open(name)
        self._streams.append(stream)
        return stream

    def article_file_id(self, article: ExportArticle, source: str = "external") -> str:
        """``file_id`` plus a check that no two articles share one (a duplicate feed)."""
        ident = file_id(article, source)
        if ident in self._seen_ids:
            raise ExportError(f"article {article.external_id!r}: id {ident!r} used twice")
        self._seen_ids.add(ident)
        return ident


def write_export(
    writer: FormatWriter, sink: Sink, articles: Iterable[ExportArticle]
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
