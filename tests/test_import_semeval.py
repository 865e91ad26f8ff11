"""The SemEval-2020 Task 11 release as released: its folder layout and file names, zipped or
not, whole-set label files, TC preferred over SI, a BOM article whose offsets count the BOM, CRLF,
repeated span lines, and the errors that used to be silent successes (tests/data/semeval2020)."""

import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from test_import_helpers import project_fixture  # noqa: F401  (fixture)

from annotator.annotations.models import Span
from annotator.corpus.models import Article
from annotator.imports.service import import_paths

DATASETS = Path(__file__).parent / "data" / "semeval2020" / "datasets"
TC_DIR = "train-labels-task2-technique-classification"
SI_DIR = "train-labels-task1-span-identification"

# What the fixture's labels cover, read from the raw files the way the task reads them
# (Python code points of the file, BOM and CRs counted): (article, label key, covered text).
TC_SPANS = {
    ("1001", "name_calling", "e\u0300vil liars"),
    ("1001", "loaded_language", "glorious"),
    ("1002", "name_calling", "traitors and cowards 💥"),
    ("1002", "loaded_language", "عادلة\u00a0تماما"),
    ("1002", "doubt", "Is this really true?"),
    ("1003", "whataboutism", "What about the other side, they did worse."),
    ("1003", "name_calling", "clowns"),
}
SI_SPANS = {
    ("1001", "propaganda", "They are e\u0300vil liars"),
    ("1001", "propaganda", "glorious nation"),
    ("1002", "propaganda", "traitors and cowards 💥 everywhere"),
    ("1002", "propaganda", "Is this really true?"),
    ("1003", "propaganda", "What about the other side"),
    ("1003", "propaganda", "Those clowns"),
}


def raw_label_texts(folder: Path) -> set[tuple[str, str]]:
    """(article, covered text) of every TC line, read as the organisers' tools read them."""
    covered = set()
    for labels in folder.glob(f"{TC_DIR}/*.labels"):
        for line in labels.read_text(encoding="utf-8").splitlines():
            ident, _, start, end = line.split("\t")
            with open(
                folder / "train-articles" / f"article{ident}.txt", encoding="utf-8", newline=""
            ) as f:
                covered.add((ident, f.read()[int(start) : int(end)]))
    return covered


def stored(project) -> set[tuple[str, str, str]]:
    result = set()
    for span in Span.objects.filter(article__project=project).select_related("article", "label"):
        assert span.article.text[span.start : span.end] == span.text
        result.add((span.article.external_id, span.label.key, span.text))
    return result


def copy_release(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATASETS, tmp_path / "datasets"))


def zip_folder(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, f"datasets/{file.relative_to(folder)}")
    return path


