"""Importers for brat standoff, CoNLL BIO and Label Studio JSON: each reads what our exports
write (export -> import -> the same spans), the tools' own layouts, Unicode and CRLF input, and
bad input fails its file naming file and line, storing nothing."""

import io
import json
import shutil
from pathlib import Path

import pytest
from test_export_formats import LABELS, build_corpus

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Project
from annotator.exports.formats import FORMATS, DirSink, file_id, write_export
from annotator.imports.service import import_paths, import_upload
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    schema = LabelSchema.objects.create(name="Formats")
    for order, label in enumerate(LABELS):
        Label.objects.create(
            schema=schema,
            key=label.key,
            name=label.name,
            official_label=label.official_label,
            order=order,
        )
    return Project.objects.create(slug="formats", name="Formats", schema=schema)


@pytest.fixture
def corpus(unicode_sample):
    return build_corpus(unicode_sample)


def export(fmt: str, corpus, folder: Path, options=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sink = DirSink(folder)
    write_export(FORMATS[fmt](LABELS, options), sink, iter(corpus))
    sink.close()
    return folder


def stored(project) -> dict[str, tuple[str, set]]:
    result = {}
    for article in Article.objects.filter(project=project):
        spans = set()
        for span in Span.objects.filter(article=article).select_related("label"):
            assert article.text[span.start : span.end] == span.text
            spans.add((span.start, span.end, span.label.key))
        result[article.external_id] = (article.text, spans)
    return result


def assert_nothing_stored(project):
    assert not Article.objects.filter(project=project).exists()
    assert not Span.objects.filter(article__project=project).exists()


# --- brat --------------------------------------------------------------------------------


def test_brat_export_reimports_with_the_same_texts_and_spans(project, corpus, tmp_path):
    report = import_paths(project, [export("brat", corpus, tmp_path / "brat")], annotator="b")

    assert report.ok, report.as_dict()
    assert [f.format for f in report.files] == ["brat"]
    got = stored(project)
    for article in corpus:
        text, spans = got[file_id(article)]
        assert text == article.text
        wanted = {(s.start, s.end, s.label_key) for s in article.spans}
        # a whitespace-only span is what brat cannot hold (dropped by the export, or not)
        solid = {s for s in wanted if article.text[s[0] : s[1]].strip()}
        assert solid <= spans <= wanted


def test_brat_as_brat_writes_it_bom_crlf_fragments_and_notes(project, tmp_path):
    raw = "\ufeffTitle 🔥\r\nThey are e\u0300vil\r\nliars.\r\n"
    start = raw.index("e\u0300vil")
    end = raw.index("liars") + len("liars")
    lines = [
        f"T1\tloaded_language {start} {start + 5};{raw.index('liars')} {end}\te\u0300vil liars",
        f"T2\tName_Calling,Labeling {raw.index('🔥')} {raw.index('🔥') + 1}\t🔥",
        "#1\tAnnotatorNotes T1\ta note",
        "R1\tCause Arg1:T1 Arg2:T2",
    ]
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc-1.txt").write_bytes(raw.encode())
    (folder / "doc-1.ann").write_bytes("\r\n".join(lines).encode())
    (folder / "empty.txt").write_bytes(b"No annotations yet.\n")
    (folder / "annotation.conf").write_bytes(b"[entities]\nloaded_language\n")

    report = import_paths(project, [folder], annotator="b")

    assert report.ok, report.as_dict()
    text, spans = stored(project)["doc-1"]
    assert text == "Title 🔥\nThey are e\u0300vil\nliars.\n"
    assert {(text[a:b], key) for a, b, key in spans} == {
        ("e\u0300vil\nliars", "loaded_language"),  # fragments around a line break: one span
        ("🔥", "name_calling"),
    }
    assert stored(project)["empty"][1] == set()
    assert any("2 .ann line(s)" in note for note in report.files[0].notes)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("T3\tno_such 0 4\tThey", "unknown label 'no_such'"),
        ("T3\tdoubt 0 4\tWrong", "is not the text at"),
        ("T3\tdoubt 0 400\tThey", "out of range"),
        ("T3\tdoubt zero 4\tThey", "offsets must be"),
    ],
)
def test_brat_bad_line_names_file_and_line(project, tmp_path, line, words):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("They lie.\n")
    (folder / "a.ann").write_text("T1\tdoubt 0 4\tThey\n" + line + "\n")
    (folder / "b.txt").write_text("Fine.\n")

    report = import_paths(project, [folder], annotator="b")

    [error] = report.files[0].errors
    assert error.file == str(folder / "a.ann")
    assert error.line == 2
    assert words in error.message
    assert_nothing_stored(project)


