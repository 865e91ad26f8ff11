"""Export format writers: golden files on a Unicode-heavy corpus, plus independent re-parsing
of every output so a wrong offset fails even if the golden files were regenerated with it.

Regenerate the golden files with ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_export_formats.py``
and review the diff by eye.
"""

import csv
import gc
import hashlib
import io
import json
import os
import re
import shutil
import sys
import unicodedata
import weakref
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from annotator.core.text import normalize_newlines
from annotator.corpus.models import ArticleImage
from annotator.exports.formats import (
    FORMATS,
    DirSink,
    ExportArticle,
    ExportComment,
    ExportError,
    ExportImage,
    ExportLabel,
    ExportSpan,
    SpanMismatch,
    ZipSink,
    file_id,
    write_export,
)
from annotator.exports.formats.brat import covered, fragments
from annotator.exports.formats.tokenize import tokenize

GOLDEN = Path(__file__).parent / "golden" / "exports"

LABELS = [
    ExportLabel(
        "name_calling", "Name Calling/Labeling", "Name_Calling,Labeling", "Attack on Reputation"
    ),
    ExportLabel("doubt", "Doubt", "Doubt", "Attack on Reputation"),
    ExportLabel(
        "appeal_to_fear", "Appeal to Fear/Prejudice", "Appeal_to_fear-prejudice", "Justification"
    ),
    ExportLabel("loaded_language", "Loaded Language", "Loaded_Language", "Manipulative Wording"),
    ExportLabel("inserted_phrase", "Inserted phrase", "", "", "Text added by the manipulator"),
]
LABEL = {label.key: label for label in LABELS}


def span(text: str, phrase: str, label: str, **extra) -> ExportSpan:
    start = text.index(phrase)
    return ExportSpan(start, start + len(phrase), label, phrase, **extra)


def image(text: str, url: str, path: str, caption: str) -> ExportImage:
    """A picture with its caption range; ``path``: its stored copy in the zip."""
    start = text.index(caption)
    return ExportImage(url, url, path, start, start + len(caption), caption)


