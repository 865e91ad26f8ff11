"""The export's fast paths give the same results as the plain ones they replace: orjson lines
against the standard library's, and the PostgreSQL reader thread against reading in place
(errors and early stops included); and the ZipSink (a writer thread, files streamed or waiting
their turn) holds exactly what was written, reproducibly."""

import hashlib
import io
import json
import random
import threading
import zipfile

import pytest
from django.db import connection

from annotator.exports.formats import (
    ExportArticle,
    ExportError,
    ExportLabel,
    ExportSpan,
    Sink,
    ZipSink,
    write_export,
)
from annotator.exports.formats.jsonl import JsonlWriter, json_line, stdlib_fragment
from annotator.exports.formats.sinks import BLOCK, FileRecord
from annotator.exports.selection import _prefetched, load_metadata


def stdlib_line(obj) -> bytes:
    """What the jsonl writer wrote before orjson."""
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char in ("\u0085", "\u2028", "\u2029"):
        line = line.replace(char, f"\\u{ord(char):04x}")
    return (line + "\n").encode("utf-8")


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"source": "x", "n": 3},
        # numbers orjson writes differently (1e16) or refuses (past 64 bits)
        {"big": 2**70, "f": 1e16, "small": 1e-7, "half": 0.5, "list": [1.5, None, True]},
        {"nested": {"line\u2028sep": "a\u2029b\u0085c", "rtl": "عادلة"}},
    ],
)
def test_json_line_matches_the_standard_library(unicode_sample, meta):
    text = unicode_sample + '\u2028\u2029\u0085\x00\x1f\x7f"\\/\r\n\t'
    record = {"id": "a\u2028b", "article_id": 7, "text": text, "published": None, "meta": meta}
    fast = json_line({**record, "meta": stdlib_fragment(meta)})
    assert fast == stdlib_line(record)
    assert fast.count(b"\n") == 1
    assert len(fast.decode("utf-8").splitlines()) == 1
    assert json.loads(fast) == record


@pytest.mark.parametrize("where", ["text", "title", "note", "annotator", "meta", "label", "none"])
def test_jsonl_writer_escapes_line_breaks_wherever_they_are(where):
    """The writer looks for line breaks in its strings instead of its output; a break in any
    field must still come out escaped, the line identical to the standard library's."""
    brk = "\u2028"
    text = "Plain text" + (brk if where == "text" else "") + " with a span."
    label = ExportLabel("doubt", "Doubt", "Doubt" + (brk if where == "label" else ""))
    span = ExportSpan(
        0,
        5,
        "doubt",
        "Plain",
        "ann" + (brk if where == "annotator" else ""),
        "a note" + (brk if where == "note" else ""),
    )
    article = ExportArticle(
        1,
        "ext-1",
        "Title" + (brk if where == "title" else ""),
        text,
        {"k": "v" + (brk if where == "meta" else "")},
        [span],
    )
    sink = MemorySink()
    write_export(JsonlWriter([label]), sink, [article])
    line = sink.data["articles.jsonl"]
    assert brk.encode() not in line
    assert line.count(b"\n") == 1
    record = json.loads(line)
    assert line == stdlib_line(record)
    assert record["text"] == text
    assert record["spans"][0]["note"] == span.note
    assert record["spans"][0]["annotator"] == span.annotator
    assert record["spans"][0]["official_label"] == label.official_label
    assert record["title"] == article.title
    assert record["meta"] == article.metadata


class MemorySink(Sink):
    def __init__(self):
        super().__init__()
        self.data: dict[str, bytes] = {}

    def _opened(self, file):
        file.target = []

    def _write(self, file, block):
        file.target.append(block)

    def _finish(self, file, last):
        self.data[file.name] = b"".join(file.target) + last


def sample_zip(stream: bool = True):
    """A growing file of several MiB with small files closed meanwhile (so it waits in a
    temporary file), an empty file, then a growing file written alone (so it streams)."""
    rng = random.Random(3)
    words = ["café", "🔥", "no\u00a0break", "عادلة", "e\u0301"]
    words += ["".join(rng.choices("abcdefgh", k=5)) for _ in range(500)]
    buffer = io.BytesIO()
    sink = ZipSink(buffer, stream=stream)
    tsv, written, closed = sink.open("data/all-labels.tsv"), [], []
    for n in range(2500):
        line = (" ".join(rng.choices(words, k=400)) + "\n").encode("utf-8")
        tsv.write(line)
        written.append(line)
        if n % 500 == 0:
            sink.write_bytes(f"small-{n}.txt", f"article {n}".encode())
            closed.append((f"small-{n}.txt", f"article {n}".encode()))
    sink.write_bytes("empty.txt", b"")
    closed.append(("empty.txt", b""))
    tsv.close()
    closed.append(("data/all-labels.tsv", b"".join(written)))
    with sink.open("manifest.json") as alone:
        for line in written:
            alone.write(line)
    closed.append(("manifest.json", b"".join(written)))
    sink.close()
    return buffer.getvalue(), sink, closed


