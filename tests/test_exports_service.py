"""The export service (annotator.exports.services / build) and the export_dataset command: the
zip's contents, options, verification, failure, recovery. Writers' formats have golden tests of
their own (test_export_formats.py); here the question is what the service feeds them."""

import gc
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Project, Role
from annotator.exports import services
from annotator.exports.formats import ExportError
from annotator.exports.models import Export
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def find(text, phrase):
    start = text.index(phrase)
    return start, start + len(phrase)


class Corpus:
    """Two annotators, a gold layer, Unicode text; ann1 is done with a1, nobody with a2."""

    def __init__(self, unicode_sample):
        schema = LabelSchema.objects.create(name="Techniques")
        self.loaded = Label.objects.create(
            schema=schema,
            key="loaded_language",
            name="Loaded",
            official_label="Loaded_Language",
            description="Emotionally charged words.",
            order=1,
        )
        self.naming = Label.objects.create(
            schema=schema,
            key="name_calling",
            name="Name calling",
            official_label="Name_Calling,Labeling",
            order=2,
        )
        self.doubt = Label.objects.create(schema=schema, key="doubt", name="Doubt", order=3)
        self.project = Project.objects.create(slug="news", name="News", schema=schema)
        self.ann1 = User.objects.create_user("ann1")
        self.ann2 = User.objects.create_user("ann2")
        for user in (self.ann1, self.ann2):
            Membership.objects.create(user=user, project=self.project, role=Role.ANNOTATOR)
        self.a1 = Article.objects.create(
            project=self.project, external_id="a1", title="Unicode", text=unicode_sample
        )
        self.a2 = Article.objects.create(
            project=self.project, external_id="a2", title="Plain", text="They are liars, all."
        )
        Article.objects.create(project=self.project, external_id="a3", text="Nothing here.")
        Assignment.objects.create(
            article=self.a1, annotator=self.ann1, status=AssignmentStatus.DONE
        )
        Assignment.objects.create(article=self.a1, annotator=self.ann2)
        Assignment.objects.create(article=self.a2, annotator=self.ann2)
        t1 = self.a1.text
        self.spans = [
            self.span(self.a1, self.ann1, self.loaded, *find(t1, "👨‍👩‍👧 families")),
            self.span(self.a1, self.ann1, self.naming, *find(t1, "e\u0300vil")),
            self.span(self.a1, self.ann2, self.loaded, *find(t1, "عادلة\u00a0تماما")),
            self.span(self.a1, None, self.loaded, *find(t1, "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢")),
            self.span(self.a2, self.ann2, self.doubt, *find(self.a2.text, "liars")),
        ]

    @staticmethod
    def span(article, user, label, start, end):
        return Span.objects.create(
            article=article,
            annotator=user,
            label=label,
            start=start,
            end=end,
            text=article.text[start:end],
        )


@pytest.fixture
def corpus(unicode_sample):
    return Corpus(unicode_sample)


def export(corpus, fmt="jsonl", **options):
    if fmt == "jsonl":
        options.setdefault("layer", "all")  # the default is gold here (test_default_layer_*)
    result = services.export_now(corpus.project, fmt, options)
    assert result.status == JobStatus.DONE, result.error
    return result


