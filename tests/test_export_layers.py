"""Who marked what (issue #12, item 2): the default layer, ``all`` only where each span names its
annotator, and a dataset card whose "Layer" line is true for every format and layer, checked
against the files of the downloaded zip."""

import csv
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.corpus.models import Article, Assignment, Membership, Project, Role
from annotator.exports import services
from annotator.exports.formats import FORMATS, ExportError
from annotator.exports.models import Export
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db
User = get_user_model()
TEXT = "Dem 🤡 liars\u00a0lie: الحرب عادلة, e\u0301vil #hoax."


@pytest.fixture
def project():
    """Two annotators marking the same phrase with the same label, and one more span each."""
    schema = LabelSchema.objects.create(name="S")
    loaded = Label.objects.create(schema=schema, key="loaded", name="Loaded", order=1)
    doubt = Label.objects.create(schema=schema, key="doubt", name="Doubt", order=2)
    project = Project.objects.create(slug="p", name="P", schema=schema)
    article = Article.objects.create(project=project, external_id="a1", text=TEXT)
    for name, extra, label in (("alice", "الحرب", doubt), ("bob", "#hoax", loaded)):
        user = User.objects.create_user(name)
        Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
        Assignment.objects.create(article=article, annotator=user)
        for phrase, lab in (("liars", loaded), (extra, label)):
            start = TEXT.index(phrase)
            Span.objects.create(
                article=article,
                annotator=user,
                label=lab,
                start=start,
                end=start + len(phrase),
                text=phrase,
            )
    return project


def add_gold(project):
    article = project.articles.get()
    start = TEXT.index("e\u0301vil")
    Span.objects.create(
        article=article,
        annotator=None,
        label=project.schema.labels.get(key="loaded"),
        start=start,
        end=start + 5,
        text=TEXT[start : start + 5],
    )


def build(project, fmt, **options):
    result = services.export_now(project, fmt, options)
    assert result.status == JobStatus.DONE, result.error
    with default_storage.open(result.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def layer_line(archive, prefix="- Layer `"):
    card = archive.read("README.md").decode()
    return next(line for line in card.splitlines() if line.startswith(prefix))


def writer_files(fmt):
    """The configuration a format puts in every folder (brat's annotation.conf)."""
    return list(FORMATS[fmt]([]).folder_files())


def annotators_in_file(archive, fmt, name):
    """The annotator of each span of a carrier format's data file, as a reader sees it."""
    if fmt == "parquet":
        import pandas

        frame = pandas.read_parquet(io.BytesIO(archive.read(name)))
        return [s["annotator"] for spans in frame["spans"] for s in spans]
    data = archive.read(name).decode("utf-8")
    if fmt == "jsonl":
        return [s["annotator"] for line in data.splitlines() for s in json.loads(line)["spans"]]
    if fmt == "doccano":
        return [a for line in data.splitlines() for a in json.loads(line)["annotators"]]
    if fmt == "label-studio":
        return [
            annotation["annotator"] or None
            for task in json.loads(data)
            for annotation in task["annotations"]
            for _ in annotation["result"]
        ]
    assert fmt == "csv", f"a reader for {fmt} in this test"
    return [row["annotator"] or None for row in csv.DictReader(io.StringIO(data, newline=""))]


def test_default_is_each_without_gold_and_gold_with_it(project):
    for fmt in FORMATS:
        assert services.request_export(project, fmt).options["layer"] == "each"
    add_gold(project)
    for fmt in FORMATS:
        assert services.request_export(project, fmt).options["layer"] == "gold"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_all_is_refused_where_the_format_does_not_name_the_annotator(project, fmt):
    if FORMATS[fmt].carries_annotator:
        assert services.request_export(project, fmt, {"layer": "all"}).options["layer"] == "all"
        return
    with pytest.raises(ExportError, match="'layer'.*'each'"):
        services.request_export(project, fmt, {"layer": "all"})
    assert not Export.objects.exists()
    # One annotator mixes nobody: allowed, and the card names them.
    archive = build(project, fmt, layer="all", annotators=["bob"])
    assert "one annotator, `bob`" in layer_line(archive)
    assert json.loads(archive.read("manifest.json"))["counts"]["annotators"] == {"bob": 2}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("layer", ["gold", "each", "all"])
def test_the_cards_layer_line_is_true_of_the_files(project, fmt, layer):
    add_gold(project)
    writer = FORMATS[fmt]
    if layer == "all" and not writer.carries_annotator:
        return  # refused (test above)
    archive = build(project, fmt, layer=layer)
    line = layer_line(archive)
    manifest = json.loads(archive.read("manifest.json"))
    data = [n for n in archive.namelist() if n not in ("README.md", "manifest.json")]
    if layer == "each":
        assert "one folder per annotator under `annotators/`" in line
        folders = ("annotators/alice/", "annotators/bob/")
        conf = [f"{folder}{name}" for folder in ("", "annotators/") for name in writer_files(fmt)]
        assert all(n.startswith(folders) for n in data if n not in conf)
        per_folder = manifest["counts_per_annotator_folder"]
        assert {name: c["annotators"] for name, c in per_folder.items()} == {
            "alice": {"alice": 2},
            "bob": {"bob": 2},
        }
        if writer.carries_annotator:
            for name in ("alice", "bob"):
                found = annotators_in_file(archive, fmt, f"annotators/{name}/{writer.filename}")
                assert found == [name, name]
    elif layer == "gold":
        assert line.startswith("- Layer `gold`: the gold layer")
        assert manifest["counts"]["annotators"] == {"(gold)": 1}
        if writer.carries_annotator:
            assert f"{writer.annotator_where} gives no name" in line
            assert annotators_in_file(archive, fmt, writer.filename) == [None]
    else:
        assert f"{writer.annotator_where} names who marked it" in line
        found = annotators_in_file(archive, fmt, writer.filename)
        # The two identical "liars" spans stay apart, each with its annotator.
        assert sorted(found) == ["alice", "alice", "bob", "bob"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("layer", ["each", "gold"])
def test_the_cards_python_snippet_runs_on_the_export(project, fmt, layer, tmp_path, monkeypatch):
    """The card's "Loading it in Python" code, run as a reader would in the unzipped folder,
    prints one line a span (or a token, for CoNLL) of what was exported."""
    add_gold(project)
    archive = build(project, fmt, layer=layer)
    archive.extractall(tmp_path)
    card = archive.read("README.md").decode()
    code = card.split("```python\n", 1)[1].split("\n```", 1)[0]
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    # the first folder's spans (each: alice's; gold: the gold span), by their text or their
    # offsets (in code points, or UTF-16 units for doccano)
    phrases = ["liars", "الحرب"] if layer == "each" else ["e\u0301vil"]
    if fmt == "conll":
        phrases = phrases[:1]  # tokens: the Arabic span is two tokens
    for phrase in phrases:
        start = TEXT.index(phrase)
        wide = len(TEXT[:start].encode("utf-16-le")) // 2
        ways = [phrase, f"{start} {start + len(phrase)}", f"{wide} {wide + len(phrase)}"]
        assert any(way in printed for way in ways), (phrase, printed)
    assert len(printed.splitlines()) >= len(phrases)
