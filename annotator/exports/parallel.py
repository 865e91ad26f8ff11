"""The second half of a large export, built by a forked process (PostgreSQL only).

One Python process tops out near one core, and an export spends most of its time in Python
(rows to objects, checking spans, encoding lines). For a format whose files all grow line by
line (``FormatWriter.splittable``), ``build_zip`` splits the article range: a child process
writes the second half into temporary files, each both plain and deflated (by the child),
while the parent writes the first half into the zip. Then the parent appends the child's
files to its own zip entries as far as the child has written them, until it is done: it
hashes the plain bytes, and appends the child's deflate stream to its own ended with a full
flush (``formats.base._DeflatedTail``). The zip, its hashes and its manifest are what one
process would have written; the child's counts are added to the parent's.

Both read one snapshot: the parent exports its REPEATABLE READ snapshot
(``pg_export_snapshot()``) and the child's transaction imports it. The child is forked before
the parent starts any thread of the build, gets a database connection of its own (it never
touches the ones it inherited), and leaves with ``os._exit`` so that nothing inherited is
finalised. It stops by itself when the parent disappears (a killed worker).
"""

import contextlib
import mmap
import os
import pickle
import shutil
import signal
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from annotator.exports.formats import FORMATS, ExportError, Sink
from annotator.exports.formats.base import ExportStats, _DeflateSpool

_SNAPSHOT_ID = frozenset("0123456789ABCDEF-")
_inherited: list = []  # the parent's connection wrappers, kept alive until os._exit


MAX_FILES = 8  # files a splittable writer may open
# Shared between parent and child (8-byte slots): articles written, a "finished" flag, then
# for each of the child's files, in the order the writer opened them, the plain bytes and the
# deflated bytes written so far.
_DONE, _FINISHED, _WRITTEN = 0, 1, 2


class _Shared:
    def __init__(self):
        self.map = mmap.mmap(-1, 8 * (_WRITTEN + 2 * MAX_FILES))

    def get(self, slot: int) -> int:
        return struct.unpack_from("q", self.map, 8 * slot)[0]

    def set(self, slot: int, value: int) -> None:
        struct.pack_into("q", self.map, 8 * slot, value)


class _PublishedFile:
    """An unbuffered file whose size so far is published in a shared slot after each write."""

    def __init__(self, path: Path, shared: _Shared, slot: int):
        self.file = open(path, "wb", buffering=0)  # noqa: SIM115 (closed by close())
        self.shared, self.slot, self.size = shared, slot, 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self.file.write(view) :]
        self.size += len(data)
        self.shared.set(self.slot, self.size)

    def tell(self) -> int:
        return self.size

    def close(self) -> None:
        self.file.close()


class _PartFile:
    """One of the child's files, twice: plain (``part-<n>``, for the parent's sha256) and as
    a raw deflate stream (``part-<n>.z``, compressed here, on a thread, as the parent's zip
    entries are), with the CRC-32 and size of the plain bytes."""

    def __init__(self, folder: Path, index: int, shared: _Shared, level: int | None):
        slot = _WRITTEN + 2 * index
        self.plain = _PublishedFile(folder / f"part-{index}", shared, slot)
        self.deflated = _PublishedFile(folder / f"part-{index}.z", shared, slot + 1)
        self.compressor = _DeflateSpool(level, target=self.deflated, hashing=False)

    def write(self, data: bytes) -> None:
        self.plain.write(data)
        self.compressor.write(data)

    def hexdigest(self) -> str:
        return ""

    def close(self) -> None:
        self.compressor.finish()
        self.compressor.close()  # closes self.deflated
        self.plain.close()

    @property
    def crc_and_size(self) -> tuple[int, int]:
        return self.compressor.crc, self.plain.size


class SpoolSink(Sink):
    """Each file of the writer as a ``_PartFile`` in ``folder``, numbered in opening order."""

    def __init__(self, folder: Path, shared: _Shared, level: int | None):
        super().__init__()
        self.folder, self.shared, self.level = folder, shared, level
        self.parts: list[tuple[str, _PartFile]] = []

    def _open_raw(self, name: str) -> _PartFile:
        if len(self.parts) == MAX_FILES:
            raise ExportError(f"a split export writes at most {MAX_FILES} files")
        part = _PartFile(self.folder, len(self.parts), self.shared, self.level)
        self.parts.append((name, part))
        return part

    def summary(self) -> list[tuple[str, int, int]]:
        """(name, CRC-32, plain size) of every file, in opening order."""
        return [(name, *part.crc_and_size) for name, part in self.parts]