@pytest.mark.parametrize("stream", [True, False])
def test_zip_sink_holds_exact_bytes_and_hashes(stream):
    blob, sink, files = sample_zip(stream)
    assert len(files[-1][1]) > 4 * BLOCK  # several blocks: streamed, or waiting on disk
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert zf.testzip() is None  # every CRC checks
        assert [(n, zf.read(n)) for n in zf.namelist()] == files  # in closing order
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    for name, data in files:
        assert sink.files[name] == FileRecord(hashlib.sha256(data).hexdigest(), len(data))
    assert list(sink.files) == [name for name, _ in files]


def test_zip_sink_is_reproducible():
    assert sample_zip()[0] == sample_zip()[0]


def test_a_file_written_alone_streams_into_the_zip_before_files_opened_after_it():
    """The zip holds one entry after another: a file that grows alone is written into it as
    it grows, and a file opened meanwhile waits for it (what closing order would not say)."""
    buffer = io.BytesIO()
    sink = ZipSink(buffer)
    alone = sink.open("articles.jsonl")
    alone.write(b"x" * (2 * BLOCK))  # streaming from here on
    sink.write_bytes("later.txt", b"closed first, written second")
    alone.write(b"y" * 10)
    alone.close()
    sink.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        assert zf.namelist() == ["articles.jsonl", "later.txt"]
        assert zf.read("articles.jsonl") == b"x" * (2 * BLOCK) + b"y" * 10
        assert zf.testzip() is None
    assert list(sink.files) == ["later.txt", "articles.jsonl"]  # the manifest's order


def test_zip_sink_errors_reach_the_writer_and_aborting_stops_it():
    class Full(io.BytesIO):
        def write(self, data):
            raise OSError("No space left on device")

    sink = ZipSink(Full())

    def fill_and_close():
        for n in range(10_000):  # until the failure surfaces
            sink.write_bytes(f"f{n}.txt", b"z" * 4096)
        sink.close()

    with pytest.raises(ExportError, match="writing the zip failed.*No space left"):
        fill_and_close()
    sink.abort()
    stopped = ZipSink(io.BytesIO())
    stream = stopped.open("articles.jsonl")
    stream.write(b"x" * (2 * BLOCK))
    stopped.abort()  # a writer failed mid-stream: the zip thread stops, nothing waits
    stream.close()
    assert "zip-writer" not in {thread.name for thread in threading.enumerate()}


# --- the reader thread (PostgreSQL only: SQLite reads in place) ---------------------------

needs_postgres = pytest.mark.postgres  # the reader thread runs on PostgreSQL only


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_reader_thread_reads_through_this_connection_in_order():
    def chunks():
        with connection.cursor() as cursor:  # the reader's connection: the borrowed one
            for n in range(10):
                cursor.execute("SELECT %s, txid_current_if_assigned(), pg_backend_pid()", [n])
                yield cursor.fetchone()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    rows = list(_prefetched(chunks))
    assert [row[0] for row in rows] == list(range(10))
    assert {row[2] for row in rows} == {pid}


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_reader_thread_errors_reach_the_caller_and_early_stops_close_it():
    closed = []

    def failing():
        yield 1
        raise ExportError("chunk 2 is bad")

    with pytest.raises(ExportError, match="chunk 2 is bad"):
        list(_prefetched(failing))

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.append(True)

    reader = _prefetched(endless)
    assert next(reader) == 1
    reader.close()  # what a writer error does: the reader stops and closes its generator
    assert closed == [True]
    with connection.cursor() as cursor:  # the connection is usable here again
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 3, "s": "x"}',
        '{"big": 123456789012345678901, "neg": -9223372036854775809}',
        '{"f": 1.5, "e": 1e-07, "nested": [{"k": 0.1}]}',
        '{"digits": "12345678901234567890"}',
        '{"rtl": "عادلة", "sep": "a\\u2028b"}',
        "{}",
        "null",
        None,
    ],
)
def test_metadata_read_and_written_as_the_standard_library_does(text):
    """Article metadata is parsed and written through orjson where that gives the same
    values and bytes as the standard library (no integers past 64 bits, no floats)."""
    value = load_metadata(text)
    expected = (json.loads(text) if text else None) or {}
    assert value == expected
    assert [type(v) for v in value.values()] == [type(v) for v in expected.values()]
    line = json_line({"meta": stdlib_fragment(value)})
    assert line == stdlib_line({"meta": expected})


def test_zip_sink_with_more_entries_than_a_plain_zip_holds():
    """66,000 files: past zip32's 65,535-entry limit, the later entries and the end records
    are zip64; every file reads back, CRC checked."""
    buffer = io.BytesIO()
    sink = ZipSink(buffer)
    for n in range(66_000):
        sink.write_bytes(f"articles/article{n}.txt", f"text {n} 👨‍👩‍👧".encode())
    assert len(sink.files) == 66_000
    assert "articles/article65999.txt" in sink.files
    assert sink.files["articles/article7.txt"].size == len("text 7 👨‍👩‍👧".encode())
    sink.close()
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    names = archive.namelist()
    assert names == [f"articles/article{n}.txt" for n in range(66_000)]
    assert archive.testzip() is None
    assert archive.read("articles/article65999.txt").decode() == "text 65999 👨‍👩‍👧"
    again = ZipSink(io.BytesIO())
    again.write_bytes("a.txt", b"a")
    with pytest.raises(ExportError, match="written twice"):
        again.write_bytes("a.txt", b"b")
    again.close()