def build_corpus(unicode_sample: str) -> list[ExportArticle]:
    t1 = unicode_sample
    crlf_raw = (
        'Loaded title\r\n\r\nThey call it "heroic"\r\nbut it is a 🤡\u00a0show.\rEnd of\r\n'
        "story, e\u0301te\u0301.\r\n"
    )
    t2 = normalize_newlines(crlf_raw)
    t3 = "No spans here\u2028but a line separator and ZWJ 👩\u200d💻."
    return [
        ExportArticle(
            id=101,
            external_id="unicode-1",
            title="Breaking",
            text=t1,
            spans=[
                span(t1, "🔥", "loaded_language"),
                span(t1, "👨\u200d👩\u200d👧 families", "name_calling"),
                span(t1, "👨\u200d👩\u200d👧", "doubt", annotator="bob"),
                span(t1, "flee.\nCafe\u0301", "inserted_phrase", origin="import"),
                span(t1, "Cafe\u0301 owners", "loaded_language"),
                span(
                    t1,
                    "«Ñandú» is e\u0300vil",
                    "appeal_to_fear",
                    annotator="alice",
                    note="quotes\nkept",
                ),
                span(t1, "الحرب عادلة\u00a0تماما", "name_calling", annotator="alice"),
                span(t1, "\u00a0", "inserted_phrase"),
                span(t1, "שקרנים", "doubt", annotator="bob", note="Hebrew: liars"),
                span(t1, "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "loaded_language"),
                span(t1, "atastroph", "appeal_to_fear", origin="suggestion"),
            ],
        ),
        ExportArticle(
            id=102,
            external_id="crlf-2",
            title="Loaded title",
            text=t2,
            metadata={"source": "crlf input", "tags": ["a", "b"], "n": 2},
            url="https://example.org/crlf",
            published=date(2020, 5, 17),
            original_text="They call it brave.",
            images=[
                image(
                    t2,
                    "https://example.org/clown.png",
                    "media/images/2020/05/clown.png",
                    "but it is a 🤡\u00a0show.",
                ),
                ExportImage("https://example.org/p.jpg", "https://example.org/p.jpg"),
            ],
            comments=[
                ExportComment(
                    "alice", "annotator", "Loaded?\u2028Yes.", "2020-05-17T10:00:00+00:00"
                ),
                ExportComment(
                    "rev", "curator", "Agreed", "2020-05-18T09:00:00+00:00", (None, "doubt", 70, 75)
                ),
            ],
            spans=[
                span(t2, "heroic", "loaded_language"),
                span(t2, "🤡\u00a0show", "name_calling", note="clown"),
                span(t2, "show.\nEnd", "inserted_phrase"),
                span(t2, "e\u0301te\u0301", "doubt"),
            ],
        ),
        ExportArticle(id=103, external_id="news/2024 #3", title="", text=t3),
    ]


@pytest.fixture
def corpus(unicode_sample):
    return build_corpus(unicode_sample)


def run_writer(fmt: str, corpus, out: Path, options=None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    sink = DirSink(out)
    report = write_export(FORMATS[fmt](LABELS, options), sink, iter(corpus))
    sink.close()
    return report


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix() + (".json" if p.suffix == ".parquet" else ""): (
            parquet_as_json(p) if p.suffix == ".parquet" else p.read_bytes()
        )
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".gitattributes"
    }


def parquet_as_json(path: Path) -> bytes:
    """A Parquet file's schema and rows as JSON: its bytes name the pyarrow version."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    content = {"schema": str(table.schema).splitlines(), "rows": table.to_pylist()}
    return (json.dumps(content, indent=1, ensure_ascii=False) + "\n").encode()


def assert_golden(name: str, produced: dict[str, bytes]) -> None:
    target = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(target, ignore_errors=True)
        for rel, data in produced.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
    expected = tree(target)
    assert sorted(produced) == sorted(expected), f"{name}: files differ from the golden set"
    for rel, data in produced.items():
        assert data == expected[rel], f"{name}/{rel} differs from its golden file"


# --- golden files: every format, same corpus ---------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_matches_golden_files(fmt, corpus, tmp_path):
    report = run_writer(fmt, corpus, tmp_path / fmt)
    produced = tree(tmp_path / fmt)
    produced["_report.json"] = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
    assert_golden(fmt, produced)


def test_reports_count_what_was_fed(corpus, tmp_path):
    fed = [s for a in corpus for s in a.spans]
    for fmt in FORMATS:
        report = run_writer(fmt, corpus, tmp_path / fmt)
        assert report["articles"] == len(corpus)
        assert report["spans"] == len(fed)
        assert report["labels"] == dict(Counter(s.label_key for s in fed))
        assert report["annotators"] == dict(Counter(s.annotator or "(gold)" for s in fed))


# --- independent re-parsing: offsets in every format equal Python's ----------------------


def expected_spans(article):
    return sorted((s.start, s.end, s.label_key, s.text) for s in article.spans)


def test_jsonl_reparses_to_the_same_articles_and_offsets(corpus, tmp_path):
    run_writer("jsonl", corpus, tmp_path)
    with open(tmp_path / "articles.jsonl", encoding="utf-8", newline="") as f:
        raw = f.read()
    lines = raw.split("\n")
    assert lines.pop() == ""
    # One article a line for readers that split on every Unicode line break, too.
    assert raw.splitlines() == lines
    assert len(lines) == len(corpus)
    for article, line in zip(corpus, lines, strict=True):
        obj = json.loads(line)
        assert obj["id"] == article.external_id
        assert obj["article_id"] == article.id
        assert obj["text"] == article.text
        assert obj["title"] == article.title
        assert obj["meta"] == article.metadata
        assert obj["url"] == article.url
        assert obj["published"] == (article.published and article.published.isoformat())
        got = []
        for s in obj["spans"]:
            assert obj["text"][s["start"] : s["end"]] == s["text"]
            assert s["official_label"] == LABEL[s["label"]].technique
            got.append((s["start"], s["end"], s["label"], s["text"]))
        assert sorted(got) == expected_spans(article)
        assert [(s["annotator"], s["note"], s["origin"]) for s in obj["spans"]] == [
            (s.annotator, s.note, s.origin) for s in article.spans
        ]


def read_semeval_labels(path: Path) -> list[tuple[str, str, int, int]]:
    """Parsed the way the SemEval-2020 Task 11 scorers parse: rstrip, split on tabs, 4 columns,
    integer offsets."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            row = line.rstrip().split("\t")
            assert len(row) == 4, f"{path.name}:{number} has {len(row)} columns"
            rows.append((row[0], row[1], int(row[2]), int(row[3])))
    return rows


@pytest.mark.parametrize("ids", ["external", "internal"])
def test_semeval_files_reparse_with_python_offsets(ids, corpus, tmp_path):
    run_writer("semeval", corpus, tmp_path, {"article_ids": ids})
    technique_to_key = {label.technique: label.key for label in LABELS}
    task = {"Name_Calling,Labeling", "Doubt", "Appeal_to_fear-prejudice", "Loaded_Language"}
    combined, other = [], []
    for article in corpus:
        ident = file_id(article, ids)
        txt = tmp_path / "articles" / f"article{ident}.txt"
        assert txt.read_bytes() == article.text.encode("utf-8")  # byte-exact, no CR added
        with open(txt, encoding="utf-8", newline="") as f:
            exact = f.read()
        with open(txt, encoding="utf-8") as f:  # how the scorers open it
            assert f.read() == exact == article.text
        tc = tmp_path / "labels-task2-technique-classification" / f"article{ident}.task2-TC.labels"
        rows = read_semeval_labels(tc) if tc.exists() else []
        assert bool(rows) == any(LABEL[s.label_key].technique in task for s in article.spans)
        rest = [r for r in read_semeval_labels(tmp_path / "other-labels.tsv") if r[0] == ident]
        got = []
        for row_id, technique, start, end in rows + rest:
            assert row_id == ident
            assert (technique in task) == ((row_id, technique, start, end) in rows)
            got.append((start, end, technique_to_key[technique], exact[start:end]))
        assert sorted(got) == expected_spans(article)
        combined += rows
        other += rest
        si = tmp_path / "labels-task1-span-identification" / f"article{ident}.task1-SI.labels"
        if rows:  # SI: the distinct ranges of the TC spans, three columns
            lines = si.read_text(encoding="utf-8").splitlines()
            assert lines == [f"{ident}\t{a}\t{b}" for a, b in sorted({r[2:] for r in rows})]
        else:
            assert not si.exists()
    assert read_semeval_labels(tmp_path / "task2-TC.labels") == combined
    assert read_semeval_labels(tmp_path / "other-labels.tsv") == other
    if ids == "internal":  # the scorers take the article id from the file name
        for txt in tmp_path.glob("articles/article*.txt"):
            assert re.fullmatch(r"article([0-9]+)\.txt", txt.name)


def test_csv_rows_reparse_with_python_offsets(corpus, tmp_path):
    run_writer("csv", corpus, tmp_path)
    raw = (tmp_path / "spans.csv").read_bytes()
    assert raw.endswith(b"\r\n")
    with open(tmp_path / "spans.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_id = {str(a.id): a for a in corpus}
    got = {a.id: [] for a in corpus}
    for row in rows:
        article = by_id[row["article_id"]]
        assert row["external_id"] == article.external_id
        start, end = int(row["start"]), int(row["end"])
        assert article.text[start:end] == row["text"]
        assert row["official_label"] == LABEL[row["label"]].technique
        got[article.id].append((start, end, row["label"], row["text"]))
    for article in corpus:
        assert sorted(got[article.id]) == expected_spans(article)


def test_brat_ann_reparses_with_python_offsets(corpus, tmp_path):
    report = run_writer("brat", corpus, tmp_path)
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    entities = conf.split("[entities]\n")[1].split("\n\n")[0].split("\n")
    assert entities == [label.key for label in LABELS]
    for article in corpus:
        ident = file_id(article)
        with open(tmp_path / f"{ident}.txt", encoding="utf-8", newline="") as f:
            text = f.read()
        assert text == article.text
        with open(tmp_path / f"{ident}.ann", encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        assert lines.pop() == ""
        got, notes = {}, {}
        for line in lines:
            tid, middle, rest = line.split("\t")
            if tid.startswith("T"):
                label, offsets = middle.split(" ", 1)
                pieces = [tuple(map(int, p.split(" "))) for p in offsets.split(";")]
                assert rest == covered(" ".join(text[a:b] for a, b in pieces))
                assert all("\n" not in text[a:b] for a, b in pieces)
                got[tid] = (pieces[0][0], pieces[-1][1], label, pieces)
            else:
                assert middle.startswith("AnnotatorNotes T")
                notes[middle.split(" ")[1]] = rest
        # every span but a whitespace-only one, in order; the gaps between pieces are newlines
        kept = [s for s in article.spans if not s.text.isspace()]
        assert len(got) == len(kept)
        for (start, end, label, pieces), s in zip(got.values(), kept, strict=True):
            assert (start, end, label) == (s.start, s.end, s.label_key)
            gaps = "".join(text[b:a] for (_, b), (a, _) in zip(pieces, pieces[1:], strict=False))
            assert set(gaps) <= {"\n"}
        expected_notes = [s.note.replace("\n", " ") for s in kept if s.note]
        assert list(notes.values()) == expected_notes
    crossing = [s for a in corpus for s in a.spans if "\n" in s.text.strip("\n")]
    assert crossing
    assert report["adjusted"]["split_at_newline"] == dict(Counter(s.label_key for s in crossing))


def read_conll(path: Path):
    """{doc_id: [(token, start, end, [tags...], sentence number)]} and the column names."""
    docs, columns, current, sentence = {}, None, None, 0
    with open(path, encoding="utf-8", newline="") as f:
        for line in f.read().split("\n"):
            if line.startswith("# columns = "):
                columns = line[len("# columns = ") :].split("\t")[3:]
            elif line.startswith("# doc_id = "):
                current = docs.setdefault(line[len("# doc_id = ") :], [])
            elif not line:
                sentence += 1
            else:
                token, start, end, *tags = line.split("\t")
                assert len(tags) == len(columns)
                current.append((token, int(start), int(end), tags, sentence))
    return docs, columns


def bio_spans(rows, column: int):
    """(label, start, end) of each B-/I- run in one tag column, checking that the BIO is well
    formed in every sentence."""
    spans, open_span, sentence = [], None, None
    for _, start, end, tags, number in rows:
        tag = tags[column]
        if tag.startswith("I-"):
            assert open_span, f"I- without B- at {start}"
            assert open_span[0] == tag[2:], f"I- without B- at {start}"
            assert number == sentence, f"I- opens a sentence at {start}"
            open_span[2] = end
            continue
        if open_span:
            spans.append(tuple(open_span))
            open_span = None
        if tag.startswith("B-"):
            open_span, sentence = [tag[2:], start, end], number
    if open_span:
        spans.append(tuple(open_span))
    return spans


def fed_span_of_run(text, fed, label, start, end):
    """The one fed span a tagged run comes from: same label, overlapping, extended only to the
    ends of the tokens it touches, and cut short only at a line break."""

    def fits(s):
        return (
            s.label_key == label
            and start < s.end
            and end > s.start
            and not any(c.isspace() for c in text[start : s.start])
            and not any(c.isspace() for c in text[s.end : end])
            and (start <= s.start or "\n" in text[s.start : start])
            and (end >= s.end or "\n" in text[end : s.end])
        )

    matches = [s for s in fed if fits(s)]
    assert len(matches) == 1, f"{label} [{start}, {end}) matches {matches}"
    return matches[0]


@pytest.mark.parametrize("columns", ["category", "label", "single"])
def test_conll_tokens_and_tags_reparse_with_python_offsets(columns, corpus, tmp_path):
    report = run_writer("conll", corpus, tmp_path, {"columns": columns})
    docs, names = read_conll(tmp_path / "tokens.conll")
    assert len(names) == len({_column(label, columns) for label in LABELS})
    tagged = set()
    for article in corpus:
        rows = docs[file_id(article)]
        text = article.text
        for token, start, end, *_ in rows:
            assert text[start:end] == token
        # the tokens are exactly the non-space code points, in order
        covered = "".join(row[0] for row in rows)
        assert covered == "".join(c for c in text if not c.isspace())
        # sentences break exactly at line breaks
        for before, after in zip(rows, rows[1:], strict=False):
            assert (after[4] != before[4]) == ("\n" in text[before[2] : after[1]])
        for index, name in enumerate(names):
            fed = [s for s in article.spans if _column(LABEL[s.label_key], columns) == name]
            for label, start, end in bio_spans(rows, index):
                tagged.add(id(fed_span_of_run(text, fed, label, start, end)))
    dropped = sum(sum(c.values()) for c in report["dropped"].values())
    assert len(tagged) + dropped == report["spans"]
    assert report["adjusted"]["split_at_newline"]


def _column(label: ExportLabel, mode: str) -> str:
    return {"single": "labels", "label": label.key}.get(mode, label.category or "uncategorised")


# --- behaviour ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_span_mismatch_names_article_label_offsets_and_texts(fmt, corpus, tmp_path):
    good, bad = corpus[1], corpus[0]
    at = bad.text.index("🔥")
    wrong = ExportSpan(at, at + 1, "loaded_language", "X")
    bad.spans = [*bad.spans, wrong]
    sink = DirSink(tmp_path)
    writer = FORMATS[fmt](LABELS)
    with pytest.raises(SpanMismatch) as caught:
        write_export(writer, sink, [good, bad])
    error = caught.value
    message = str(error)
    for part in ("'unicode-1'", "loaded_language", f"[{at}, {at + 1})", "'X'", "'🔥'"):
        assert part in message
    assert (error.external_id, error.expected, error.found) == ("unicode-1", "X", "🔥")
    # nothing of the bad article was written
    assert not [name for name in sink.files if "unicode-1" in name]
    assert "unicode-1" not in "".join(p.read_text("utf-8") for p in tmp_path.rglob("*.*"))


def test_span_outside_the_text_is_a_mismatch(corpus, tmp_path):
    article = corpus[2]
    article.spans = [ExportSpan(len(article.text) - 1, len(article.text) + 3, "doubt", ".abc")]
    with pytest.raises(SpanMismatch, match="outside the text of length"):
        write_export(FORMATS["csv"](LABELS), DirSink(tmp_path), [article])


def test_unknown_label_option_and_bad_official_label_are_errors(corpus, tmp_path):
    corpus[2].spans = [ExportSpan(0, 2, "no_such_label", "No")]
    with pytest.raises(ExportError, match="'no_such_label', which is not in the export's labels"):
        write_export(FORMATS["jsonl"](LABELS), DirSink(tmp_path), [corpus[2]])
    with pytest.raises(ExportError, match="unknown option 'colums'"):
        FORMATS["conll"](LABELS, {"colums": "label"})
    with pytest.raises(ExportError, match="'columns' must be one of"):
        FORMATS["conll"](LABELS, {"columns": "token"})
    with pytest.raises(ExportError, match="label 'x' has official label 'A\\\\tB'"):
        FORMATS["semeval"]([ExportLabel("x", "X", "A\tB")])
    with pytest.raises(ExportError, match="label 'doubt' given twice"):
        FORMATS["csv"]([*LABELS, LABELS[1]])


def test_the_same_article_twice_is_an_error(corpus, tmp_path):
    with pytest.raises(ExportError, match="id 'crlf-2' used twice"):
        write_export(FORMATS["brat"](LABELS), DirSink(tmp_path), [corpus[1], corpus[1]])


def test_writers_stream_and_keep_no_article(corpus, tmp_path):
    for fmt in FORMATS:
        refs = []

        def feed(refs=refs):
            for article in build_corpus(corpus[0].text):
                refs.append(weakref.ref(article))
                yield article

        writer = FORMATS[fmt](LABELS)  # still referenced: it must not reference the articles
        write_export(writer, DirSink(tmp_path / fmt), feed())
        gc.collect()
        assert refs, fmt
        assert all(ref() is None for ref in refs), f"{fmt} kept an article alive"


def test_files_lists_the_shared_files(corpus, tmp_path):
    for fmt, writer_class in FORMATS.items():
        writer = writer_class(LABELS)
        sink = DirSink(tmp_path / fmt)
        write_export(writer, sink, corpus)
        per_article = set(sink.files) - set(writer.files())
        assert set(writer.files()) <= set(sink.files)
        if fmt == "semeval":  # a .txt each; TC and SI files for the two with task spans
            assert len(per_article) == len(corpus) + 2 * 2
        elif fmt == "brat":
            assert len(per_article) == 2 * len(corpus)
        else:
            assert not per_article


def test_zip_sink_holds_the_same_bytes_hashes_and_is_reproducible(corpus, tmp_path):
    run_writer("semeval", corpus, tmp_path / "dir")
    expected = tree(tmp_path / "dir")
    blobs = []
    for _ in range(2):
        buffer = io.BytesIO()
        sink = ZipSink(buffer)
        write_export(FORMATS["semeval"](LABELS), sink, corpus)
        sink.close()
        blobs.append(buffer.getvalue())
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            assert {n: zf.read(n) for n in zf.namelist()} == expected
        for name, record in sink.files.items():
            assert record.sha256 == hashlib.sha256(expected[name]).hexdigest()
            assert record.size == len(expected[name])
    assert blobs[0] == blobs[1]


@pytest.mark.parametrize("kind", ["zip", "dir"])
def test_a_whole_file_at_once_is_the_same_as_open_write_close(kind, tmp_path):
    """write_bytes skips the SinkFile: the same entries, bytes, order and records."""
    files = [("big.txt", "🤡 ש\u00a0x\n".encode() * 200_000), ("a/1.txt", b""), ("a/2.txt", b"2")]

    def run(whole: bool, where: str):
        buffer = io.BytesIO()
        sink = ZipSink(buffer) if kind == "zip" else DirSink(tmp_path / where)
        with sink.open("grows.txt") as grows:  # a growing file open meanwhile
            for name, data in files:
                grows.write(data[:10])
                if whole:
                    sink.write_bytes(name, data)
                else:
                    with sink.open(name) as f:
                        f.write(data)
        sink.close()
        contents = buffer.getvalue() if kind == "zip" else tree(tmp_path / where)
        return contents, list(sink.files.items())

    assert run(True, "whole") == run(False, "parts")
    contents, records = run(True, "again")
    assert [name for name, _ in records] == ["big.txt", "a/1.txt", "a/2.txt", "grows.txt"]
    assert records[0][1].sha256 == hashlib.sha256(files[0][1]).hexdigest()


def test_sinks_refuse_unsafe_or_repeated_names(tmp_path):
    sink = DirSink(tmp_path)
    for name in ("../x.txt", "a/../b", "/abs", "a\\b", ""):
        with pytest.raises(ExportError, match="bad file name"):
            sink.open(name)
    sink.write_bytes("a.txt", b"1")
    with pytest.raises(ExportError, match="written twice"):
        sink.write_bytes("a.txt", b"2")
    assert (tmp_path / "a.txt").read_bytes() == b"1"


def test_file_ids_are_plain_tokens_and_never_collide():
    def article(ident, external_id):
        return ExportArticle(id=ident, external_id=external_id, title="", text="x")

    assert file_id(article(7, "111111111")) == "111111111"
    assert file_id(article(7, "a/b")) == "a_b~7"
    assert file_id(article(8, "a_b")) == "a_b"
    assert file_id(article(9, "…")) == "article~9"
    assert file_id(article(9, "x"), "internal") == "9"


# --- the CoNLL tokeniser and overlap rule ------------------------------------------------


def test_tokeniser_keeps_user_visible_characters_whole(unicode_sample):
    text = unicode_sample + " 🇫🇷 👍🏽 ❤️ می\u200cخواهم नमस्ते"
    tokens = tokenize(text)
    words = [t.text for t in tokens]
    for whole in ("👨\u200d👩\u200d👧", "Cafe\u0301", "e\u0300vil", "🇫🇷", "👍🏽", "❤️"):
        assert whole in words
    assert "می\u200cخواهم" in words
    assert "नमस्ते" in words
    assert "تماما" in words
    previous_end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert not any(c.isspace() for c in token.text)
        assert all(c.isspace() for c in text[previous_end : token.start])
        # no token starts with a combining mark unless the text does after a space
        if token.start and not text[token.start - 1].isspace():
            assert not unicodedata.category(token.text[0]).startswith("M")
        previous_end = token.end
    assert all(c.isspace() for c in text[previous_end:])


def test_tokeniser_knows_every_combining_mark():
    # the scan skips planes without marks; check that against this Python's Unicode tables
    from annotator.exports.formats.tokenize import _mark_ranges

    scanned = {cp for a, b in _mark_ranges() for cp in range(a, b + 1)}
    every = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp))[0] == "M"}
    assert scanned == every
    # an astral mark (Kaithi sign) stays inside its word, a BMP one too
    assert [t.text for t in tokenize("a\U000110b9b c\u0301d")] == ["a\U000110b9b", "c\u0301d"]


