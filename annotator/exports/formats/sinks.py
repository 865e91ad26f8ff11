"""Where a format writer's files go: a folder (``DirSink``) or a zip (``ZipSink``).

A sink opens named binary files (relative, '/'-separated, each name once); as each file is
closed its sha256 and size go to ``sink.files``, in closing order: what the export's manifest
lists. Writers encode UTF-8 themselves, so no newline translation can move an offset.

``ZipSink`` writes the zip with stream-zip, in a thread of its own, deflating with ISA-L
(``isal``) level 1: ~320 MB/s on our text against ~77 MB/s for zlib's fastest level, with a
slightly smaller file, so compressing keeps up with the writer instead of doubling the build.
A zip holds one entry after another, but a writer may have several files open at once (a
growing file and a file per article): a file that grows alone (no other file opened since it
was) streams into the zip as it is written; any other file waits for its turn in memory, or in
a temporary file once it passes ``BLOCK``. Memory stays flat as the corpus grows: until the
central directory, stream-zip keeps ~300 bytes an entry, and ``files`` keeps only the names.
"""

import hashlib
import os
import queue
import re
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple

from isal import isal_zlib
from stream_zip import ZIP_32, ZIP_64, Method, stream_zip

from .base import ExportError

BLOCK = 1 << 20  # bytes a file gathers before handing them on (hashing, compressing, queueing)


@dataclass(frozen=True, slots=True)
class FileRecord:
    sha256: str
    size: int