def open_zip(result) -> zipfile.ZipFile:
    with default_storage.open(result.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def jsonl_records(result):
    lines = open_zip(result).read("articles.jsonl").decode("utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_zip_holds_data_manifest_and_card_with_checksums(corpus):
    result = export(corpus)
    archive = open_zip(result)
    assert sorted(archive.namelist()) == ["README.md", "articles.jsonl", "manifest.json"]
    manifest = json.loads(archive.read("manifest.json"))
    # Every other file is listed with its real sha256 and size.
    assert set(manifest["files"]) == {"articles.jsonl", "README.md"}
    for name, record in manifest["files"].items():
        data = archive.read(name)
        assert record == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    # The zip's own checksum and size are on the Export, and match the stored file.
    with default_storage.open(result.file.name, "rb") as handle:
        blob = handle.read()
    assert result.sha256 == hashlib.sha256(blob).hexdigest()
    assert result.size == len(blob)
    assert manifest["format"] == "jsonl"
    assert manifest["options"]["layer"] == "all"
    assert manifest["app_version"]
    assert manifest["created_at"].startswith(str(timezone.now().year))
    assert manifest["counts"]["articles"] == 3
    assert manifest["counts"]["spans"] == 4  # every annotator span, no gold
    assert manifest["counts"]["labels"] == {"doubt": 1, "loaded_language": 2, "name_calling": 1}
    assert manifest["counts"]["annotators"] == {"ann1": 2, "ann2": 2}
    schema_keys = [label["key"] for label in manifest["schema"]["labels"]]
    assert schema_keys == ["loaded_language", "name_calling", "doubt"]
    assert result.counts == manifest["counts"]
    assert result.progress_done == result.progress_total == 3

    card = archive.read("README.md").decode()
    assert "# News: jsonl dataset" in card
    assert "| ann1 | 2 |" in card
    assert "Emotionally charged words." in card
    assert 'open("articles.jsonl", encoding="utf-8")' in card


def test_jsonl_spans_select_their_text_in_code_points(corpus):
    records = {r["id"]: r for r in jsonl_records(export(corpus))}
    a1 = records["a1"]
    assert a1["text"] == corpus.a1.text
    got = [(s["annotator"], s["label"], a1["text"][s["start"] : s["end"]]) for s in a1["spans"]]
    assert got == [
        ("ann1", "loaded_language", "👨‍👩‍👧 families"),
        ("ann1", "name_calling", "e\u0300vil"),
        ("ann2", "loaded_language", "عادلة\u00a0تماما"),
    ]
    assert [s["text"] for s in a1["spans"]] == [g[2] for g in got]


@pytest.mark.parametrize("between", [1, 5])  # a dense id range, then a sparse one
def test_spans_of_articles_in_between_stay_out(corpus, between):
    """Spans are read by article id range when the ids are dense: another project's articles
    (and spans) created in between must not leak into this project's export."""
    other = Project.objects.create(slug="other", name="Other", schema=corpus.project.schema)
    ours = []
    for n in range(6):
        article = Article.objects.create(
            project=corpus.project, external_id=f"x{n}", text=f"Ours {n} lie"
        )
        ours.append(article)
        corpus.span(article, corpus.ann1, corpus.doubt, 0, 4)
        for m in range(between):
            theirs = Article.objects.create(
                project=other, external_id=f"y{n}-{m}", text=f"Theirs {n} {m}"
            )
            corpus.span(theirs, corpus.ann1, corpus.doubt, 0, 6)
    records = {r["id"]: r for r in jsonl_records(export(corpus))}
    for article in ours:
        assert [s["text"] for s in records[article.external_id]["spans"]] == ["Ours"]
    assert not any(s["text"] == "Theirs" for r in records.values() for s in r["spans"])
    assert len(records) == 3 + 6


def test_layers_gold_all_each(corpus):
    gold = jsonl_records(export(corpus, layer="gold"))
    assert [(r["id"], [s["annotator"] for s in r["spans"]]) for r in gold] == [
        ("a1", [None]),
        ("a2", []),
        ("a3", []),
    ]
    each = export(corpus, layer="each")
    archive = open_zip(each)
    names = sorted(archive.namelist())
    assert names == [
        "README.md",
        "annotators/ann1/articles.jsonl",
        "annotators/ann2/articles.jsonl",
        "manifest.json",
    ]
    ann1 = [json.loads(x) for x in archive.read("annotators/ann1/articles.jsonl").splitlines()]
    ann2 = [json.loads(x) for x in archive.read("annotators/ann2/articles.jsonl").splitlines()]
    # Each folder holds the articles assigned to that annotator, with only their spans.
    assert [(r["id"], len(r["spans"])) for r in ann1] == [("a1", 2)]
    assert [(r["id"], len(r["spans"])) for r in ann2] == [("a1", 1), ("a2", 1)]
    assert {s["annotator"] for r in ann2 for s in r["spans"]} == {"ann2"}
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["articles"] == 3 - 1  # a3 is nobody's
    assert manifest["counts"]["annotators"] == {"ann1": 2, "ann2": 2}
    one = jsonl_records(export(corpus, layer="all", annotators=["ann2"]))
    assert {s["annotator"] for r in one for s in r["spans"]} == {"ann2"}


def test_done_only_keeps_articles_and_layers_marked_done(corpus):
    records = jsonl_records(export(corpus, done_only=True))
    assert [r["id"] for r in records] == ["a1"]
    # ann2 has not finished a1: their span there is not part of a "done" dataset.
    assert {s["annotator"] for s in records[0]["spans"]} == {"ann1"}


def test_label_subset_and_key_mapping(corpus):
    records = jsonl_records(
        export(
            corpus,
            labels=["loaded_language", "name_calling"],
            label_mapping={"name_calling": "loaded_language"},
        )
    )
    labels = [s["label"] for r in records for s in r["spans"]]
    assert labels == ["loaded_language"] * 3  # doubt left out, name_calling merged


def test_label_mapping_to_preset_official_names(corpus):
    Label.objects.filter(pk=corpus.loaded.pk).update(official_label="")
    result = export(corpus, "semeval", label_mapping="semeval2020", layer="gold")
    tsv = open_zip(result).read("task2-TC.labels").decode()
    start, end = find(corpus.a1.text, "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    assert tsv == f"a1\tLoaded_Language\t{start}\t{end}\n"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"layer": "mine"}, "'layer'"),
        ({"labels": ["nope"]}, "'nope'"),
        ({"layer": "each", "annotators": ["stranger"]}, "'stranger'"),
        ({"label_mapping": "no_such_preset"}, "no_such_preset"),
        ({"label_mapping": {"doubt": "Bad Key"}}, "'Bad Key'"),
        ({"format_options": {"article_ids": "weird"}}, "'article_ids'"),
        ({"colour": 1}, "'colour'"),
    ],
)
def test_bad_options_are_refused_naming_the_option(corpus, options, named):
    with pytest.raises(ExportError, match=named):
        services.request_export(corpus.project, "semeval", options)
    assert not Export.objects.exists()


def test_corrupted_snapshot_fails_the_export_naming_the_span(corpus, media):
    bad = corpus.spans[1]
    # Same length (the database insists), different text: only an export can notice.
    Span.objects.filter(pk=bad.pk).update(text="x" * (bad.end - bad.start))
    result = services.export_now(corpus.project, "semeval", {"layer": "each"})
    assert result.status == JobStatus.FAILED
    assert f"span #{bad.pk}" in result.error
    assert "'a1'" in result.error
    assert "name_calling" in result.error
    assert f"[{bad.start}, {bad.end})" in result.error
    assert not result.file
    assert not result.sha256
    # Nothing published, and no temporary file left behind.
    files = [p for p in Path(media).rglob("*") if p.is_file()]
    assert files == []


def test_data_files_are_reproducible(corpus):
    first, second = open_zip(export(corpus, "semeval")), open_zip(export(corpus, "semeval"))
    m1 = json.loads(first.read("manifest.json"))["files"]
    m2 = json.loads(second.read("manifest.json"))["files"]
    data = [name for name in m1 if name != "README.md"]
    # 3 .txt, a1's TC and SI files (a2's spans are of no task technique), 5 whole-set files
    assert len(data) == 10
    assert {n: m1[n] for n in data} == {n: m2[n] for n in data}


def test_command_writes_the_zip_and_records_the_export(corpus, tmp_path):
    out = tmp_path / "dataset.zip"
    stdout = io.StringIO()
    args = ["--project", "news", "--format", "csv", "--output", str(out), "--layer", "gold"]
    call_command("export_dataset", *args, stdout=stdout)
    result = Export.objects.get()
    assert result.status == JobStatus.DONE
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    assert f"sha256 {result.sha256}" in stdout.getvalue()
    rows = zipfile.ZipFile(out).read("spans.csv").decode().splitlines()
    assert len(rows) == 2  # header + the gold span


def test_command_errors_name_the_problem(corpus, tmp_path):
    out = str(tmp_path / "x.zip")
    with pytest.raises(CommandError, match="--project: no project 'nope'"):
        call_command("export_dataset", "--project", "nope", "--format", "csv", "--output", out)
    args = ["--project", "news", "--format", "csv", "--output", out, "--labels", "nope"]
    with pytest.raises(CommandError, match="'nope'"):
        call_command("export_dataset", *args)
    Span.objects.filter(pk=corpus.spans[0].pk).update(text="z" * len(corpus.spans[0].text))
    args = ["--project", "news", "--format", "csv", "--output", out, "--layer", "all"]
    with pytest.raises(CommandError, match=f"span #{corpus.spans[0].pk}"):
        call_command("export_dataset", *args)
    assert not Path(out).exists()


def test_the_command_takes_the_default_layer_and_on_off_format_options(corpus, tmp_path):
    out = tmp_path / "x.zip"
    args = ["--project", "news", "--format", "csv", "--output", str(out), "--option", "bom=true"]
    call_command("export_dataset", *args)
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("spans.csv").startswith("\ufeff".encode())
    assert manifest["options"]["layer"] == "gold"  # the corpus has a gold layer
    assert manifest["options"]["format_options"] == {"escape_formulas": True, "bom": True}


def test_many_files_are_summarised_in_the_card_and_all_listed_in_the_manifest(corpus):
    for n in range(30):
        Article.objects.create(project=corpus.project, external_id=f"more{n}", text=f"Text {n}.")
    archive = open_zip(export(corpus, "semeval"))
    card = archive.read("README.md").decode()
    assert "- `task2-TC.labels`\n- `task1-SI.labels`\n- `other-labels.tsv`\n" in card
    assert "- 33 `.txt` files (one per article)\n" in card
    manifest = json.loads(archive.read("manifest.json"))
    # 33 articles, a1's TC and SI files, 5 whole-set files, the card and the manifest
    assert manifest["file_count"] == len(archive.namelist()) == 33 + 2 + 5 + 2
    assert set(manifest["files"]) == set(archive.namelist()) - {"manifest.json"}
    assert manifest["files"]["articles/articlemore3.txt"] == {
        "sha256": hashlib.sha256(b"Text 3.").hexdigest(),
        "size": 7,
    }


def test_the_garbage_collector_is_back_on_after_a_build(corpus):
    """Builds pause Python's cyclic collector (see build.cyclic_gc_paused), never for good."""
    assert gc.isenabled()
    export(corpus)
    assert gc.isenabled()
    bad = corpus.spans[1]
    Span.objects.filter(pk=bad.pk).update(text="x" * (bad.end - bad.start))
    assert services.export_now(corpus.project, "jsonl", {"layer": "all"}).status == JobStatus.FAILED
    assert gc.isenabled()


def test_the_card_shows_names_as_text_never_as_markup(corpus):
    """Project, label and schema names are the users' text: rendered, README.md shows them as
    they are, never as HTML, links or extra table cells (issue #11, item 11)."""
    from markdown_it import MarkdownIt

    Project.objects.filter(pk=corpus.project.pk).update(name="<img src=x onerror=alert(1)>")
    corpus.loaded.name = "[click](javascript:alert(1))"
    corpus.loaded.description = "Loaded | words\nwith **emphasis** & <b>tags</b>"
    corpus.loaded.save()
    corpus.project.schema.name = "`code` <script>"
    corpus.project.schema.save()
    card = open_zip(export(corpus)).read("README.md").decode()
    front, body = card.removeprefix("---\n").split("\n---\n", 1)  # the Hub hides it
    assert "<" not in front
    assert '"\\u003cimg src=x onerror=alert(1)\\u003e (jsonl)"' in front
    html = MarkdownIt("commonmark").enable("table").render(body)
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;: jsonl dataset</h1>" in html
    row = html[html.index("<td>loaded_language</td>") :].split("</tr>")[0]
    assert re.findall(r"<td>(.*?)</td>", row) == [
        "loaded_language",
        "Loaded_Language",
        "[click](javascript:alert(1))",
        "2",
        "Loaded | words with **emphasis** &amp; &lt;b&gt;tags&lt;/b&gt;",
    ]
    assert "<p>The schema `code` &lt;script&gt; is in <code>manifest.json</code>" in html
    tags = set(re.findall(r"<(\w+)", html))
    assert tags <= {
        "h1",
        "h2",
        "p",
        "ul",
        "li",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }, tags


def test_a_data_file_too_large_to_stream_is_built_again_with_zip64_room(corpus, monkeypatch):
    """The streamed first entry of a zip is zip32 (4 GiB at most); past that the build starts
    again with every file kept until it is closed. Both limits are shrunk here."""
    from annotator.exports.formats import sinks

    monkeypatch.setattr(sinks, "BLOCK", 64)
    monkeypatch.setattr(sinks, "STREAM_LIMIT", 200)
    streams = []
    original = sinks.ZipSink.__init__

    def spy(self, target, *, stream=True):
        streams.append(stream)
        original(self, target, stream=stream)

    monkeypatch.setattr(sinks.ZipSink, "__init__", spy)
    result = export(corpus)
    assert streams == [True, False]
    archive = open_zip(result)
    assert archive.testzip() is None
    assert [json.loads(line)["id"] for line in archive.read("articles.jsonl").splitlines()] == [
        "a1",
        "a2",
        "a3",
    ]
    assert result.manifest["counts"]["articles"] == 3
