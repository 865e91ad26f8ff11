"""Exports as researchers load them: Hugging Face ``datasets`` (the unzipped folder through the
card's YAML ``configs``, and the json/csv/parquet builders on the files), pandas for parquet,
and the deterministic train/dev/test split. The corpus has emoji, a ZWJ family, combining marks,
Arabic and Hebrew, a no-break space, text that came in with CRLF, and the same span marked by
two annotators (issue #12, item 7)."""

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.core.text import normalize_newlines
from annotator.corpus.models import Article, Membership, Project, Role
from annotator.exports import services
from annotator.exports.formats import FORMATS, ExportError
from annotator.exports.formats.split import clean_split, split_of
from annotator.schemas.models import Label, LabelSchema

# Loading a local folder needs no network; never let a test reach the Hub.
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytestmark = pytest.mark.django_db
User = get_user_model()

CRLF_TEXT = normalize_newlines(
    "Loaded title\r\n\r\nThey call it \u201cheroic\u201d\r\nbut it is a 🤡\u00a0show.\r\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def corpus(unicode_sample):
    schema = LabelSchema.objects.create(name="Techniques")
    loaded = Label.objects.create(
        schema=schema, key="loaded_language", name="Loaded", official_label="Loaded_Language"
    )
    doubt = Label.objects.create(schema=schema, key="doubt", name="Doubt", order=2)
    project = Project.objects.create(slug="news", name="News «RTL» 🔥", schema=schema)
    users = [User.objects.create_user(name) for name in ("ann1", "ann2")]
    for user in users:
        Membership.objects.create(user=user, project=project, role=Role.ANNOTATOR)
    texts = {"a1": unicode_sample, "crlf": CRLF_TEXT, "empty": "No spans."}
    texts |= {f"n{i:02d}": f"Article {i} 💥 e\u0301 liars." for i in range(30)}
    articles = {
        ext: Article.objects.create(project=project, external_id=ext, text=text)
        for ext, text in texts.items()
    }

    def mark(ext, phrase, label, user):
        text = articles[ext].text
        start = text.index(phrase)
        Span.objects.create(
            article=articles[ext],
            annotator=user,
            label=label,
            start=start,
            end=start + len(phrase),
            text=phrase,
        )

    for user in users:  # the same span by both annotators
        mark("a1", "👨\u200d👩\u200d👧 families", loaded, user)
    mark("a1", "Cafe\u0301 owners", doubt, users[0])  # overlaps nothing of ann2's
    mark("a1", "الحرب عادلة\u00a0تماما", loaded, users[1])
    mark("a1", "שקרנים", doubt, None)
    mark("crlf", "🤡\u00a0show", loaded, users[0])
    mark("crlf", "\u201cheroic\u201d\nbut", doubt, users[1])  # across a former CRLF
    for i in range(30):
        mark(f"n{i:02d}", "💥 e\u0301 liars", loaded, users[i % 2])
    return project


def export_folder(project, fmt, tmp_path, **options) -> Path:
    # every annotator's spans: in one file where the format names the annotator, else a folder
    # each (the default would be the gold layer here: the corpus has one)
    options.setdefault("layer", "all" if FORMATS[fmt].carries_annotator else "each")
    result = services.export_now(project, fmt, options)
    assert result.status == JobStatus.DONE, result.error
    with default_storage.open(result.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    folder = tmp_path / f"{fmt}-{result.pk}"
    archive.extractall(folder)
    return folder


def expected_rows(project):
    """(external id, start, end, label, text, annotator) of every span, from the database."""
    return sorted(
        (s.article.external_id, s.start, s.end, s.label.key, s.text, s.annotator.username)
        for s in Span.objects.filter(article__project=project, annotator__isnull=False)
    )


def front_matter(folder: Path) -> dict:
    import yaml

    card = (folder / "README.md").read_text("utf-8")
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("\n---\n", 1)[0].removeprefix("---\n"))


def load_folder(folder: Path, tmp_path: Path, **kwargs):
    import datasets

    return datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "hf-cache"), **kwargs)


def article_rows(rows) -> list[tuple]:
    """Spans of article records (jsonl/parquet rows) checked against their text."""
    found = []
    for row in rows:
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
            found.append(
                (
                    row["id"],
                    span["start"],
                    span["end"],
                    span["label"],
                    span["text"],
                    span["annotator"],
                )
            )
    return sorted(found)