def test_conll_overlap_rule_longest_then_earliest(tmp_path):
    text = "one two three four"
    spans = [
        span(text, "two", "doubt"),  # same column as the longer one below: dropped
        span(text, "one two", "name_calling"),  # longest in Attack on Reputation: kept
        span(text, "two three", "loaded_language"),  # another category: own column
        span(text, "three four", "appeal_to_fear"),
        span(text, "hree fo", "inserted_phrase"),  # widened to whole tokens
    ]
    article = ExportArticle(1, "doc", "", text, spans=spans)
    report = write_export(FORMATS["conll"](LABELS), DirSink(tmp_path), [article])
    docs, names = read_conll(tmp_path / "tokens.conll")
    assert names == [
        "Attack on Reputation",
        "Justification",
        "Manipulative Wording",
        "uncategorised",
    ]
    columns = {name: [row[3][i] for row in docs["doc"]] for i, name in enumerate(names)}
    assert columns["Attack on Reputation"] == ["B-name_calling", "I-name_calling", "O", "O"]
    assert columns["Manipulative Wording"] == ["O", "B-loaded_language", "I-loaded_language", "O"]
    assert columns["uncategorised"] == ["O", "O", "B-inserted_phrase", "I-inserted_phrase"]
    assert report["dropped"] == {"overlap": {"doubt": 1}}
    assert report["adjusted"] == {"widened_to_tokens": {"inserted_phrase": 1}}

    # two equally long spans in one column: the earlier one wins
    text = "aaa bbb ccc"
    tie = [ExportSpan(4, 11, "name_calling", "bbb ccc"), ExportSpan(0, 7, "doubt", "aaa bbb")]
    report = write_export(
        FORMATS["conll"](LABELS, {"columns": "single"}),
        DirSink(tmp_path / "tie"),
        [ExportArticle(1, "doc", "", text, spans=tie)],
    )
    docs, _ = read_conll(tmp_path / "tie" / "tokens.conll")
    assert [row[3][0] for row in docs["doc"]] == ["B-doubt", "I-doubt", "O"]
    assert report["dropped"] == {"overlap": {"name_calling": 1}}


