"""Every export format this branch touches, read back with the third-party readers researchers
use (pandas, conllu, bratly's brat standoff reader) from the downloaded zip: offsets, labels,
annotators, images and comments must match what is stored (issue #12, items 2, 4, 5, 6, 8;
issue #14: comments in jsonl).

The corpus has what broke those readers: hashtags (a CoNLL token starting with ``#``), cells a
spreadsheet reads as formulas, TAB and U+2028 inside spans, CJK without spaces, a
whitespace-only span, the same phrase marked by two annotators, images (a stored file and a
URL), emoji, RTL, CRLF input and no-break spaces.
"""

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import conllu
import pandas
import pytest
from bratly.annotation_types import EntityAnnotation
from bratly.io.file_read_src import read_and_load_ann_file
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from annotator.annotations.models import Comment, Span
from annotator.core.jobs import JobStatus
from annotator.core.text import normalize_newlines
from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    Membership,
    Project,
    Role,
)
from annotator.exports import services
from annotator.exports.formats.conll import token_text
from annotator.exports.formats.csv import BOM, restore_cell
from annotator.exports.formats.tokenize import tokenize
from annotator.schemas.models import Label, LabelSchema

pytestmark = pytest.mark.django_db
User = get_user_model()

RAW = (
    "=SUM(A1:A9) say the #hoax people\r\n"
    "-5% and @everyone\tknows it\u2028really.\r\n"
    "中文文本没有空格很难分词 and ภาษาไทย\r\n"
    "Dem 🤡 liars\u00a0lie: الحرب عادلة, e\u0301vil.\r\n"
)
TEXT = normalize_newlines(RAW)
PIXELS = b"\x89PNG\r\n\x1a\nfake image bytes"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Corpus:
    def __init__(self):
        schema = LabelSchema.objects.create(name="S")
        self.loaded = Label.objects.create(
            schema=schema, key="loaded", name="=Loaded", category="Wording", order=1
        )
        self.doubt = Label.objects.create(schema=schema, key="doubt", name="Doubt", order=2)
        self.project = Project.objects.create(slug="p", name="P", schema=schema)
        self.article = Article.objects.create(
            project=self.project, external_id="a1", title="T", text=TEXT
        )
        self.users = {}
        for name, role in (
            ("alice", Role.ANNOTATOR),
            ("bob", Role.ANNOTATOR),
            ("rev", Role.REVIEWER),
        ):
            user = User.objects.create_user(name)
            Membership.objects.create(user=user, project=self.project, role=role)
            self.users[name] = user
            if role == Role.ANNOTATOR:
                Assignment.objects.create(article=self.article, annotator=user)
        self.spans = {}
        for key, who, phrase, label in [
            ("formula", "alice", "=SUM(A1:A9)", self.loaded),
            ("hashtag", "alice", "#hoax", self.doubt),
            ("tab", "alice", "@everyone\tknows it\u2028really", self.loaded),
            ("cjk", "alice", "没有空格", self.loaded),
            ("blank", "alice", "\u00a0", self.doubt),
            ("liars-a", "alice", "liars\u00a0lie", self.loaded),
            ("liars-b", "bob", "liars\u00a0lie", self.loaded),
            ("minus", "bob", "-5%", self.doubt),
            ("rtl", "bob", "الحرب عادلة", self.doubt),
            ("thai", "bob", "ภาษาไทย", self.loaded),
            ("emoji", "bob", "🤡", self.doubt),
        ]:
            start = TEXT.index(phrase)
            self.spans[key] = Span.objects.create(
                article=self.article,
                annotator=self.users[who],
                label=label,
                start=start,
                end=start + len(phrase),
                text=phrase,
            )
        caption = TEXT.index("Dem 🤡")
        name = default_storage.save("images/2026/12/clown.png", ContentFile(PIXELS))
        self.stored = ArticleImage.objects.create(
            article=self.article, file=name, caption_start=caption, caption_end=caption + 5
        )
        ArticleImage.objects.create(article=self.article, url="https://example.org/p.jpg", order=1)
        self.comment("alice", "Is =SUM loaded?\u2028Sure.")
        self.comment("bob", "bob's private doubt")
        self.comment("rev", "Curator: see guidelines")
        self.comment("alice", "my note on the formula", "formula")
        self.comment("rev", "agreed", "formula")
        self.comment("bob", "mine", "liars-b")

    def comment(self, who, body, span=None):
        Comment.objects.create(
            article=self.article,
            author=self.users[who],
            body=body,
            span=self.spans[span] if span else None,
        )

    def stored_spans(self, who=None):
        spans = Span.objects.filter(article=self.article)
        if who:
            spans = spans.filter(annotator__username=who)
        return {(s.start, s.end, s.label.key, s.annotator.username) for s in spans}


@pytest.fixture
def corpus():
    return Corpus()


def build(corpus, fmt, folder: Path, **options) -> dict:
    result = services.export_now(corpus.project, fmt, options)
    assert result.status == JobStatus.DONE, result.error
    with default_storage.open(result.file.name, "rb") as handle:
        zipfile.ZipFile(io.BytesIO(handle.read())).extractall(folder)
    return json.loads((folder / "manifest.json").read_text())


