"""The second half of a large export, built by a forked process (PostgreSQL only).

One Python process tops out near one core, and an export spends most of its time in Python
(rows to objects, checking spans, encoding lines). For a format whose files all grow line by
line (``FormatWriter.splittable``), ``build_zip`` splits the article range: a child process
writes the lines of the second half into plain temporary files while the parent writes the
first half into the zip, then the parent appends the child's files to its own streams (so the
zip, its hashes and its manifest are what one process would have written) and adds the
child's counts to its own.

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
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from annotator.exports.formats import FORMATS, ExportError, Sink
from annotator.exports.formats.base import ExportStats

_SNAPSHOT_ID = frozenset("0123456789ABCDEF-")
_inherited: list = []  # the parent's connection wrappers, kept alive until os._exit


class _RawFile:
    """A plain file for the child's lines: the parent hashes them when it appends them."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")  # noqa: SIM115

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def hexdigest(self) -> str:
        return ""

    def close(self) -> None:
        self.file.close()


class SpoolSink(Sink):
    """Each file of the writer as a plain file in ``folder``; ``paths`` says where."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def _open_raw(self, name: str) -> _RawFile:
        path = self.folder / f"part-{len(self.paths)}"
        self.paths[name] = path
        return _RawFile(path)


def export_snapshot() -> str:
    """The id of this transaction's snapshot, for another session to import."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


class ForkedHalf:
    """The child process building ``selection`` (the second half of an export) into plain
    files in ``folder`` (created here; removed by cleanup())."""

    def __init__(self, selection, fmt: str, labels, format_options, folder: Path, delay=0.0):
        self.selection = selection
        self.fmt, self.labels, self.format_options = fmt, labels, format_options
        self.delay = delay  # tests: seconds to sleep per article (build.SLOW_ENV)
        folder.mkdir()
        self.folder = folder
        self._counter = mmap.mmap(-1, 8)  # shared with the child: articles it has written
        self.pid = 0
        self._read_fd = -1

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
        return struct.unpack_from("q", self._counter)[0]

    def finish(self) -> tuple[dict[str, Path], ExportStats]:
        """Wait for the child; its files by name and its counts, or its error raised here."""
        with os.fdopen(self._read_fd, "rb") as pipe:
            self._read_fd = -1
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            outcome = pickle.loads(data) if data else None
        except Exception:
            outcome = None
        if outcome is None:
            raise ExportError(
                f"the process building the second half of the export stopped ({_describe(status)})"
            )
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def cleanup(self) -> None:
        """Stop the child if it still runs; delete its files."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        if self._read_fd >= 0:
            os.close(self._read_fd)
            self._read_fd = -1
        shutil.rmtree(self.folder, ignore_errors=True)
        self._counter.close()

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
        sink = SpoolSink(self.folder)
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
                    struct.pack_into("q", self._counter, 0, done)
                    if os.getppid() != parent:  # the worker was killed: stop too
                        os._exit(1)
                    if self.delay:
                        time.sleep(self.delay)
            writer.finish()
        struct.pack_into("q", self._counter, 0, done)
        return dict(sink.paths), writer.stats


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