def test_brat_documents_not_annotated_yet_import_without_spans(project, tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Document {name}.\n")
        (folder / f"{name}.ann").write_text("")  # as brat creates them

    report = import_paths(project, [folder], annotator="b")

    assert report.ok, report.as_dict()
    assert (report.articles_created, report.spans_created) == (2, 0)


def test_brat_ann_without_its_text_is_an_error(project, tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("They lie.\n")
    (folder / "lost.ann").write_text("T1\tdoubt 0 4\tThey\n")

    report = import_paths(project, [folder], annotator="b")

    [error] = report.files[0].errors
    assert error.file.endswith("lost.ann")
    assert "lost.txt" in error.message
    assert_nothing_stored(project)


# --- CoNLL -------------------------------------------------------------------------------


def token_corpus(unicode_sample):
    """Spans on whole tokens within a line (what BIO can hold), overlapping across labels."""
    from annotator.exports.formats import ExportArticle, ExportSpan

    def span(text, phrase, label, nth=0):
        start = text.index(phrase)
        for _ in range(nth):
            start = text.index(phrase, start + 1)
        return ExportSpan(start, start + len(phrase), label, phrase)

    t1 = unicode_sample
    t2 = "#hoax and \\path: they are e\u0301vil\u00a0liars!\nعادلة\u00a0تماما 💥"
    return [
        ExportArticle(
            1,
            "conll-1",
            "",
            t1,
            spans=[
                span(t1, "👨\u200d👩\u200d👧 families", "name_calling"),
                span(t1, "families flee", "loaded_language"),
                span(t1, "e\u0300vil", "doubt"),
                span(t1, "שקרנים", "doubt"),
                span(t1, "💥 catastrophe", "appeal_to_fear"),
            ],
        ),
        ExportArticle(
            2,
            "conll-2",
            "",
            t2,
            spans=[
                span(t2, "#hoax", "loaded_language"),
                span(t2, "e\u0301vil\u00a0liars", "name_calling"),
                span(t2, "liars", "doubt"),
                span(t2, "عادلة\u00a0تماما", "inserted_phrase"),
            ],
        ),
    ]


@pytest.mark.parametrize("given", ["file", "folder", "zip"])
def test_conll_export_reimports_with_the_same_spans(given, project, unicode_sample, tmp_path):
    corpus = token_corpus(unicode_sample)
    folder = export("conll", corpus, tmp_path / "conll", {"columns": "label"})
    assert (folder / "sentences.jsonl").is_file()  # the same sentences: not read again
    paths = {"file": folder / "tokens.conll", "folder": folder}
    paths["zip"] = Path(shutil.make_archive(str(tmp_path / "export"), "zip", folder))

    report = import_paths(project, [paths[given]], annotator="c")

    assert report.ok, report.as_dict()
    got = stored(project)
    for article in corpus:
        text, spans = got[article.external_id]
        assert spans == {(s.start, s.end, s.label_key) for s in article.spans}
        # tokens at their offsets; only the whitespace between them is rebuilt
        assert len(text) <= len(article.text)
        assert text.split() == article.text[: len(text)].split()
        for start, end, _ in spans:
            assert text[start:end].split() == article.text[start:end].split()


def test_conll_plain_layout_with_docstart_and_bioes(project, tmp_path):
    path = tmp_path / "ner.conll"
    path.write_bytes(
        "-DOCSTART- -X- O O\n\nThey PRP O\nare VBP O\nلصوص NN S-Doubt\n\n"
        "Loud JJ B-loaded_language\nand CC I-loaded_language\n"
        "👨\u200d👩\u200d👧 NN E-loaded_language\n"
        "\n-DOCSTART- -X- O O\n\nCafe\u0301 NN I-Name_Calling,Labeling\n".encode()
    )

    report = import_paths(project, [path], annotator="c")

    assert report.ok, report.as_dict()
    got = stored(project)
    text, spans = got["ner-1"]
    assert text == "They are لصوص\nLoud and 👨\u200d👩\u200d👧"
    assert {(text[a:b], key) for a, b, key in spans} == {
        ("لصوص", "doubt"),
        ("Loud and 👨\u200d👩\u200d👧", "loaded_language"),
    }
    text, spans = got["ner-2"]
    assert {(text[a:b], key) for a, b, key in spans} == {("Cafe\u0301", "name_calling")}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("liars\t10\t15\tB-nope\n", "unknown label 'nope'"),
        ("liars\t10\t16\tO\n", "not end - start"),
        ("liars\tten\t15\tO\n", "must be integers"),
        ("liars\t10\t15\n", "expected 4 tab-separated columns"),
        ("liars\t10\t15\tX-doubt\n", "is not O, B-<label>"),
    ],
)
def test_conll_bad_line_names_file_and_line(project, tmp_path, line, words):
    path = tmp_path / "bad.conll"
    path.write_text(
        "# columns = token\tstart\tend\tlabels\n# doc_id = d1\nThey\t0\t4\tB-doubt\n"
        "# doc_id = d2\n" + line,
        encoding="utf-8",
    )

    report = import_paths(project, [path], annotator="c")

    [error] = report.files[0].errors
    assert error.file == str(path)
    assert error.line == 5
    assert words in error.message
    assert_nothing_stored(project)


