"""The semeval export as the organisers' tools take it, and back: the SI and TC scoring methods
re-implemented here from FORMATS.md (their code stays out of the repository) score the export
1.0 against itself, every file parses as they parse it, and a default export re-imports into a
new project and exports again to the same bytes."""

import io
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from annotator.annotations.models import Span
from annotator.core.jobs import JobStatus
from annotator.corpus.models import Article, Project
from annotator.exports import services
from annotator.imports.service import ensure_annotator, import_paths
from annotator.schemas.models import Label
from annotator.schemas.services import load_schema

pytestmark = pytest.mark.django_db

TEXTS = {
    "7": "Breaking 🔥 news: 👨\u200d👩\u200d👧 families flee.\nThey are e\u0300vil liars.\n",
    "12": (
        "قال المتحدث إن الحرب عادلة\u00a0تماما.\nעברית: הם שקרנים.\n"
        "Price\u00a0rises: a 💥 catastrophe."
    ),
    "30": "No spans in this one.\n",
    "af-2": "Traitors! Traitors everywhere, say the cowards.\n",
}
# (article, official name of the label, phrase); overlaps, two techniques on one range, and
# a label outside the task's 14 (inserted_phrase, the manipulation preset)
SPANS = [
    ("7", "Loaded_Language", "🔥"),
    ("7", "Name_Calling,Labeling", "e\u0300vil liars"),
    ("7", "Loaded_Language", "e\u0300vil liars"),
    ("7", "inserted_phrase", "families flee"),
    ("12", "Appeal_to_fear-prejudice", "الحرب عادلة\u00a0تماما"),
    ("12", "Name_Calling,Labeling", "שקרנים"),
    ("12", "Exaggeration,Minimisation", "💥 catastrophe"),
    ("12", "inserted_phrase", "rises"),
    ("af-2", "Repetition", "Traitors! Traitors"),
    ("af-2", "Name_Calling,Labeling", "Traitors"),
]


def make_project(slug: str) -> Project:
    schema = load_schema(["semeval2020", "manipulation"], name=f"{slug} schema")
    return Project.objects.create(slug=slug, name=slug, schema=schema)


@pytest.fixture
def project(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = make_project("news")
    labels = {lab.official_label: lab for lab in Label.objects.filter(schema=project.schema)}
    annotator = ensure_annotator(project, "alice")
    for ident, text in TEXTS.items():  # created in the order a re-import creates them
        article = Article.objects.create(project=project, external_id=ident, text=text)
        for article_id, official, phrase in SPANS:
            if article_id == ident:
                start = text.index(phrase)
                Span.objects.create(
                    article=article,
                    annotator=annotator,
                    label=labels[official],
                    start=start,
                    end=start + len(phrase),
                    text=phrase,
                )
    return project


def export_files(project: Project, **options) -> dict[str, bytes]:
    result = services.export_now(project, "semeval", options)
    assert result.status == JobStatus.DONE, result.error
    with default_storage.open(result.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name) for name in archive.namelist()}


def unpack(files: dict[str, bytes], folder: Path) -> Path:
    """The zip unpacked; the folder holding its data (alice's, if the export has a folder per
    annotator)."""
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder / "annotators" / "alice" if (folder / "annotators").is_dir() else folder


# --- the scorers' method, from FORMATS.md ----------------------------------------------------


def read_rows(path: Path, columns: int) -> list[tuple]:
    """A labels file as the scorers check it: tab-separated, ``columns`` fields, integer
    offsets with begin < end."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            assert len(fields) == columns, f"{path.name}:{number}: {len(fields)} columns"
            start, end = int(fields[-2]), int(fields[-1])
            assert 0 <= start < end, f"{path.name}:{number}: [{start}, {end})"
            rows.append((fields[0], *fields[1:-2], start, end))
    return rows


def merged(ranges):
    """Overlapping ranges joined: spans are sets of character positions."""
    out: list[list[int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [tuple(r) for r in out]


def si_score(predicted: list[tuple], gold: list[tuple]) -> tuple[float, float, float]:
    """Precision credit |p∩g|/|p| and recall credit |p∩g|/|g| for every pair in an article;
    P = credit / #predicted, R = credit / #gold; both empty gives 1."""
    by_article_p, by_article_g = defaultdict(list), defaultdict(list)
    for ident, start, end in predicted:
        by_article_p[ident].append((start, end))
    for ident, start, end in gold:
        by_article_g[ident].append((start, end))
    p_credit = r_credit = 0.0
    n_pred = n_gold = 0
    for ident in set(by_article_p) | set(by_article_g):
        preds, golds = merged(by_article_p[ident]), merged(by_article_g[ident])  # -m
        n_pred, n_gold = n_pred + len(preds), n_gold + len(golds)
        for ps, pe in preds:
            for gs, ge in golds:
                inter = max(0, min(pe, ge) - max(ps, gs))
                p_credit += inter / (pe - ps)
                r_credit += inter / (ge - gs)
    if not n_pred and not n_gold:
        return 1.0, 1.0, 1.0
    precision = p_credit / n_pred if n_pred else 0.0
    recall = r_credit / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def tc_score(predicted: list[tuple], gold: list[tuple], techniques: list[str]) -> float:
    """The classification scorer: every technique a known name, predicted spans identical to
    the gold spans; micro F1 over labels (equal to accuracy)."""
    for row in predicted + gold:
        assert row[1] in techniques, f"{row[1]!r} is not a technique of the task"
    key = sorted
    assert key((r[0], r[2], r[3]) for r in predicted) == key((r[0], r[2], r[3]) for r in gold)
    remaining = defaultdict(list)
    for ident, technique, start, end in gold:
        remaining[(ident, start, end)].append(technique)
    correct = 0
    for ident, technique, start, end in predicted:
        if technique in remaining[(ident, start, end)]:
            remaining[(ident, start, end)].remove(technique)
            correct += 1
    return correct / len(predicted) if predicted else 1.0