def export_snapshot() -> str:
    """The id of this transaction's snapshot, for another session to import."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


class ForkedHalf:
    """The child process building ``selection`` (the second half of an export) into plain
    files in ``folder`` (created here; removed by cleanup())."""

    def __init__(self, selection, fmt: str, labels, format_options, folder: Path, *,
                 level: int | None, delay: float = 0.0):  # fmt: skip
        self.selection = selection
        self.fmt, self.labels, self.format_options = fmt, labels, format_options
        self.level = level  # the zip's compression level
        self.delay = delay  # tests: seconds to sleep per article (build.SLOW_ENV)
        folder.mkdir()
        self.folder = folder
        self._shared = _Shared()
        self.pid = 0
        self._read_fd = -1
        self._status: int | None = None  # the child's wait status, once reaped

    # parent ----------------------------------------------------------------------------------

    def start(self, snapshot: str) -> "ForkedHalf":
        if not set(snapshot) <= _SNAPSHOT_ID:
            raise ExportError(f"unexpected snapshot id {snapshot!r}")
        read_fd, write_fd = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            code = 1
            try:
                self._child(snapshot, write_fd, parent)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self._read_fd = pid, read_fd
        return self

    def done(self) -> int:
        """Articles the child has written so far."""
        return self._shared.get(_DONE)

    def follow(self, streams: list, report: Callable[[int], None]) -> ExportStats:
        """Append the child's files to ``streams`` (the parent's zip entries, in opening
        order) as the child writes them, until it is done; return its counts or raise its
        error. ``report(articles done by the child)`` is called while waiting (heartbeat)."""
        tails = [stream.continue_deflated() for stream in streams]
        growing = []  # per file: its plain bytes (hashed), then its deflated bytes (stored)
        for index, tail in enumerate(tails):
            slot, path = _WRITTEN + 2 * index, self.folder / f"part-{index}"
            growing += [_GrowingFile(path, self._shared, slot, tail.plain),
                        _GrowingFile(path.with_suffix(".z"), self._shared, slot + 1,
                                     tail.deflated)]  # fmt: skip
        try:
            while True:
                finished = self._shared.get(_FINISHED)  # read before the sizes: all counted
                moved = [part.pull() for part in growing]
                if not any(moved):
                    if finished or self._exited():
                        break  # done, or finish() says why not
                    report(self.done())
                    time.sleep(0.005)
        finally:
            for part in growing:
                part.close()
        files, stats = self.finish()
        if [name for name, _, _ in files] != [stream.name for stream in streams]:
            raise ExportError(f"the second half wrote {files}, not the files of this export")
        for (_, crc, size), tail, plain in zip(files, tails, growing[::2], strict=True):
            if size != plain.appended:
                raise ExportError(f"{plain.path.name} ended early")
            tail.end(crc, size)
        return stats

    def _exited(self) -> bool:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self._status = status
        return bool(pid)

    def finish(self) -> tuple[list[tuple[str, int, int]], ExportStats]:
        """Wait for the child: its files (name, CRC-32, size) and counts, or its error."""
        with os.fdopen(self._read_fd, "rb") as pipe:
            self._read_fd = -1
            data = pipe.read()
        if self._status is None:
            _, self._status = os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            outcome = pickle.loads(data) if data else None
        except Exception:
            outcome = None
        if outcome is None:
            raise ExportError(
                "the process building the second half of the export stopped "
                f"({_describe(self._status)})"
            )
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def cleanup(self) -> None:
        """Stop the child if it still runs; delete its files."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            if self._status is None:
                with contextlib.suppress(OSError):
                    os.waitpid(self.pid, 0)
            self.pid = 0
        if self._read_fd >= 0:
            os.close(self._read_fd)
            self._read_fd = -1
        shutil.rmtree(self.folder, ignore_errors=True)
        self._shared.map.close()

    # child -----------------------------------------------------------------------------------

    def _child(self, snapshot: str, write_fd: int, parent: int) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the Celery worker's handlers
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent
        # A connection of our own; the inherited one stays open and untouched (closing or
        # even finalising it would end the parent's session).
        _inherited.append(connections[DEFAULT_DB_ALIAS])
        connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            outcome = self._build(snapshot, parent)
        except BaseException as exc:  # reported to the parent, raised there
            outcome = exc
        finally:
            with contextlib.suppress(Exception):
                connections[DEFAULT_DB_ALIAS].close()
        try:
            data = pickle.dumps(outcome)
        except Exception:
            data = pickle.dumps(ExportError(f"{type(outcome).__name__}: {outcome}"))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    def _build(self, snapshot: str, parent: int):
        from annotator.exports.build import iter_export_articles

        writer = FORMATS[self.fmt](self.labels, self.format_options)
        sink = SpoolSink(self.folder, self._shared, self.level)
        connection = connections[DEFAULT_DB_ALIAS]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            writer.begin(sink)
            done = 0
            articles = iter_export_articles(self.selection)
            with contextlib.closing(articles):
                for article, _ in articles:
                    writer.write(article)
                    done += 1
                    self._shared.set(_DONE, done)
                    if os.getppid() != parent:  # the worker was killed: stop too
                        os._exit(1)
                    if self.delay:
                        time.sleep(self.delay)
            writer.finish()
        self._shared.set(_FINISHED, 1)
        return sink.summary(), writer.stats


class _GrowingFile:
    """A file the child is writing, passed on to ``take`` as far as its published size."""

    def __init__(self, path: Path, shared: _Shared, slot: int, take: Callable[[bytes], None]):
        self.path, self.shared, self.slot, self.take = path, shared, slot, take
        self.appended = 0
        self.file: BinaryIO | None = None

    def pull(self) -> bool:
        """Pass on what was written since the last call; whether there was anything."""
        missing = self.shared.get(self.slot) - self.appended
        if missing <= 0:
            return False
        if self.file is None:
            self.file = open(self.path, "rb")  # noqa: SIM115 (closed by close())
        while missing > 0:
            block = self.file.read(min(missing, 1 << 20))
            if not block:
                raise ExportError(f"{self.path.name} is shorter than its published size")
            self.take(block)
            self.appended += len(block)
            missing -= len(block)
        return True

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
