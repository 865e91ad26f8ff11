"""The CoNLL reader reads a document of our layout at a time (``read_conll``) and falls back to
its line-by-line path (``read_conll_lines``) for anything else: both must give the same records
and the same issues, on exports and on every odd file, and an export must take the block path."""

import io
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_formats import LABELS
from test_import_formats import token_corpus

from annotator.exports.formats import FORMATS, DirSink, write_export
from annotator.imports import conll
from annotator.imports.records import ArticleRecord, ImportOptions, LabelIndex

HEADER = "# columns = token\tstart\tend\tloaded_language\tdoubt\n"


@pytest.fixture
def options():
    labels = [
        SimpleNamespace(id=n, key=label.key, official_label=label.official_label, retired=False)
        for n, label in enumerate(LABELS, 1)
    ]
    return ImportOptions(labels=LabelIndex(labels))


def both(data: bytes, options) -> list:
    """The block reader's output, checked equal to the line reader's."""
    blocks = list(conll.read_conll(io.BytesIO(data), "f.conll", options))
    lines = list(conll.read_conll_lines(io.BytesIO(data), "f.conll", options))
    assert blocks == lines
    return blocks


def exported(unicode_sample, tmp_path, columns: str) -> bytes:
    sink = DirSink(tmp_path)
    write_export(
        FORMATS["conll"](LABELS, {"columns": columns}), sink, iter(token_corpus(unicode_sample))
    )
    sink.close()
    return (tmp_path / "tokens.conll").read_bytes()


@pytest.mark.parametrize("columns", ["label", "category", "single"])
def test_an_export_reads_by_blocks_the_same_as_by_lines(
    columns, options, unicode_sample, tmp_path, monkeypatch
):
    data = exported(unicode_sample, tmp_path, columns)
    assert b"\n\\#\t" in data  # the export escaped a token starting with "#"
    read_lines = []
    original = conll._Reader.lines

    def lines(self, stream, first=1):
        read_lines.append(first)
        return original(self, stream, first)

    records = both(data, options)
    monkeypatch.setattr(conll._Reader, "lines", lines)
    assert list(conll.read_conll(io.BytesIO(data), "f.conll", options)) == records

    assert [type(r) for r in records] == [ArticleRecord] * len(token_corpus(unicode_sample))
    assert any(record.spans for record in records)
    assert "#hoax" in records[-1].text  # the escape is read back
    # the block path read every document: only the header went line by line
    assert read_lines == [1]


@pytest.mark.parametrize("size", [1, 7, 64])
def test_documents_cut_across_chunks_and_past_the_block_limit(size, options, monkeypatch):
    documents = "".join(
        f"# doc_id = d{n}\nIt\t0\t2\tB-loaded_language\tO\nis\t3\t5\tI-loaded_language\tB-doubt\n\n"
        for n in range(20)
    )
    data = (HEADER + documents).encode()
    expected = both(data, options)
    monkeypatch.setattr(conll, "_CHUNK", size)
    monkeypatch.setattr(conll, "_BLOCK_LIMIT", size * 3)
    assert both(data, options) == expected
    assert [r.external_id for r in expected] == [f"d{n}" for n in range(20)]
    ids = {label.key: n for n, label in enumerate(LABELS, 1)}
    assert expected[0].spans == [(0, 5, ids["loaded_language"]), (3, 5, ids["doubt"])]


ODD_BODIES = {
    "crlf": "# doc_id = a\r\nWe\t0\t2\tO\tO\r\nlie\t3\t6\tB-doubt\tO\r\n\r\n",
    "bare cr in a word": "# doc_id = a\nW\re\t0\t3\tO\tO\n",
    "two blank lines": "# doc_id = a\nWe\t0\t2\tO\tO\n\n\nlie\t4\t7\tO\tO\n",
    "blank line first": "# doc_id = a\n\nWe\t0\t2\tO\tO\n",
    "whitespace line": "# doc_id = a\nWe\t0\t2\tO\tO\n \nlie\t4\t7\tO\tO\n",
    "comment inside": "# doc_id = a\n# text = We lie\nWe\t0\t2\tO\tO\n",
    "docstart inside": "# doc_id = a\n-DOCSTART-\t0\t10\tO\tO\nWe\t11\t13\tO\tO\n",
    "doc id that is a token": "# doc_id = x\t0\t12\tO\tO\nWe\t13\t15\tO\tO\n",
    "hashtag token": (
        "# doc_id = a\n#hoax\t0\t5\tB-doubt\tO\n\\#x\t6\t8\tO\tO\n\\\\p\t9\t11\tO\tO\n"
    ),
    "escape that is the word": "# doc_id = a\n\\x\t0\t2\tO\tO\n",
    "underscore tag": "# doc_id = a\nWe\t0\t2\t_\tO\n",
    "unknown label": "# doc_id = a\nWe\t0\t2\tO\tB-nonsense\n",
    "bad tag": "# doc_id = a\nWe\t0\t2\tO\tX\n",
    "empty tag": "# doc_id = a\nWe\t0\t2\t\tO\n",
    "too few columns": "# doc_id = a\nWe\t0\t2\tO\nlie\t3\t6\tO\tO\tO\n",
    "missing offset": "# doc_id = a\nWe\t\t2\tO\tO\n",
    "signed offset": "# doc_id = a\nWe\t+0\t2\tO\tO\n",
    "spaced offset": "# doc_id = a\nWe\t 0\t2\tO\tO\n",
    "leading zero": "# doc_id = a\nWe\t00\t02\tO\tO\n",
    "arabic digits": "# doc_id = a\nWe\t\u0660\t2\tO\tO\n",
    "huge offset": "# doc_id = a\nWe\t99999999999999999999\t100000000000000000001\tO\tO\n",
    "wrong length": "# doc_id = a\nWe\t0\t3\tO\tO\n",
    "backwards": "# doc_id = a\nWe\t5\t7\tO\tO\nlie\t0\t3\tO\tO\n",
    "empty word": "# doc_id = a\n\t0\t0\tO\tO\nWe\t1\t3\tO\tO\n",
    "no tokens": "# doc_id = a\n\n# doc_id = b\nWe\t0\t2\tO\tO\n",
    "same id twice": "# doc_id = a\nWe\t0\t2\tO\tO\n# doc_id = a\nlie\t0\t3\tO\tO\n",
    "i after a sentence": "# doc_id = a\nWe\t0\t2\tB-doubt\tO\n\nlie\t4\t7\tI-doubt\tO\n",
    "bioes": (
        "# doc_id = a\nWe\t0\t2\tS-doubt\tB-loaded_language\n"
        "lie\t3\t6\tB-doubt\tE-loaded_language\n"
    ),
    "no final newline": "# doc_id = a\nWe\t0\t2\tO\tO",
    "emoji and rtl": (
        "# doc_id = a\n🔥\t0\t1\tB-doubt\tO\nעברית\t2\t7\tI-doubt\tO\n\u00a0x\t8\t10\tO\tO\n"
    ),
}