# --- the card's YAML ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_card_yaml_names_the_data_files_never_the_manifest(fmt, corpus, tmp_path):
    folder = export_folder(corpus, fmt, tmp_path)
    meta = front_matter(folder)
    assert meta["pretty_name"] == "News «RTL» 🔥 (" + fmt + ")"
    assert meta["license"]
    assert "token-classification" in meta["task_categories"]
    data = {"jsonl": "articles.jsonl", "csv": "spans.csv", "parquet": "articles.parquet"}[fmt]
    assert meta["configs"] == [
        {
            "config_name": "default",
            "default": True,
            "data_files": [{"split": "train", "path": data}],
        }
    ]
    assert "manifest.json" not in json.dumps(meta["configs"])


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_hugging_face_loads_the_folder_of_an_article_format(fmt, corpus, tmp_path):
    folder = export_folder(corpus, fmt, tmp_path)
    loaded = load_folder(folder, tmp_path)
    assert list(loaded) == ["train"]
    rows = list(loaded["train"])
    assert len(rows) == Article.objects.filter(project=corpus).count()
    assert article_rows(rows) == expected_rows(corpus)
    crlf = next(row for row in rows if row["id"] == "crlf")
    assert crlf["text"] == CRLF_TEXT
    assert "\r" not in crlf["text"]


def test_hugging_face_loads_the_folder_of_csv(corpus, tmp_path):
    folder = export_folder(corpus, "csv", tmp_path)
    rows = list(load_folder(folder, tmp_path)["train"])
    got = sorted(
        (r["external_id"], r["start"], r["end"], r["label"], r["text"], r["annotator"])
        for r in rows
    )
    assert got == expected_rows(corpus)


def test_hugging_face_builders_read_each_file(corpus, tmp_path):
    import datasets

    cache = str(tmp_path / "hf-cache")
    jsonl = export_folder(corpus, "jsonl", tmp_path) / "articles.jsonl"
    parquet = export_folder(corpus, "parquet", tmp_path) / "articles.parquet"
    csv = export_folder(corpus, "csv", tmp_path) / "spans.csv"
    from_json = datasets.load_dataset("json", data_files=str(jsonl), cache_dir=cache)["train"]
    from_parquet = datasets.load_dataset("parquet", data_files=str(parquet), cache_dir=cache)
    assert article_rows(from_json) == article_rows(from_parquet["train"])
    assert article_rows(from_json) == expected_rows(corpus)
    from_csv = datasets.load_dataset("csv", data_files=str(csv), cache_dir=cache)["train"]
    assert len(from_csv) == len(expected_rows(corpus))


# --- parquet -----------------------------------------------------------------------------


def test_parquet_rows_are_the_jsonl_records(corpus, tmp_path):
    import pandas as pd

    jsonl = export_folder(corpus, "jsonl", tmp_path) / "articles.jsonl"
    records = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    frame = pd.read_parquet(export_folder(corpus, "parquet", tmp_path) / "articles.parquet")
    assert list(frame.columns) == list(records[0])
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        row = row.to_dict()
        assert json.loads(row.pop("meta")) == record.pop("meta")
        row["spans"] = [
            {**span, "comments": [dict(c) for c in span["comments"]]} for span in row["spans"]
        ]
        row["images"] = [dict(image) for image in row["images"]]
        row["comments"] = [dict(comment) for comment in row["comments"]]
        assert row == record


def test_parquet_is_written_in_row_groups(corpus, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from annotator.exports.formats import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 7)
    path = export_folder(corpus, "parquet", tmp_path) / "articles.parquet"
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 33
    assert meta.num_row_groups == 5
    assert article_rows(pq.read_table(path).to_pylist()) == expected_rows(corpus)


# --- split -------------------------------------------------------------------------------

SPLIT = {"train": 0.6, "dev": 0.2, "test": 0.2, "seed": 7}