# --- Label Studio ------------------------------------------------------------------------


def studio_task(task_id, text, regions, **data):
    return {
        "id": task_id,
        "data": {"text": text, **data},
        "annotations": [
            {
                "id": 1,
                "completed_by": 1,
                "was_cancelled": False,
                "result": [
                    {
                        "id": f"r{n}",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": a, "end": b, "text": text[a:b], "labels": labels},
                    }
                    for n, (a, b, labels) in enumerate(regions)
                ],
            }
        ],
        "predictions": [],
    }


def find(text, phrase):
    start = text.index(phrase)
    return start, start + len(phrase)


def test_label_studio_export_file_with_crlf_emoji_rtl(project, unicode_sample, tmp_path):
    crlf = unicode_sample.replace("\n", "\r\n")
    tasks = [
        studio_task(
            7,
            crlf,
            [
                (*find(crlf, "👨\u200d👩\u200d👧 families"), ["name_calling", "Loaded_Language"]),
                (*find(crlf, "عادلة\u00a0تماما"), ["Doubt"]),
                (*find(crlf, "flee.\r\nCafe\u0301"), ["inserted_phrase"]),
            ],
            external_id="ls-7",
        ),
        studio_task(8, "Plain text, no spans.", []),
    ]
    tasks[1]["annotations"][0]["was_cancelled"] = True
    path = tmp_path / "project-1-at-2024.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")

    report = import_paths(project, [path], annotator="ls")

    assert report.ok, report.as_dict()
    assert report.files[0].format == "label-studio"
    got = stored(project)
    text, spans = got["ls-7"]
    assert text == unicode_sample
    assert {(text[a:b], key) for a, b, key in spans} == {
        ("👨\u200d👩\u200d👧 families", "name_calling"),
        ("👨\u200d👩\u200d👧 families", "loaded_language"),
        ("عادلة\u00a0تماما", "doubt"),
        ("flee.\nCafe\u0301", "inserted_phrase"),
    }
    assert got["8"] == ("Plain text, no spans.", set())