def test_fixture_is_the_release_layout_with_its_quirks():
    assert (DATASETS / "train-articles/article1001.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (DATASETS / "train-articles/article1001.txt").read_bytes()
    tc = (DATASETS / TC_DIR / "article1001.task2-TC.labels").read_text().splitlines()
    assert len(tc) != len(set(tc))  # a repeated span line
    assert (DATASETS / "train-task2-TC.labels").exists()
    assert (DATASETS / SI_DIR).is_dir()
    assert {(a, t) for a, _, t in TC_SPANS if a != "1003"} == raw_label_texts(DATASETS)


@pytest.mark.parametrize("packaging", ["folder", "zip"])
def test_release_imports_every_span_exactly(project, tmp_path, packaging):
    source = DATASETS if packaging == "folder" else zip_folder(DATASETS, tmp_path / "d.zip")

    report = import_paths(project, [source], annotator="ptc")

    assert report.ok, report.as_dict()
    [file] = report.files
    assert (file.articles_created, file.spans_created) == (4, len(TC_SPANS))
    assert stored(project) == TC_SPANS  # the BOM article's spans too, not one character off
    bom = Article.objects.get(project=project, external_id="1001")
    assert not bom.text.startswith("\ufeff")
    assert "\r" not in bom.text
    assert bom.title == "Minister: 👨\u200d👩\u200d👧 families flee"
    # which label files each article took: its own TC file, else the whole-set file
    assert file.label_files["1001"][0].endswith(f"{TC_DIR}/article1001.task2-TC.labels")
    assert file.label_files["1003"][0].endswith("train-task2-TC.labels")
    assert "2001" not in file.label_files
    assert file.repeated_spans == 1  # the whole-set file is not read for 1001: its own file is
    assert any("article1001.task2-TC.labels, line 3" in w for w in file.repeated_span_lines)
    assert any("span-identification" in note and "--si-label" in note for note in file.notes)


def test_si_on_request_adds_si_spans_under_the_label(project):
    report = import_paths(project, [DATASETS], annotator="ptc", si_label="propaganda")

    assert report.ok, report.as_dict()
    assert stored(project) == TC_SPANS | SI_SPANS
    files = report.files[0].label_files
    assert any(name.endswith("article1002.task1-SI.labels") for name in files["1002"])
    assert any(name.endswith("train-task1-SI.labels") for name in files["1003"])


def test_labels_next_to_the_articles_under_older_names(project, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for article in (DATASETS / "train-articles").iterdir():
        shutil.copy(article, flat)
    tc = DATASETS / TC_DIR
    shutil.copy(tc / "article1001.task2-TC.labels", flat / "article1001.labels")
    shutil.copy(tc / "article1002.task2-TC.labels", flat / "article1002.labels-task-TC")
    lines = (DATASETS / "train-task2-TC.labels").read_bytes().splitlines(keepends=True)
    (flat / "article1003.task-flc-tc.labels").write_bytes(b"".join(lines[-2:]))
    shutil.copy(
        DATASETS / SI_DIR / "article1001.task1-SI.labels", flat / "article1001.task-SI.labels"
    )

    report = import_paths(project, [flat], annotator="ptc")

    assert report.ok, report.as_dict()
    assert stored(project) == TC_SPANS


def test_command_prints_label_files_and_exits_zero(project, capsys):
    call_command(
        "import_articles", "--project", "news", "--annotator", "ptc", str(DATASETS), verbosity=2
    )

    out = capsys.readouterr().out
    assert f"4 article(s), {len(TC_SPANS)} span(s) from 3 labels file(s)" in out
    assert "1003: " in out
    assert "train-task2-TC.labels" in out
    assert "repeated span line(s)" in out


def assert_failed(project, report, file_part: str, words: str, line=None):
    assert not report.ok
    [error] = report.files[0].errors
    assert file_part in error.file, error
    assert words in error.message, error
    if line is not None:
        assert error.line == line
    assert not Article.objects.filter(project=project).exists()
    assert not Span.objects.exists()


def test_labels_file_without_its_article_is_an_error(project, tmp_path):
    folder = copy_release(tmp_path)
    (folder / "train-articles/article1002.txt").unlink()

    report = import_paths(project, [folder], annotator="ptc")

    assert not report.ok
    messages = [(e.file, e.message) for e in report.files[0].errors]
    assert any(
        f.endswith("article1002.task2-TC.labels") and "no article1002.txt" in m for f, m in messages
    )
    assert not Article.objects.filter(project=project).exists()
    with pytest.raises(CommandError, match="1 file\\(s\\) failed"):
        call_command("import_articles", "--project", "news", "--annotator", "ptc", str(folder))


def test_label_files_found_but_none_read_is_an_error(project, tmp_path):
    folder = tmp_path / "odd"
    (folder / "labels").mkdir(parents=True)
    shutil.copy(DATASETS / "train-articles/article1001.txt", folder)
    shutil.copy(DATASETS / TC_DIR / "article1001.task2-TC.labels", folder / "labels/1001-tc.labels")

    report = import_paths(project, [folder], annotator="ptc")

    assert_failed(project, report, "1001-tc.labels", "found and none read")


def test_label_files_read_but_no_span_stored_is_an_error(project, tmp_path):
    folder = copy_release(tmp_path)
    for labels in folder.rglob("*TC.labels"):
        labels.write_bytes(b"\n")

    report = import_paths(project, [folder], annotator="ptc")

    assert_failed(project, report, str(folder), "labels file(s) read and no span stored")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("1002\tBandwagon\t0\t5\n", "unknown label 'Bandwagon'"),
        ("1002\tDoubt\t94\t1000\n", "out of range"),
    ],
)
def test_bad_line_names_file_and_line_and_stores_nothing(project, tmp_path, line, words):
    folder = copy_release(tmp_path)
    labels = folder / TC_DIR / "article1002.task2-TC.labels"
    labels.write_bytes(labels.read_bytes() + line.encode())

    report = import_paths(project, [folder], annotator="ptc")

    assert_failed(project, report, "article1002.task2-TC.labels", words, line=4)


def test_whole_set_line_of_a_missing_article_names_its_line(project, tmp_path):
    folder = copy_release(tmp_path)
    whole = folder / "train-task2-TC.labels"
    whole.write_bytes(whole.read_bytes() + b"999\tDoubt\t0\t5\n")

    report = import_paths(project, [folder], annotator="ptc")

    assert_failed(project, report, "train-task2-TC.labels", "no article999.txt", line=9)