def test_brat_fragments_cut_around_newlines():
    text = "ab\ncd\n\nef"
    assert fragments(text, 0, len(text)) == [(0, 2), (3, 5), (7, 9)]
    assert fragments(text, 2, 3) == []
    assert fragments(text, 1, 4) == [(1, 2), (3, 4)]


# --- round trips through the importers (database) ----------------------------------------


@pytest.fixture
def project(db):
    from annotator.corpus.models import Project
    from annotator.schemas.models import Label, LabelSchema

    schema = LabelSchema.objects.create(name="Export round trip")
    for order, label in enumerate(LABELS):
        Label.objects.create(
            schema=schema,
            key=label.key,
            name=label.name,
            official_label=label.official_label,
            category=label.category,
            order=order,
        )
    return Project.objects.create(slug="round-trip", name="Round trip", schema=schema)


def stored_articles(project):
    from annotator.corpus.models import Article

    return {
        a.external_id: (a, sorted((s.start, s.end, s.label.key, s.text) for s in a.spans.all()))
        for a in Article.objects.filter(project=project).prefetch_related("spans__label")
    }


def test_jsonl_export_reimports_through_the_jsonl_importer(project, corpus, tmp_path):
    from annotator.imports.service import import_paths

    run_writer("jsonl", corpus, tmp_path)
    report = import_paths(project, [tmp_path / "articles.jsonl"], annotator="round-trip")
    assert report.ok, report.as_dict()
    stored = stored_articles(project)
    assert sorted(stored) == sorted(a.external_id for a in corpus)
    for article in corpus:
        row, spans = stored[article.external_id]
        assert (row.title, row.text, row.original_text) == (
            article.title,
            article.text,
            article.original_text,
        )
        assert (row.source_url, row.published, row.metadata) == (
            article.url,
            article.published,
            article.metadata,
        )
        assert spans == expected_spans(article)
        images = ArticleImage.objects.filter(article=row).order_by("order", "id")
        assert [(i.url, i.caption_start, i.caption_end) for i in images] == [
            (i.url, i.caption_start, i.caption_end) for i in article.images
        ]


def test_semeval_export_reimports_through_the_semeval_importer(project, corpus, tmp_path):
    from annotator.imports.service import import_paths

    run_writer("semeval", corpus, tmp_path, {"article_ids": "internal"})
    report = import_paths(project, [tmp_path], annotator="round-trip")
    assert report.ok, report.as_dict()
    stored = stored_articles(project)
    assert sorted(stored) == sorted(str(a.id) for a in corpus)
    for article in corpus:
        row, spans = stored[str(article.id)]
        assert row.text == article.text
        assert spans == expected_spans(article)


def test_pyarrow_is_loaded_only_by_a_parquet_export():
    """pyarrow adds ~45 MB to a process: web processes and other formats' exports go without."""
    import subprocess

    code = (
        "import sys, django; django.setup()\n"
        "import annotator.urls, annotator.exports.tasks, annotator.exports.build\n"
        "from annotator.exports.formats import FORMATS, DirSink, write_export\n"
        "assert 'pyarrow' not in sys.modules, 'imported at start'\n"
        "import tempfile\n"
        "write_export(FORMATS['parquet']({}), DirSink(tempfile.mkdtemp()), [])\n"
        "assert 'pyarrow' in sys.modules\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