def test_label_studio_utf16_offsets_are_detected_and_converted_on_request(project, tmp_path):
    text = "🔥🔥 They lie."
    task = studio_task(1, text, [(3, 7, ["doubt"])])  # code points: "They"
    task["annotations"][0]["result"][0]["value"].update(start=5, end=9)  # UTF-16 units
    path = tmp_path / "utf16.json"
    path.write_text(json.dumps([task]), encoding="utf-8")

    refused = import_paths(project, [path], annotator="ls")
    assert "--utf16-offsets" in refused.files[0].errors[0].message
    assert_nothing_stored(project)

    report = import_paths(project, [path], annotator="ls", utf16_offsets=True)
    assert report.ok, report.as_dict()
    text, spans = stored(project)["1"]
    assert {(text[a:b], key) for a, b, key in spans} == {("They", "doubt")}


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (
            '[\n  {"id": 1, "data": {"text": "ok"}},\n  {"id": 2, "data": {"text": "x"}',
            3,
            "bad JSON",
        ),
        ('[\n  {"id": 1, "data": {"text": "ok"}},\n  {"id": 2, "data": {}}\n]', 3, "'data.text'"),
        ('{"tasks": []}', 1, "expected a task object"),
    ],
)
def test_label_studio_errors_name_the_line_of_the_task(project, tmp_path, content, line, words):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")

    report = import_paths(project, [path], annotator="ls")

    [error] = report.files[0].errors
    assert error.file == str(path)
    assert error.line == line
    assert words in error.message
    assert_nothing_stored(project)


@pytest.mark.skipif("label-studio" not in FORMATS, reason="no label-studio export yet")
def test_label_studio_export_reimports_with_the_same_spans(project, corpus, tmp_path):
    folder = export("label-studio", corpus, tmp_path / "ls")

    report = import_paths(project, [folder], annotator="ls")

    assert report.ok, report.as_dict()
    got = stored(project)
    for article in corpus:
        text, spans = got[article.external_id]
        assert text == article.text
        assert spans == {(s.start, s.end, s.label_key) for s in article.spans}


def test_uploads_of_json_and_conll(project, unicode_sample):
    task = json.dumps([studio_task(3, "Upload me.", [(0, 6, ["doubt"])])]).encode()
    conll = b"They B-doubt\nlie O\n"
    for name, data in (("tasks.json", task), ("tokens.conll", conll)):
        report = import_upload(project, name, io.BytesIO(data), annotator="up")
        assert report.ok, report.as_dict()
    assert {key: spans for key, (_, spans) in stored(project).items()} == {
        "3": {(0, 6, "doubt")},
        "tokens": {(0, 4, "doubt")},
    }


def test_label_studio_file_is_read_a_task_at_a_time(project, tmp_path, monkeypatch):
    from annotator.imports import label_studio

    monkeypatch.setattr(label_studio, "CHUNK", 7)  # every task cut across reads
    tasks = [studio_task(n, f"Text 🔥 {n}.", [(7, 7 + len(str(n)), ["doubt"])]) for n in range(30)]
    tasks[17]["data"]["text"] = ""
    path = tmp_path / "many.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")

    report = import_paths(project, [path], annotator="ls")

    [error] = report.files[0].errors
    starts = [n + 1 for n, text in enumerate(path.read_text().split("\n")) if text == " {"]
    assert error.line == starts[17]
    assert "task 17: 'data.text'" in error.message
    del tasks[17]
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    report = import_paths(project, [path], annotator="ls")
    assert report.ok, report.as_dict()
    assert {k: v[1] for k, v in stored(project).items()}["29"] == {(7, 9, "doubt")}