def test_split_is_deterministic_by_article_and_recorded(corpus, tmp_path):
    folder = export_folder(corpus, "jsonl", tmp_path, format_options={"split": SPLIT})
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["format_options"]["split"] == SPLIT  # the seed is recorded
    per_split = {}
    for name in ("train", "dev", "test"):
        lines = (folder / name / "articles.jsonl").read_text("utf-8").splitlines()
        per_split[name] = {json.loads(line)["id"] for line in lines}
        assert manifest["counts"]["splits"][name]["articles"] == len(lines)
    assert set.union(*per_split.values()) == set(
        Article.objects.filter(project=corpus).values_list("external_id", flat=True)
    )
    assert sum(len(ids) for ids in per_split.values()) == 33  # each article once
    assert all(per_split.values())  # 33 draws: every split got some
    for name, ids in per_split.items():
        assert all(split_of(ext, SPLIT) == name for ext in ids)
    # The same seed gives the same split; another seed another one.
    again = export_folder(corpus, "jsonl", tmp_path, format_options={"split": SPLIT})
    assert (again / "dev" / "articles.jsonl").read_bytes() == (
        folder / "dev" / "articles.jsonl"
    ).read_bytes()
    # Key order does not matter (PostgreSQL's jsonb reorders the stored options' keys).
    shuffled = {"seed": 7, "test": 0.2, "dev": 0.2, "train": 0.6}
    assert all(split_of(f"n{i:02d}", shuffled) == split_of(f"n{i:02d}", SPLIT) for i in range(30))
    other = {**SPLIT, "seed": 8}
    assert [split_of(f"n{i:02d}", other) for i in range(30)] != [
        split_of(f"n{i:02d}", SPLIT) for i in range(30)
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_split_folders_load_as_hugging_face_splits(fmt, corpus, tmp_path):
    folder = export_folder(corpus, fmt, tmp_path, format_options={"split": SPLIT})
    config = front_matter(folder)["configs"][0]
    data = {"jsonl": "articles.jsonl", "csv": "spans.csv", "parquet": "articles.parquet"}[fmt]
    assert config["data_files"] == [
        {"split": name, "path": f"{name}/{data}"} for name in ("train", "dev", "test")
    ]
    loaded = load_folder(folder, tmp_path)
    assert sorted(loaded) == ["dev", "test", "train"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for name, part in loaded.items():
        unit = "articles" if fmt != "csv" else "spans"
        assert len(part) == manifest["counts"]["splits"][name][unit]


def test_each_annotator_is_a_config_with_the_same_split(corpus, tmp_path):
    folder = export_folder(
        corpus, "parquet", tmp_path, layer="each", format_options={"split": SPLIT}
    )
    configs = {c["config_name"]: c for c in front_matter(folder)["configs"]}
    assert sorted(configs) == ["ann1", "ann2"]
    assert configs["ann2"]["data_files"][0] == {
        "split": "train",
        "path": "annotators/ann2/train/articles.parquet",
    }
    for name in ("ann1", "ann2"):
        loaded = load_folder(folder, tmp_path, name=name)
        for split_name, part in loaded.items():
            assert all(split_of(row["id"], SPLIT) == split_name for row in part)
            assert all(s["annotator"] == name for row in part for s in row["spans"])


@pytest.mark.parametrize(
    ("split", "named"),
    [
        ({"train": 0.8, "test": 0.3}, "add up to 1"),
        ({"train": 1.0}, "at least two splits"),
        ({"train": 0.5, "Dev set": 0.5}, "'Dev set'"),
        ({"train": 0.5, "test": 0.5, "seed": "x"}, "'seed' must be an integer"),
        ({"train": -0.5, "test": 1.5}, "'train' must be a fraction"),
        ("not json", "not a JSON object"),
    ],
)
def test_bad_split_is_refused_naming_it(split, named):
    with pytest.raises(ExportError, match=named):
        clean_split(split)


def test_split_from_the_command_line(corpus, tmp_path):
    out = tmp_path / "out.zip"
    call_command(
        "export_dataset",
        project="news",
        format="csv",
        output=str(out),
        option=['split={"train": 0.5, "test": 0.5}'],
    )
    names = zipfile.ZipFile(out).namelist()
    assert "train/spans.csv" in names
    assert "test/spans.csv" in names
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["options"]["format_options"]["split"]["seed"] == 13  # the default, kept


# --- doccano and Label Studio --------------------------------------------------------------


def write(fmt, articles, out: Path, options=None) -> Path:
    from annotator.exports.formats import FORMATS, DirSink, ExportLabel, write_export

    labels = [ExportLabel("loaded_language", "Loaded"), ExportLabel("doubt", "Doubt")]
    out.mkdir(parents=True)
    sink = DirSink(out)
    write_export(FORMATS[fmt](labels, options), sink, articles)
    sink.close()
    return out


def tool_corpus(unicode_sample):
    """Emoji, ZWJ, combining marks, RTL, NBSP, CRLF-born text, two annotators' identical and
    overlapping spans, a gold span with a note."""
    from annotator.exports.formats import ExportArticle, ExportSpan

    def span(text, phrase, label, annotator=None, note=""):
        start = text.index(phrase)
        return ExportSpan(start, start + len(phrase), label, phrase, annotator, note)

    t1, t2 = unicode_sample, CRLF_TEXT
    return [
        ExportArticle(
            1,
            "a1",
            "Unicode",
            t1,
            spans=[
                span(t1, "👨\u200d👩\u200d👧 families", "loaded_language", "ann1"),
                span(t1, "👨\u200d👩\u200d👧 families", "loaded_language", "ann2"),
                span(t1, "families flee", "doubt", "ann2"),
                span(t1, "Cafe\u0301 owners", "doubt", "ann1"),
                span(t1, "عادلة\u00a0تماما", "loaded_language", None, "gold\nnote"),
                span(t1, "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "loaded_language", "ann1"),
            ],
        ),
        ExportArticle(2, "crlf", "", t2, spans=[span(t2, "🤡\u00a0show", "doubt", "ann2")]),
        # doccano's own example of its offsets (doccano issue #2290): "firetrucks" is
        # [22, 32) in doccano, [19, 29) in Python
        ExportArticle(
            3,
            "doccano-2290",
            "",
            "👨🏻\u200d🚒 firemen drive firetrucks",
            spans=[ExportSpan(19, 29, "doubt", "firetrucks", "ann1")],
        ),
        # Label Studio's own fixture (its "NER - Emoji - Text" test): "test" is [21, 25)
        ExportArticle(
            4,
            "label-studio-emoji",
            "",
            "🐱 Warning: This is a test text",
            spans=[ExportSpan(21, 25, "loaded_language", "test", "ann1")],
        ),
    ]


def fed(articles):
    return sorted(
        (a.external_id, s.start, s.end, s.label_key, s.text, s.annotator)
        for a in articles
        for s in a.spans
    )


def test_doccano_offsets_are_utf16_units_as_its_editor_counts(unicode_sample, tmp_path):
    articles = tool_corpus(unicode_sample)
    out = write("doccano", articles, tmp_path / "doccano")
    lines = [json.loads(line) for line in (out / "doccano.jsonl").read_text("utf-8").splitlines()]
    found = []
    for line in lines:
        units = line["text"].encode("utf-16-le")  # JavaScript's string indices
        assert len(line["label"]) == len(line["annotators"])
        for (start, end, label), annotator in zip(line["label"], line["annotators"], strict=True):
            text = units[2 * start : 2 * end].decode("utf-16-le")
            # back to code points, independently of the writer
            cp_start = len(units[: 2 * start].decode("utf-16-le"))
            found.append(
                (line["external_id"], cp_start, cp_start + len(text), label, text, annotator)
            )
    assert sorted(found) == fed(articles)
    assert lines[2]["label"] == [[22, 32, "doubt"]]  # doccano's numbers for its example
    assert lines[3]["label"] == [[22, 26, "loaded_language"]]


def test_doccano_codepoint_offsets_on_request(unicode_sample, tmp_path):
    articles = tool_corpus(unicode_sample)
    out = write("doccano", articles, tmp_path / "doccano", {"offsets": "codepoints"})
    found = []
    for raw in (out / "doccano.jsonl").read_text("utf-8").splitlines():
        line = json.loads(raw)
        for (start, end, label), annotator in zip(line["label"], line["annotators"], strict=True):
            found.append(
                (line["external_id"], start, end, label, line["text"][start:end], annotator)
            )
    assert sorted(found) == fed(articles)
    with pytest.raises(ExportError, match="'offsets' must be one of"):
        write("doccano", articles, tmp_path / "bad", {"offsets": "bytes"})


def test_label_studio_tasks_count_code_points_one_annotation_per_annotator(
    unicode_sample, tmp_path
):
    import xml.etree.ElementTree as ET

    articles = tool_corpus(unicode_sample)
    out = write("label-studio", articles, tmp_path / "ls")
    tasks = json.loads((out / "tasks.json").read_text("utf-8"))
    assert len(tasks) == len(articles)
    found = []
    for task in tasks:
        text = task["data"]["text"]
        authors = [a["annotator"] for a in task["annotations"]]
        assert len(authors) == len(set(authors))  # one annotation per annotator
        for annotation in task["annotations"]:
            assert annotation["ground_truth"] == (annotation["annotator"] is None)
            ids = [region["id"] for region in annotation["result"]]
            assert len(ids) == len(set(ids))
            for region in annotation["result"]:
                assert (region["from_name"], region["to_name"], region["type"]) == (
                    "label",
                    "text",
                    "labels",
                )
                value = region["value"]
                assert text[value["start"] : value["end"]] == value["text"]
                (label,) = value["labels"]
                found.append(
                    (
                        task["data"]["external_id"],
                        value["start"],
                        value["end"],
                        label,
                        value["text"],
                        annotation["annotator"],
                    )
                )
    assert sorted(found) == fed(articles)
    gold = next(a for a in tasks[0]["annotations"] if a["ground_truth"])
    assert gold["result"][0]["meta"] == {"text": ["gold\nnote"]}
    emoji = tasks[3]["annotations"][0]["result"][0]["value"]
    assert (emoji["start"], emoji["end"]) == (21, 25)  # Label Studio's own expectation
    config = ET.fromstring((out / "label_config.xml").read_text("utf-8"))
    assert config.find("Text").get("value") == "$text"
    labels = config.find("Labels")
    assert labels.get("toName") == config.find("Text").get("name")
    assert [label.get("value") for label in labels] == ["loaded_language", "doubt"]


@pytest.mark.parametrize(
    ("fmt", "files"),
    [("doccano", ["doccano.jsonl"]), ("label-studio", ["label_config.xml", "tasks.json"])],
)
def test_tool_formats_through_the_export_service(fmt, files, corpus, tmp_path):
    folder = export_folder(corpus, fmt, tmp_path)
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == sorted([*files, "README.md", "manifest.json"])
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["spans"] == len(expected_rows(corpus))


@pytest.mark.parametrize(
    ("fmt", "columns"),
    [
        ("doccano", ["text", "label", "annotators", "external_id", "article_id", "title"]),
        ("label-studio", ["data", "annotations"]),
        ("semeval", ["article_id", "technique", "start", "end"]),
    ],
)
def test_other_folders_load_their_data_never_the_manifest(fmt, columns, corpus, tmp_path):
    folder = export_folder(corpus, fmt, tmp_path)
    train = load_folder(folder, tmp_path)["train"]
    assert train.column_names == columns
    # spans, else articles; semeval files name no annotator, so they come a folder each, the
    # first annotator's being the default config
    first = min(row[5] for row in expected_rows(corpus))
    spans = [row for row in expected_rows(corpus) if row[5] == first]
    rows = len(spans) if fmt == "semeval" else 33
    assert train.num_rows == rows


def conll_sentences(path: Path) -> list[dict]:
    """tokens.conll read as the card says (blank line: a new sentence; ``# doc_id``)."""
    header, *lines = path.read_text("utf-8").split("\n")
    columns = header.removeprefix("# columns = ").split("\t")[3:]
    sentences: list[dict] = []
    doc, current = None, None
    for line in lines:
        if line.startswith("# doc_id = "):
            doc, number, current = line.removeprefix("# doc_id = "), 0, None
        elif not line:
            current = None
        else:
            if current is None:
                current = {"doc_id": doc, "sentence": number, "tokens": [], "starts": []}
                current |= {"ends": [], "tags": {name: [] for name in columns}}
                sentences.append(current)
                number += 1
            token, start, end, *tags = line.split("\t")
            current["tokens"].append(token[1:] if token[:1] == "\\" else token)
            current["starts"].append(int(start))
            current["ends"].append(int(end))
            for name, tag in zip(columns, tags, strict=True):
                current["tags"][name].append(tag)
    return sentences


def test_conll_folder_loads_its_sentences_never_the_manifest(corpus, tmp_path):
    folder = export_folder(corpus, "conll", tmp_path, format_options={"columns": "label"})
    train = load_folder(folder, tmp_path)["train"]  # the first annotator's folder
    assert train.column_names == ["doc_id", "sentence", "tokens", "starts", "ends", "tags"]
    expected = conll_sentences(folder / "annotators" / "ann1" / "tokens.conll")
    assert train.to_list() == expected
    texts = dict(Article.objects.values_list("external_id", "text"))
    tagged = set()
    for row in expected:  # tokens are the text's, at their offsets; the span's tags are there
        text = normalize_newlines(texts[row["doc_id"]])
        for token, start, end in zip(row["tokens"], row["starts"], row["ends"], strict=True):
            assert text[start:end] == token
        tagged |= {tag for tags in row["tags"].values() for tag in tags if tag != "O"}
    assert {"B-loaded_language", "I-loaded_language", "B-doubt", "I-doubt"} <= tagged


# --- the card tells the truth ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("parquet", {}),
        ("doccano", {}),
        ("label-studio", {}),
        ("jsonl", {"format_options": {"split": SPLIT}}),
        ("parquet", {"layer": "each", "format_options": {"split": SPLIT}}),
    ],
)
def test_the_cards_python_runs_in_the_folder(fmt, options, corpus, tmp_path, monkeypatch, capsys):
    folder = export_folder(corpus, fmt, tmp_path, **options)
    card = (folder / "README.md").read_text("utf-8")
    code = card.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(folder)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) >= 3  # spans printed, none failed its check
    if options.get("format_options"):
        assert "Split by article, deterministic (seed 7): `train/` 60%, `dev/` 20%" in card