class FileRecords:
    """name -> FileRecord of every closed file, in closing order, read like a dict. The records
    wait in a temporary file, a line each; memory keeps only a hash of each name (for the
    written-twice check): a per-article format writes three files an article, in a folder per
    annotator, and 600,000 names took ~95 MB."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the records)
        self._hashes: set[int] = set()
        self._count = 0

    def add(self, name: str, record: FileRecord) -> None:
        self._hashes.add(hash(name))
        self._count += 1
        self._file.write(f"{record.sha256} {record.size} {name}\n".encode())  # names: one line

    def __contains__(self, name: object) -> bool:
        # a hash seen is a name seen, but for a collision: the records say which
        return hash(name) in self._hashes and any(found == name for found in self)

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple[str, FileRecord]]:
        self._file.seek(0)
        try:
            for line in self._file:
                sha256, size, name = line[:-1].decode().split(" ", 2)
                yield name, FileRecord(sha256, int(size))
        finally:
            self._file.seek(0, os.SEEK_END)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self.items())

    def __getitem__(self, name: str) -> FileRecord:
        for found, record in self.items():
            if found == name:
                return record
        raise KeyError(name)


class SinkFile:
    """A binary file of a sink (``Sink.open``): writes are gathered into blocks of ``BLOCK``
    bytes (an article is a few KB: hashing, compressing and queueing cost less per byte in
    large blocks), hashed, and handed to the sink."""

    def __init__(self, sink: "Sink", name: str):
        self.sink, self.name = sink, name
        self.size = 0  # bytes handed to the sink so far
        self.target: Any = None  # where the sink puts this file's bytes
        self.closed = False
        self._hash = hashlib.sha256()
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, data: bytes) -> int:
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= BLOCK:
            self.sink._write(self, self._take())
        return len(data)

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sink._finish(self, self._take())
            self.sink._closed(self, FileRecord(self._hash.hexdigest(), self.size))

    def _take(self) -> bytes:
        block = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        self._hash.update(block)
        self.size += len(block)
        return block

    def __enter__(self) -> "SinkFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# an empty, "." or ".." part, a backslash, a control character
_BAD_NAME = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|[\\\x00-\x1f\x7f]")


class Sink:
    """Where a writer's files go. Subclasses store the bytes: ``_opened`` (a new file),
    ``_write`` (a block of it, more to come) and ``_finish`` (its last bytes)."""

    def __init__(self) -> None:
        self.files = FileRecords()
        self._open_names: set[str] = set()

    def open(self, name: str) -> SinkFile:
        """A binary file for ``name`` (a relative path with '/' separators), new every time."""
        self._claim(name)
        self._open_names.add(name)
        file = SinkFile(self, name)
        self._opened(file)
        return file

    def write_bytes(self, name: str, data: bytes) -> None:
        """A whole file at once (most per-article files): what ``open``, ``write`` and
        ``close`` do, without a SinkFile (a third of a semeval export's CPU went there)."""
        self._claim(name)
        self._store(name, data)
        self.files.add(name, FileRecord(hashlib.sha256(data).hexdigest(), len(data)))

    def _claim(self, name: str) -> None:
        if _BAD_NAME.search(name):
            raise ExportError(
                f"bad file name {name!r} (relative, '/'-separated, no '..' or control characters)"
            )
        if name in self.files or name in self._open_names:
            raise ExportError(f"file {name!r} written twice")

    def close(self) -> None:
        """Finish the container (zip); files still open are an error."""
        if self._open_names:
            raise ExportError(f"files still open: {sorted(self._open_names)}")

    def abort(self) -> None:
        """Stop after a failure (the caller deletes what was written)."""

    def _closed(self, file: SinkFile, record: FileRecord) -> None:
        self._open_names.discard(file.name)
        self.files.add(file.name, record)

    def _opened(self, file: SinkFile) -> None:
        pass

    def _write(self, file: SinkFile, block: bytes) -> None:
        raise NotImplementedError

    def _finish(self, file: SinkFile, last: bytes) -> None:
        raise NotImplementedError

    def _store(self, name: str, data: bytes) -> None:
        """A whole file (``write_bytes``)."""
        raise NotImplementedError


class PrefixedSink(Sink):
    """A folder inside another sink (one per annotator for the ``each`` layer, one per split)."""

    def __init__(self, inner: Sink, prefix: str):
        self.inner, self.prefix = inner, prefix

    def open(self, name: str) -> SinkFile:
        return self.inner.open(f"{self.prefix}/{name}")

    def write_bytes(self, name: str, data: bytes) -> None:
        self.inner.write_bytes(f"{self.prefix}/{name}", data)


class DirSink(Sink):
    """Files under a directory; refuses to overwrite anything."""

    def __init__(self, root: str | os.PathLike):
        super().__init__()
        self.root = Path(root)

    def _opened(self, file: SinkFile) -> None:
        path = self.root / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        file.target = open(path, "xb")  # noqa: SIM115 (closed by _finish)

    def _write(self, file: SinkFile, block: bytes) -> None:
        file.target.write(block)

    def _finish(self, file: SinkFile, last: bytes) -> None:
        file.target.write(last)
        file.target.close()

    def _store(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as target:
            target.write(data)


_ENTRY_TIME = datetime(1980, 1, 1)  # fixed: the zip is a pure function of its files
_ENTRY_MODE = stat.S_IFREG | 0o644
QUEUE = 8  # batches of entries, or blocks of the streamed file, waiting for the zip thread
# The streamed first entry is a zip32 one (Safari's automatic unzip keeps only the first
# entry of a zip whose first entry is zip64), so it must stay under 4 GiB, compressed or not.
STREAM_LIMIT = 0xFFFFFFFF - (64 << 20)


class ZipStreamTooLarge(ExportError):
    """The file streamed as the zip's first entry passed ``STREAM_LIMIT``."""


class _Entry(NamedTuple):
    name: str
    size: int | None  # None: still being written (the streaming entry)
    method: Method | None  # None: ZIP_32 or ZIP_64 by size and position
    chunks: Iterable[bytes]


class _Aborted(Exception):
    pass


def _deflater() -> Any:
    return isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)  # raw deflate, as zip entries hold


def _read_and_close(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        spool.seek(0)
        while block := spool.read(BLOCK):
            yield block


class ZipSink(Sink):
    """Files in a zip archive written to ``target`` (a binary file), in closing order except
    for the streamed file (see the module docstring); ``close()`` writes the central directory.
    Entries are zip32 while the zip is far from zip32's 4 GiB, zip64 after; past 65,535
    entries the end records are zip64. ``stream=False`` never streams: every file waits until
    it is closed (its size is then known, so a file over 4 GiB gets a zip64 entry)."""

    def __init__(self, target: BinaryIO, *, stream: bool = True):
        super().__init__()
        self.stream = stream
        # Entries go to the zip thread in batches of up to BLOCK bytes, and the writer waits
        # until a batch is written: two threads handing small files to each other spend their
        # time waiting for the GIL (hashing or deflating a few KB releases it and takes it
        # back). Only a streamed file's blocks overlap with the writer.
        self._entries: queue.Queue[list[_Entry] | None] = queue.Queue(QUEUE)
        self._batch_written = threading.Event()
        self._batch: list[_Entry] = []
        self._batch_size = 0
        self._handed = 0  # entries handed over
        self._streaming: SinkFile | None = None  # the file being streamed into the zip
        self._zip32_stream = False  # whether it is the zip32 first entry (STREAM_LIMIT)
        self._waiting: list[_Entry] = []  # files closed while another one streams
        self._last_opened: SinkFile | None = None
        self._error: BaseException | None = None
        self._aborted = False
        self._written = 0  # zip bytes written (zip thread)
        self._count = 0  # entries started (zip thread)
        self._thread = threading.Thread(
            target=self._run, args=(target,), name="zip-writer", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        super().close()
        self._send_batch()
        self._put(self._entries, None)
        self._thread.join()
        self._raise_error()

    def abort(self) -> None:
        self._aborted = True
        self._thread.join()

    # the writer's side -------------------------------------------------------------------

    def _opened(self, file: SinkFile) -> None:
        self._last_opened = file

    def _write(self, file: SinkFile, block: bytes) -> None:
        if file is self._streaming:
            if self._zip32_stream and file.size > STREAM_LIMIT:
                raise ZipStreamTooLarge(f"{file.name} is too large to stream into the zip")
            self._put(file.target, block)
        elif file.target is None and self._may_stream(file):
            self._streaming, self._zip32_stream = file, self._handed == 0
            file.target = queue.Queue(QUEUE)
            method = ZIP_32 if self._zip32_stream else ZIP_64
            self._hand_over(_Entry(file.name, None, method, self._streamed(file.target)))
            self._send_batch(wait=False)
            self._put(file.target, block)
        else:
            if file.target is None:
                file.target = tempfile.TemporaryFile()  # noqa: SIM115 (closed once read)
            file.target.write(block)

    def _may_stream(self, file: SinkFile) -> bool:
        return (
            self.stream
            and self._streaming is None
            and not self._waiting
            and self._last_opened is file
            and len(self._open_names) == 1
        )

    def _finish(self, file: SinkFile, last: bytes) -> None:
        if self._aborted:
            if file.target is not None and not isinstance(file.target, queue.Queue):
                file.target.close()
            return
        if file is self._streaming:
            self._put(file.target, last)
            self._put(file.target, None)
            self._streaming = None
            for entry in self._waiting:
                self._hand_over(entry)
            self._waiting.clear()
            return
        if file.target is None:
            self._queue(_Entry(file.name, file.size, None, (last,)))
        else:
            file.target.write(last)
            self._queue(_Entry(file.name, file.size, None, _read_and_close(file.target)))

    def _store(self, name: str, data: bytes) -> None:
        self._last_opened = None  # as open() would have: the growing file no longer grows alone
        if not self._aborted:
            self._queue(_Entry(name, len(data), None, (data,)))

    def _queue(self, entry: _Entry) -> None:
        """Into the zip now, or after the file that streams."""
        if self._streaming is None:
            self._hand_over(entry)
        else:
            self._waiting.append(entry)

    def _hand_over(self, entry: _Entry) -> None:
        self._batch.append(entry)
        self._batch_size += entry.size or 0
        self._handed += 1
        if self._batch_size >= BLOCK or len(self._batch) >= 1000:
            self._send_batch()

    def _send_batch(self, wait: bool = True) -> None:
        if self._batch:
            self._batch_written.clear()
            self._put(self._entries, self._batch)
            self._batch, self._batch_size = [], 0
            while wait and not self._batch_written.wait(0.1):
                self._raise_error()

    def _put(self, channel: queue.Queue, item: Any) -> None:
        """``channel.put(item)``, unless the zip thread has failed (it would never take it)."""
        while True:
            self._raise_error()
            try:
                channel.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise_error(self) -> None:
        if self._error is not None:
            raise ExportError(f"writing the zip failed: {self._error!r}") from self._error

    # the zip thread ----------------------------------------------------------------------

    def _run(self, target: BinaryIO) -> None:
        try:
            zipped = stream_zip(
                self._members(),
                chunk_size=BLOCK,
                get_compressobj=_deflater,
                extended_timestamps=False,
            )
            for chunk in zipped:
                target.write(chunk)
                self._written += len(chunk)
        except _Aborted:
            pass
        except BaseException as exc:
            self._error = exc

    def _members(self) -> Iterator[tuple[str, datetime, int, Method, Iterable[bytes]]]:
        while (batch := self._get(self._entries)) is not None:
            for entry in batch:
                method = entry.method or self._fitting_method(entry.size or 0)
                self._count += 1
                yield entry.name, _ENTRY_TIME, _ENTRY_MODE, method, entry.chunks
            self._batch_written.set()

    def _fitting_method(self, size: int) -> Method:
        """ZIP_32 when the entry certainly ends well within zip32's 4 GiB (what is written lags
        the zip's true offset by what stream-zip holds back, under BLOCK; deflate may add a
        little to incompressible data). The 65,536th entry is ZIP_64 all the same: it makes
        the end records zip64, which a zip of more entries needs."""
        fits = self._written + 2 * size + 4 * BLOCK < 0xFFFFFFFF
        return ZIP_32 if fits and self._count != 0xFFFF else ZIP_64

    def _streamed(self, blocks: queue.Queue) -> Iterator[bytes]:
        while (block := self._get(blocks)) is not None:
            yield block

    def _get(self, channel: queue.Queue) -> Any:
        while True:
            try:
                return channel.get(timeout=0.1)
            except queue.Empty:
                if self._aborted:
                    raise _Aborted from None