def test_csv_in_pandas_formula_cells_defused_and_restored(corpus, tmp_path):
    manifest = build(corpus, "csv", tmp_path, layer="all")
    raw = (tmp_path / "spans.csv").read_text(encoding="utf-8")
    assert "\n'=SUM(A1:A9)" not in raw
    assert ",'=SUM(A1:A9)," in raw
    frame = pandas.read_csv(tmp_path / "spans.csv", dtype=str, keep_default_na=False)
    # a spreadsheet sees text, never a formula: no cell starts with = + - @ TAB CR
    for column in frame.columns:
        assert not frame[column].str.match(r"[=+\-@\t\r]").any(), column
    assert set(frame["label_name"]) == {"'=Loaded", "Doubt"}
    found = set()
    for row in frame.itertuples():
        text = restore_cell(row.text)
        start, end = int(row.start), int(row.end)
        assert TEXT[start:end] == text
        found.add((start, end, row.label, row.annotator))
    assert found == corpus.stored_spans()
    assert manifest["options"]["format_options"] == {"escape_formulas": True, "bom": False}
    card = (tmp_path / "README.md").read_text()
    assert "has one more `'` in front" in card

    images = pandas.read_csv(tmp_path / "images.csv", dtype=str, keep_default_na=False)
    assert list(images["file"]) == ["media/images/2026/12/clown.png", ""]
    assert list(images["src"]) == ["media/images/2026/12/clown.png", "https://example.org/p.jpg"]
    start, end = int(images["caption_start"][0]), int(images["caption_end"][0])
    assert TEXT[start:end] == images["caption"][0] == "Dem 🤡"
    assert (tmp_path / "media/images/2026/12/clown.png").read_bytes() == PIXELS
    assert manifest["counts"]["images"] == {"rows": 2, "files": 1, "missing": 0}


def test_csv_with_a_bom_for_spreadsheets_and_without_escaping(corpus, tmp_path):
    build(
        corpus, "csv", tmp_path, layer="all", format_options={"bom": True, "escape_formulas": False}
    )
    data = (tmp_path / "spans.csv").read_bytes()
    assert data.startswith(BOM.encode())
    frame = pandas.read_csv(
        tmp_path / "spans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert frame.columns[0] == "article_id"
    assert "=SUM(A1:A9)" in set(frame["text"])


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''@x", "'plain", "plain", "", "a=b", "''"],
)
def test_restore_cell_reverses_the_escape(cell):
    from annotator.exports.formats.csv import defuse

    assert restore_cell(defuse(cell)) == cell
    assert defuse(cell)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def conll_spans(sentences, columns):
    """(start, end, label) of every BIO span of every tag column, from conllu's tokens."""
    found = []
    for column in columns:
        current = None
        for sentence in sentences:
            for token in sentence:
                tag = token[column]
                if tag.startswith("B-") or tag == "O":
                    if current:
                        found.append(tuple(current))
                    current = (
                        [int(token["start"]), int(token["end"]), tag[2:]] if tag != "O" else None
                    )
                else:
                    current[1] = int(token["end"])
            if current:  # a sentence ends a span (a B- opens its next piece)
                found.append(tuple(current))
                current = None
    return found


def test_conll_reads_in_conllu_with_hashtags_and_cjk_per_character(corpus, tmp_path):
    manifest = build(corpus, "conll", tmp_path, layer="each", format_options={"columns": "label"})
    for name in ("alice", "bob"):
        data = (tmp_path / f"annotators/{name}/tokens.conll").read_text(encoding="utf-8")
        header = data.splitlines()[0]
        fields = header.removeprefix("# columns = ").split("\t")
        sentences = conllu.parse(data, fields=fields)
        tokens = [t for s in sentences for t in s]
        # conllu keeps every token: the hashtag's "#" is not taken for a comment
        assert len(tokens) == len(tokenize(TEXT))
        for token in tokens:
            assert TEXT[int(token["start"]) : int(token["end"])] == token_text(token["token"])
        assert "\\#" in [t["token"] for t in tokens]
        assert [token_text(t["token"]) for t in tokens if t["token"] in "没有空格"] == list(
            "没有空格"
        )
        assert sentences[0].metadata["doc_id"] == "a1"
        found = Counter((s, e, lab) for s, e, lab in conll_spans(sentences, fields[3:]))
        stored = corpus.stored_spans(name)
        survived = manifest["counts_per_annotator_folder"][name]["survived"]
        assert sum(found.values()) >= sum(survived.values())
        # every span that is not whitespace survives, exactly (a TAB span: one per sentence)
        exact = {
            (s, e, lab)
            for s, e, lab, _ in stored
            if not TEXT[s:e].isspace() and "\n" not in TEXT[s:e]
        }
        assert exact <= set(found)
    counts = manifest["counts"]
    assert counts["dropped"] == {"no_token": {"doubt": 1}}  # alice's NBSP
    assert sum(counts["survived"].values()) == counts["spans"] - 1
    assert "written after tokenisation: 10 of 11" in (tmp_path / "README.md").read_text()