def test_the_doccano_card_states_the_offset_unit(corpus, tmp_path):
    default = (export_folder(corpus, "doccano", tmp_path) / "README.md").read_text("utf-8")
    assert "are **UTF-16 code units**" in default
    assert "Unicode code points" not in default
    other = export_folder(corpus, "doccano", tmp_path, format_options={"offsets": "codepoints"})
    text = (other / "README.md").read_text("utf-8")
    assert "UTF-16" not in text
    assert "Offsets are Unicode code points" in text


def test_a_failed_split_export_aborts_every_writer(unicode_sample, tmp_path):
    from annotator.exports.formats import (
        FORMATS,
        DirSink,
        ExportLabel,
        ExportSpan,
        SpanMismatch,
        write_export,
    )
    from annotator.exports.formats.split import make_writer

    articles = tool_corpus(unicode_sample)
    articles[1].spans = [ExportSpan(0, 3, "doubt", "xyz")]  # not the text there
    writer = make_writer(
        FORMATS["parquet"],
        [ExportLabel("loaded_language", "Loaded"), ExportLabel("doubt", "Doubt")],
        {"split": SPLIT},
    )
    with pytest.raises(SpanMismatch, match="'crlf'"):
        write_export(writer, DirSink(tmp_path), articles)
    # no footer was written: no split file is a readable Parquet file
    for path in tmp_path.rglob("*.parquet"):
        assert path.read_bytes() in (b"", b"PAR1")