def test_si_method_matches_the_documented_check():
    precision, recall, _ = si_score([("1", 15, 26)], [("1", 10, 21)])
    assert precision == recall == pytest.approx(6 / 11)
    assert si_score([], []) == (1.0, 1.0, 1.0)


def test_export_scores_one_against_itself_with_the_scorers_method(project, tmp_path):
    folder = unpack(export_files(project), tmp_path / "export")

    techniques = (folder / "propaganda-techniques-names-semeval2020task11.txt").read_text()
    techniques = techniques.splitlines()
    assert len(techniques) == 14
    assert "inserted_phrase" not in techniques
    tc = read_rows(folder / "task2-TC.labels", 4)
    assert tc_score(tc, tc, techniques) == 1.0
    # the SI scorer's gold folder: every *.labels in it, three columns
    si_gold = [
        row
        for path in sorted((folder / "labels-task1-span-identification").glob("*.labels"))
        for row in read_rows(path, 3)
    ]
    si = read_rows(folder / "task1-SI.labels", 3)
    assert sorted(si) == sorted(si_gold)
    assert si_score(si, si_gold) == (1.0, 1.0, 1.0)
    # the per-article TC files are the whole-set file, split
    per_article = [
        row
        for path in (folder / "labels-task2-technique-classification").glob("*.task2-TC.labels")
        for row in read_rows(path, 4)
    ]
    assert sorted(per_article) == sorted(tc)
    # nothing lost: TC + other-labels.tsv are every span, each selecting its phrase
    other = read_rows(folder / "other-labels.tsv", 4)
    assert {r[1] for r in other} == {"inserted_phrase"}
    covered = set()
    for ident, technique, start, end in tc + other:
        with open(folder / "articles" / f"article{ident}.txt", encoding="utf-8") as f:
            covered.add((ident, technique, f.read()[start:end]))
    assert covered == set(SPANS)


def test_the_card_names_the_other_labels_file_and_the_scorer_commands(project):
    files = export_files(project)
    card = files["README.md"].decode()
    prefix = "annotators/alice/" if "annotators/alice/task2-TC.labels" in files else ""
    assert f"**`{prefix}other-labels.tsv`**" in card
    assert "inserted_phrase (2)" in card
    assert (
        f"python3 tools/task-TC_scorer.py -s predictions-TC.txt -r {prefix}task2-TC.labels "
        f"-p {prefix}propaganda-techniques-names-semeval2020task11.txt"
    ) in card
    assert (
        "python3 tools/task-SI_scorer.py -s predictions-SI.txt "
        f"-r {prefix}labels-task1-span-identification -m"
    ) in card


def test_default_export_reimports_and_exports_to_the_same_bytes(project, tmp_path):
    first = export_files(project)
    copy = make_project("copy")

    report = import_paths(copy, [unpack(first, tmp_path / "first")], annotator="alice")

    assert report.ok, report.as_dict()
    # The default layer is alice's folder (no gold): the article she marked nothing in is not hers.
    assert (report.articles_created, report.spans_created) == (len(TEXTS) - 1, len(SPANS))
    second = export_files(copy)
    data = sorted(set(first) - {"README.md", "manifest.json"})
    assert sorted(set(second) - {"README.md", "manifest.json"}) == data
    for name in data:
        assert second[name] == first[name], name


def test_the_cards_python_reads_every_span(project, tmp_path, monkeypatch, capsys):
    files = export_files(project)
    unpack(files, tmp_path / "export")
    code = files["README.md"].decode().split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path / "export")  # the card's paths start at the export's top
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == sorted(f"{a} {t} {p}" for a, t, p in SPANS)
