"""Shared fixtures and builders for the import tests (imported by tests/test_import_*.py).

Fixture functions are named ``*_fixture`` so that importing them does not shadow test arguments.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from annotator.corpus.models import Project
from annotator.schemas.models import Label, LabelSchema

DATA = Path(__file__).parent / "data" / "import"

# The conftest sample with CRLF line ends and one lone CR, as Windows tools and old Macs write it.
# Each phrase below must come out of the import as exactly this text.
PHRASES = {
    "loaded_language": "👨\u200d👩\u200d👧 families",
    "name_calling": "e\u0300vil",
    "whataboutism": "عادلة\u00a0تماما",
    "doubt": "שקרנים",
}
LAST_PHRASE = "💥 catastrophe 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
OFFICIAL = {
    "loaded_language": "Loaded_Language",
    "name_calling": "Name_Calling,Labeling",
    "whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "doubt": "Doubt",
}


def crlf(text: str) -> str:
    """CRLF everywhere, except a lone CR for the last line break."""
    head, _, tail = text.rpartition("\n")
    return head.replace("\n", "\r\n") + "\r" + tail


def normalised(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def raw_span(raw: str, phrase: str) -> tuple[int, int]:
    start = raw.index(phrase)
    return start, start + len(phrase)


def utf16_span(raw: str, phrase: str) -> tuple[int, int]:
    start, end = raw_span(raw, phrase)
    return len(raw[:start].encode("utf-16-le")) // 2, len(raw[:end].encode("utf-16-le")) // 2


def expected_spans(raw: str) -> set[tuple[str, str]]:
    """(label key, phrase) pairs for a raw text, the way the tests check stored spans."""
    return {(key, phrase) for key, phrase in PHRASES.items() if phrase in raw}


def stored_spans(article) -> set[tuple[str, str]]:
    """(label key, text) of an article's spans, after checking each one indexes the text."""
    result = set()
    for span in article.spans.select_related("label"):
        assert article.text[span.start : span.end] == span.text
        assert span.origin == "import"
        result.add((span.label.key, span.text))
    return result


def ptc_files(raw: str, article_id: str = "111") -> dict[str, bytes]:
    """A PTC article and its technique labels (SemEval names, CRLF offsets), as files."""
    lines = []
    for key, phrase in PHRASES.items():
        start, end = raw_span(raw, phrase)
        lines.append(f"{article_id}\t{OFFICIAL[key]}\t{start}\t{end}\n")
    return {
        f"articles/article{article_id}.txt": raw.encode(),
        f"labels/article{article_id}.task-flc-tc.labels": "".join(lines).encode(),
    }


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(name="raw_text")
def raw_text_fixture(unicode_sample):
    return crlf(unicode_sample)


@pytest.fixture(name="project")
def project_fixture(db):
    schema = LabelSchema.objects.create(name="Import test schema")
    for order, key in enumerate(PHRASES):
        Label.objects.create(
            schema=schema, key=key, name=key.title(), official_label=OFFICIAL[key], order=order
        )
    Label.objects.create(schema=schema, key="propaganda", name="Propaganda", order=10)
    Label.objects.create(
        schema=schema, key="old_label", name="Old", official_label="Old_Label", retired=True
    )
    return Project.objects.create(slug="news", name="News", schema=schema)


def run_import_command(*args) -> int:
    """``manage.py import_articles ...`` as a user types it (argv parsing): its exit status.
    Needs ``keep_connection_fixture`` (autouse where imported)."""
    try:
        ManagementUtility(["manage.py", "import_articles", *map(str, args)]).execute()
    except SystemExit as exit:
        return exit.code
    return 0


@pytest.fixture(autouse=True)
def keep_connection_fixture(monkeypatch):
    # manage.py closes every connection when a command ends; the test database must survive it
    monkeypatch.setattr(connections, "close_all", lambda: None)
