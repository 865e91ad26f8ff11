"""Bad input: every error names the file and line, and a file with an error stores nothing."""

import json

import pytest
from test_import_helpers import (  # noqa: F401  (fixtures)
    PHRASES,
    project_fixture,
    ptc_files,
    raw_span,
    raw_text_fixture,
    write_files,
    zip_bytes,
)

from annotator.annotations.models import Span
from annotator.corpus.models import Article
from annotator.imports import service
from annotator.imports.service import ImportSetupError, import_paths

GOOD = json.dumps(
    {
        "id": "ok",
        "text": "Good text here.",
        "spans": [{"start": 0, "end": 4, "label": "loaded_language"}],
    }
)


def jsonl_line(**fields) -> str:
    return json.dumps({"id": "bad", "text": "Some text.", **fields}, ensure_ascii=False)


def span(start, end, label="loaded_language"):
    return {"spans": [{"start": start, "end": end, "label": label}]}


# (what the bad line is, the line as written, words the error must contain)
BAD_JSONL = [
    ("bad json", '{"id": "bad", "text": "x",', "bad JSON"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    ("missing text", json.dumps({"id": "bad", "title": "t"}), "missing 'text'"),
    ("empty text", jsonl_line(text=""), "'text' must be a non-empty string"),
    ("missing id", json.dumps({"text": "t"}), "missing 'id'"),
    ("span past the end", jsonl_line(**span(5, 11)), "out of range"),
    ("span reversed", jsonl_line(**span(4, 2)), "out of range"),
    ("span empty", jsonl_line(**span(3, 3)), "out of range"),
    ("negative start", jsonl_line(**span(-1, 3)), "out of range"),
    ("string offset", jsonl_line(**span("0", 3)), "must be an integer"),
    ("float offset", jsonl_line(**span(0, 3.0)), "must be an integer"),
    ("unknown label", jsonl_line(**span(0, 4, "No_Such_Technique")), "unknown label"),
    ("retired label", jsonl_line(**span(0, 4, "Old_Label")), "retired"),
    ("missing span field", jsonl_line(spans=[{"start": 0, "label": "doubt"}]), "missing end"),
    ("doccano doc label", jsonl_line(label=["POSITIVE"]), "document-level label"),
    ("two span forms", jsonl_line(label=[[0, 4, "doubt"]], **span(0, 4)), "one form only"),
    ("bad date", jsonl_line(published="31/01/2020"), "'published'"),
    ("meta not object", jsonl_line(meta=[1]), "'meta' must be a JSON object"),
    (
        "caption not found",
        jsonl_line(images=[{"src": "https://example.org/a.jpg", "caption": "zzz"}]),
        "caption",
    ),
    ("javascript url", jsonl_line(url="javascript:alert(1)"), "'url' must be an http(s) URL"),
    (
        "javascript image",
        jsonl_line(images=[{"src": "javascript:alert(1)"}]),
        "'src' must be an http(s) URL",
    ),
    (
        "relative image in a .jsonl alone",
        jsonl_line(images=[{"src": "a.jpg"}]),
        "import the whole export (its .zip, or the folder",
    ),
    ("deep meta", jsonl_line(meta=json.loads('{"a":' * 40 + "1" + "}" * 40)), "nested more"),
    ("NUL in meta", jsonl_line(meta={"k": "a\u0000b"}), "NUL"),
    ("lone surrogate", '{"id": "bad", "text": "a\\ud800b"}', "unpaired surrogate"),
    ("NUL in text", '{"id": "bad", "text": "a\\u0000b"}', "NUL"),
    ("title too long", jsonl_line(title="t" * 1001), "'title' is longer"),
]


def assert_nothing_stored():
    assert Article.objects.count() == 0
    assert Span.objects.count() == 0


@pytest.mark.parametrize(("case", "line", "words"), BAD_JSONL, ids=[c[0] for c in BAD_JSONL])
def test_bad_jsonl_line_is_named_and_file_stores_nothing(project, tmp_path, case, line, words):
    path = tmp_path / "input.jsonl"
    # the bad line comes after a valid article that a batch of one has already inserted
    path.write_text(f"{GOOD}\n\n{line}\n", "utf-8")

    report = import_paths(project, [path], annotator="alice", batch_size=1)

    assert not report.ok
    [error] = report.files[0].errors
    assert (error.file, error.line) == (str(path), 3)
    assert words in error.message
    assert str(path) in str(error)
    assert "line 3" in str(error)
    assert report.articles_created == 0
    assert_nothing_stored()


def test_invalid_utf8_in_jsonl(project, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(GOOD.encode() + b'\n{"id": "x", "text": "caf\xe9"}\n')

    report = import_paths(project, [path], annotator="alice")

    [error] = report.files[0].errors
    assert (error.line, "invalid UTF-8" in error.message) == (2, True)
    assert_nothing_stored()


def test_invalid_utf8_in_txt(project, tmp_path):
    path = tmp_path / "story.txt"
    path.write_bytes(b"Title\r\nline two\r\ncaf\xe9\r\n")

    report = import_paths(project, [path])

    [error] = report.files[0].errors
    assert error.file == str(path)
    assert "invalid UTF-8 at line 3" in error.message
    assert_nothing_stored()


def test_every_error_of_a_file_is_listed(project, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text(f"{GOOD}\nnot json\n{jsonl_line(**span(0, 99))}\n", "utf-8")

    report = import_paths(project, [path], annotator="alice")

    assert [e.line for e in report.files[0].errors] == [2, 3]


def test_spans_without_annotator_is_a_clear_error(project, tmp_path):
    path = tmp_path / "spans.jsonl"
    path.write_text(f"{GOOD}\n", "utf-8")

    report = import_paths(project, [path])

    [error] = report.files[0].errors
    assert "--annotator" in error.message
    assert "'ok'" in error.message
    assert_nothing_stored()


def test_utf16_offset_inside_an_emoji(project, tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "a🔥b", "label": [[2, 3, "doubt"]]}), "utf-8")

    report = import_paths(project, [path], annotator="bob", utf16_offsets=True)

    [error] = report.files[0].errors
    assert error.line == 1
    assert "surrogate pair" in error.message
    assert_nothing_stored()


def test_span_on_a_lone_carriage_return(project, tmp_path):
    path = tmp_path / "cr.jsonl"
    path.write_text(
        json.dumps(
            {"id": 1, "text": "ab\r\ncd", "spans": [{"start": 2, "end": 3, "label": "doubt"}]}
        ),
        "utf-8",
    )

    report = import_paths(project, [path], annotator="bob")

    assert "carriage return" in report.files[0].errors[0].message
    assert_nothing_stored()


def ptc_with_bad_line(raw_text, bad_line: str) -> dict[str, bytes]:
    files = ptc_files(raw_text, "111")
    name = "labels/article111.task-flc-tc.labels"
    files[name] = files[name] + bad_line.encode()
    return files


BAD_LABEL_LINES = [
    ("unknown technique", "111\tNo_Such\t0\t5\n", "unknown label 'No_Such'"),
    ("out of range", "111\tDoubt\t0\t100000\n", "out of range"),
    ("wrong article id", "112\tDoubt\t0\t5\n", "does not match"),
    ("three columns", "111\t0\t5\n", "expected 4 tab-separated columns"),
    ("not a number", "111\tDoubt\tzero\t5\n", "must be integers"),
    # a comma name is one technique: split, its parts are unknown
    ("split comma name", "111\tName_Calling\t0\t5\n", "unknown label 'Name_Calling'"),
]


@pytest.mark.parametrize(
    ("case", "bad", "words"), BAD_LABEL_LINES, ids=[c[0] for c in BAD_LABEL_LINES]
)
@pytest.mark.parametrize("packaging", ["folder", "zip"])
def test_bad_labels_line_names_file_and_line(
    project, raw_text, tmp_path, case, bad, words, packaging
):
    files = ptc_with_bad_line(raw_text, bad)
    files["articles/article100.txt"] = b"A good article\n\nthat comes first.\n"
    if packaging == "zip":
        source = tmp_path / "ptc.zip"
        source.write_bytes(zip_bytes(files))
        labels_name = f"{source}:labels/article111.task-flc-tc.labels"
    else:
        source = write_files(tmp_path / "ptc", files)
        labels_name = str(source / "labels/article111.task-flc-tc.labels")

    report = import_paths(project, [source], annotator="ptc", batch_size=1)

    [error] = report.files[0].errors
    assert error.file == labels_name
    assert error.line == len(PHRASES) + 1
    assert words in error.message
    assert_nothing_stored()


def test_si_labels_need_si_label(project, raw_text, tmp_path):
    folder = write_files(
        tmp_path, {"article3.txt": raw_text.encode(), "article3.task-si.labels": b"3\t0\t5\n"}
    )

    report = import_paths(project, [folder], annotator="ptc")

    [error] = report.files[0].errors
    assert error.file.endswith("article3.task-si.labels")
    assert "found and none read" in error.message
    assert "--si-label" in error.message
    assert_nothing_stored()


def test_labels_without_article(project, tmp_path):
    folder = write_files(tmp_path, {"article1.txt": b"T\n", "article2.labels": b"2\tDoubt\t0\t1\n"})

    report = import_paths(project, [folder], annotator="ptc")

    assert "no article2.txt" in report.files[0].errors[0].message
    assert_nothing_stored()


def test_bad_zip_and_missing_and_unsupported_paths(project, tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    (tmp_path / "table.csv").write_text("a,b\n")

    report = import_paths(
        project, [tmp_path / "broken.zip", tmp_path / "nope.jsonl", tmp_path / "table.csv"]
    )

    messages = [f.errors[0].message for f in report.files]
    assert "not a readable zip file" in messages[0]
    assert "no such file" in messages[1]
    assert "unsupported file type '.csv'" in messages[2]


def test_one_bad_file_does_not_stop_the_others(project, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "g", "text": "fine"}\n', "utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "b"}\n', "utf-8")

    report = import_paths(project, [bad, good])

    assert [f.ok for f in report.files] == [False, True]
    assert list(Article.objects.values_list("external_id", flat=True)) == ["g"]


def test_unknown_si_label_is_a_setup_error(project, tmp_path):
    with pytest.raises(ImportSetupError, match="--si-label: unknown label 'nope'"):
        import_paths(project, [tmp_path], si_label="nope")


def test_database_error_while_writing_is_reported_and_rolled_back(project, tmp_path, monkeypatch):
    """A row the database itself refuses (here a span snapshot that does not match its offsets)
    fails the file cleanly, also when the insert runs in the background writer."""
    real_bulk_insert = service.bulk_insert

    def corrupt_spans(model, fields, rows, **kwargs):
        if model is Span:
            rows = [(*row[:5], "x", *row[6:]) for row in rows]
        return real_bulk_insert(model, fields, rows, **kwargs)

    monkeypatch.setattr(service, "bulk_insert", corrupt_spans)
    path = tmp_path / "ok.jsonl"
    path.write_text(f"{GOOD}\n", "utf-8")

    report = import_paths(project, [path], annotator="alice")

    [error] = report.files[0].errors
    assert error.file == str(path)
    assert "database error, nothing stored" in error.message
    assert "span_text_length_matches_offsets" in error.message
    assert report.articles_created == 0
    assert_nothing_stored()


def test_error_list_is_capped(project, tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_text("not json\n" * 80, "utf-8")

    report = import_paths(project, [path])

    file = report.files[0]
    assert len(file.errors) == 50
    assert file.errors_truncated
    assert [e.line for e in file.errors] == list(range(1, 51))
    assert "(more not shown)" in file.summary()


def test_unknown_label_message_lists_keys_and_official_names(project, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(jsonl_line(**span(0, 4, "Name-Calling")) + "\n", "utf-8")

    [error] = import_paths(project, [path], annotator="a").files[0].errors

    assert "name_calling (Name_Calling,Labeling)" in error.message
    assert "old_label" not in error.message  # retired: not offered