def read_brat(folder: Path, ident: str) -> list[tuple]:
    collection = read_and_load_ann_file(
        str(folder / f"{ident}.ann"), no_duplicates=False, sorting=False, renumerotize=False
    )
    assert collection is not None
    return [
        (e.get_start(), e.get_end(), e.label, e.content)
        for e in collection.get_annotations(EntityAnnotation)
    ]


def test_brat_reads_in_bratly_per_annotator_with_confs_everywhere(corpus, tmp_path):
    manifest = build(corpus, "brat", tmp_path, layer="each")
    for folder in ("", "annotators/", "annotators/alice/", "annotators/bob/"):
        conf = (tmp_path / folder / "annotation.conf").read_text()
        assert conf.startswith("[entities]\nloaded\ndoubt\n"), folder
        assert (tmp_path / folder / "visual.conf").exists()
    for name in ("alice", "bob"):
        folder = tmp_path / "annotators" / name
        assert (folder / "a1.txt").read_text(encoding="utf-8") == TEXT
        found = read_brat(folder, "a1")
        expected = sorted(
            (s, e, lab) for s, e, lab, _ in corpus.stored_spans(name) if not TEXT[s:e].isspace()
        )
        assert sorted(f[:3] for f in found) == expected
        for start, end, _, content in found:
            # the covered text: the span with line-breaking characters as spaces, same length
            assert len(content) == end - start
            assert "\t" not in content
            assert "\u2028" not in content
    assert manifest["counts"]["dropped"] == {"whitespace_only": {"doubt": 1}}


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_images_and_comments_as_each_reader_may_see_them(corpus, tmp_path):
    build(corpus, "jsonl", tmp_path / "all", layer="all")
    (record,) = records(tmp_path / "all/articles.jsonl")
    assert [c["body"] for c in record["comments"]] == [
        "Is =SUM loaded?\u2028Sure.",
        "bob's private doubt",
        "Curator: see guidelines",
    ]
    assert [c["author_role"] for c in record["comments"]] == ["annotator", "annotator", "curator"]
    on_span = {
        (s["annotator"], s["text"]): [c["body"] for c in s["comments"]] for s in record["spans"]
    }
    assert on_span[("alice", "=SUM(A1:A9)")] == ["my note on the formula", "agreed"]
    assert on_span[("bob", "liars\u00a0lie")] == ["mine"]
    assert on_span[("alice", "liars\u00a0lie")] == []
    image = record["images"][0]
    assert image == {
        "src": "media/images/2026/12/clown.png",
        "file": "media/images/2026/12/clown.png",
        "caption": "Dem 🤡",
        "start": image["start"],
        "end": image["start"] + 5,
    }
    assert TEXT[image["start"] : image["end"]] == image["caption"]
    assert record["images"][1] == {"src": "https://example.org/p.jpg", "file": None, "caption": ""}
    assert (tmp_path / "all/media/images/2026/12/clown.png").read_bytes() == PIXELS

    # Blind: alice's folder holds what alice reads through the API, never bob's words.
    build(corpus, "jsonl", tmp_path / "each", layer="each")
    (alice,) = records(tmp_path / "each/annotators/alice/articles.jsonl")
    assert [c["author"] for c in alice["comments"]] == ["alice", "rev"]
    assert [c["body"] for s in alice["spans"] for c in s["comments"]] == [
        "my note on the formula",
        "agreed",
    ]
    (bob,) = records(tmp_path / "each/annotators/bob/articles.jsonl")
    assert [c["author"] for c in bob["comments"]] == ["bob", "rev"]
    assert (tmp_path / "each/media/images/2026/12/clown.png").read_bytes() == PIXELS


def test_a_missing_image_file_keeps_its_row_and_is_counted(corpus, tmp_path):
    default_storage.delete(corpus.stored.file.name)
    manifest = build(corpus, "jsonl", tmp_path, layer="all")
    (record,) = records(tmp_path / "articles.jsonl")
    assert record["images"][0]["file"] is None
    assert manifest["counts"]["images"] == {"rows": 2, "files": 0, "missing": 1}


def test_parquet_rows_carry_the_same_images_and_comments(corpus, tmp_path):
    """parquet's rows are the jsonl record (formats/record.py): read with pandas."""
    build(corpus, "parquet", tmp_path / "p", layer="all")
    build(corpus, "jsonl", tmp_path / "j", layer="all")
    (record,) = records(tmp_path / "j/articles.jsonl")
    row = pandas.read_parquet(tmp_path / "p/articles.parquet").iloc[0]
    assert [dict(c) for c in row["comments"]] == record["comments"]
    images = [dict(image) for image in row["images"]]
    assert images[0] == record["images"][0]
    assert images[1] == {**record["images"][1], "start": None, "end": None}
    spans = {(s["annotator"], s["text"]): [dict(c) for c in s["comments"]] for s in row["spans"]}
    assert spans == {(s["annotator"], s["text"]): s["comments"] for s in record["spans"]}
    assert (tmp_path / "p/media/images/2026/12/clown.png").read_bytes() == PIXELS