@pytest.mark.parametrize("body", ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_odd_documents_read_the_same_by_blocks_and_by_lines(body, options):
    records = both((HEADER + "# doc_id = first\nOk\t0\t2\tO\tO\n\n" + body).encode(), options)
    assert records
    for record in records:  # an issue names the file and a line
        assert isinstance(record, ArticleRecord) or (record.file, record.line >= 2) == (
            "f.conll",
            True,
        )


def test_the_text_is_rebuilt_with_line_breaks_where_sentences_ended(options):
    data = (
        (
            HEADER + "# doc_id = a\n"
            "We\t2\t4\tO\tO\nlie\t6\t9\tB-doubt\tO\n\n"  # a gap of 2 inside a sentence
            "Ok\t10\t12\tI-doubt\tO\n\n"  # a new sentence right after: a line break
            "🔥\t15\t16\tO\tO\n"  # and three characters later: a line break and two spaces
        ).encode()
    )
    [record] = both(data, options)
    assert record.text == "  We  lie\nOk\n  🔥"
    doubt = [label.key for label in LABELS].index("doubt") + 1
    assert record.spans == [(6, 9, doubt), (10, 12, doubt)]  # an I- after a sentence: new span


def test_invalid_utf8_and_a_bom_read_the_same(options):
    records = both(
        b"\xef\xbb\xbf" + HEADER.encode() + b"# doc_id = a\nW\xffe\t0\t2\tO\tO\n"
        b"# doc_id = b\nWe\t0\t2\tO\tO\n",
        options,
    )
    assert [type(r).__name__ for r in records] == ["ImportIssue", "ArticleRecord"]
    assert records[0].line == 3


WORDS = ["We", "lie", "#hoax", "\\#x", "🔥", "e\u0301", "\u00a0x", "عادلة", "עברית", "\\\\p"]
ODD_WORDS = ["\\", "-DOCSTART-", "", "#", "\u00a0"]
TAGS = ["O", "O", "O", "B-doubt", "I-doubt", "E-doubt", "S-doubt", "B-Loaded_Language"]
ODD_TAGS = ["I-loaded_language", "_", "B-nope", "X", ""]


@st.composite
def token_line(draw, position: int, odd: bool) -> tuple[str, int]:
    """A token line after ``position`` and its end; ``odd``: maybe off by a column, an offset,
    a word or a tag."""
    word = draw(st.sampled_from(WORDS + ODD_WORDS if odd else WORDS))
    start = position + draw(st.sampled_from([1, 1, 1, 2, 0] if odd else [1, 1, 1, 2]))
    end = start + len(word.removeprefix("\\")) + (draw(st.sampled_from([0, 0, 0, 1])) if odd else 0)
    tags = draw(st.lists(st.sampled_from(TAGS + ODD_TAGS if odd else TAGS), min_size=2, max_size=2))
    if odd and draw(st.booleans()):
        tags = tags[: draw(st.integers(1, 2))] + ["O"] * draw(st.integers(0, 1))
    return "\t".join([word, str(start), str(end), *tags]), end


@st.composite
def documents(draw) -> str:
    """A CoNLL file of our layout: half of its documents plain (they take the block path),
    the others with odd lines, blank lines, CRLF or comments (they fall back to the lines)."""
    out = [HEADER]
    for n in range(draw(st.integers(1, 4))):
        odd = draw(st.booleans())
        heads = [f"# doc_id = d{n}\n", "#doc_id=x\n", "# doc_id = d0\n"]
        out.append(draw(st.sampled_from(heads)) if odd else f"# doc_id = d{n}\n")
        ends = ["\n", "\n", "\n", "\n\n"] + (["\r\n", "\n\n\n", "\n# c\n"] if odd else [])
        position = 0
        for _ in range(draw(st.integers(0 if odd else 1, 8))):
            line, position = draw(token_line(position, odd))
            out.append(line + draw(st.sampled_from(ends)))
    return "".join(out)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=documents())
def test_any_file_reads_the_same_by_blocks_and_by_lines(data, options):
    both(data.encode(), options)