def test_parquet_keeps_every_field_of_a_richer_record(unicode_sample, tmp_path, monkeypatch):
    """Fields the record gains (images, comments, anything new) reach the parquet rows: typed
    when this module knows them, else as JSON text, never dropped."""
    import pyarrow.parquet as pq

    from annotator.exports.formats import parquet

    plain = parquet.article_record
    comment = {"author": "rev", "author_role": "curator", "body": "ok?", "created_at": "2026"}

    def richer(article, technique, meta):
        record = plain(article, technique, meta)
        for span in record["spans"]:
            span["comments"] = [comment] if span["annotator"] == "ann2" else []
        image = {
            "src": "media/1.png",
            "file": "media/1.png",
            "caption": "🔥",
            "start": 9,
            "end": 10,
        }
        record["images"] = [image] if article.id == 1 else []
        record["comments"] = [comment]
        record["new_field"] = {"n": article.id}
        return record

    monkeypatch.setattr(parquet, "article_record", richer)
    articles = tool_corpus(unicode_sample)
    out = write("parquet", articles, tmp_path / "pq")
    table = pq.read_table(out / "articles.parquet")
    assert table.column_names[-4:] == ["spans", "images", "comments", "new_field"]
    rows = table.to_pylist()
    for article, row in zip(articles, rows, strict=True):
        expected = richer(article, {"loaded_language": "", "doubt": ""}, "")
        assert row["images"] == [{**image, "start": 9, "end": 10} for image in expected["images"]]
        assert row["comments"] == [comment]
        assert json.loads(row["new_field"]) == {"n": article.id}
        assert [s["comments"] for s in row["spans"]] == [s["comments"] for s in expected["spans"]]
    assert article_rows(rows) == fed(articles)


def test_a_split_writer_declares_what_its_format_declares():
    from annotator.exports.formats import FORMATS
    from annotator.exports.formats.split import make_writer

    for fmt in ("doccano", "label-studio", "parquet", "csv"):
        writer = make_writer(FORMATS[fmt], [], {"split": SPLIT})
        assert writer.name == fmt
        assert writer.description == FORMATS[fmt].description
        assert getattr(writer, "carries_annotator", None) == getattr(
            FORMATS[fmt], "carries_annotator", None
        )
        assert sorted(writer.files()) == sorted(
            f"{name}/{file}"
            for name in ("train", "dev", "test")
            for file in FORMATS[fmt]([]).files()
        )
