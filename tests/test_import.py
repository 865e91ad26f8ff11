"""Importing articles and spans: every format, Unicode and CRLF input, duplicates."""

import io
import json
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from test_import_helpers import (  # noqa: F401  (fixtures)
    DATA,
    LAST_PHRASE,
    PHRASES,
    expected_spans,
    normalised,
    project_fixture,
    ptc_files,
    raw_span,
    raw_text_fixture,
    stored_spans,
    utf16_span,
    write_files,
    zip_bytes,
)

from annotator.annotations.models import Span
from annotator.core.text import text_checksum
from annotator.corpus.models import Article, Membership, Role
from annotator.imports.service import import_paths, import_upload


def write_jsonl(path, objects):
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), "utf-8")
    return path


def test_jsonl_unicode_crlf_spans_images_and_fields(project, raw_text, tmp_path):
    spans = [
        {"start": raw_span(raw_text, phrase)[0], "end": raw_span(raw_text, phrase)[1], "label": key}
        for key, phrase in PHRASES.items()
    ]
    spans[1]["official_label"] = (
        spans[1].pop("label").replace("name_calling", "Name_Calling,Labeling")
    )
    caption_start, caption_end = raw_span(raw_text, "Breaking 🔥 news")
    path = write_jsonl(
        tmp_path / "unicode.jsonl",
        [
            {
                "id": "u1",
                "title": "Ünïcödé 🔥",
                "text": raw_text,
                "url": "https://example.org/u1",
                "published": "2021-03-04",
                "meta": {"lang": "mixed", "tags": ["x"]},
                "original_text": "Before\r\nediting",
                "images": [
                    {
                        "src": "https://example.org/a.jpg",
                        "start": caption_start,
                        "end": caption_end,
                    },
                    {"src": "https://example.org/b.jpg", "caption": LAST_PHRASE},
                ],
                "spans": spans,
            }
        ],
    )

    report = import_paths(project, [path], annotator="alice")

    assert report.ok, report.as_dict()
    assert (report.articles_created, report.spans_created) == (1, 4)
    article = Article.objects.get(project=project, external_id="u1")
    assert article.text == normalised(raw_text)
    assert "\r" not in article.text
    assert article.text_sha256 == text_checksum(article.text)
    assert article.title == "Ünïcödé 🔥"
    assert article.source_url == "https://example.org/u1"
    assert article.published == date(2021, 3, 4)
    assert article.metadata == {"lang": "mixed", "tags": ["x"]}
    assert article.original_text == "Before\nediting"
    assert stored_spans(article) == expected_spans(raw_text)
    assert {s.annotator.username for s in article.spans.all()} == {"alice"}
    assert [image.caption for image in article.images.all()] == ["Breaking 🔥 news", LAST_PHRASE]


def test_annotator_is_created_without_password_as_project_annotator(project, tmp_path):
    import_paths(project, [DATA / "articles.jsonl"], annotator="new_person")
    membership = Membership.objects.get(project=project, user__username="new_person")
    assert membership.role == Role.ANNOTATOR
    assert not membership.user.has_usable_password()


def test_small_jsonl_file_from_data(project):
    report = import_paths(project, [DATA / "articles.jsonl"], annotator="alice")
    assert report.ok
    assert [(f.articles_created, f.spans_created) for f in report.files] == [(2, 1)]
    assert [s.text for s in Span.objects.all()] == ["corrupt elite"]
    second = Article.objects.get(external_id="a2")
    assert (second.published, second.metadata) == (date(2020, 1, 31), {"source": "test"})


def test_doccano_label_and_entities_forms(project):
    report = import_paths(
        project, [DATA / "doccano_label.jsonl", DATA / "doccano_entities.jsonl"], annotator="bob"
    )
    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="7")) == {
        ("name_calling", "traitors"),
        ("loaded_language", "traitors"),
    }
    assert stored_spans(Article.objects.get(external_id="8")) == {
        ("whataboutism", "What about their crimes")
    }


def test_utf16_offsets_option_converts_doccano_positions(project, raw_text, tmp_path):
    labels = [[*utf16_span(raw_text, phrase), key] for key, phrase in PHRASES.items()]
    path = write_jsonl(tmp_path / "doccano.jsonl", [{"id": 1, "text": raw_text, "label": labels}])

    report = import_paths(project, [path], annotator="bob", utf16_offsets=True)

    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="1")) == expected_spans(raw_text)


def test_utf16_offsets_differ_from_code_points_here(raw_text):
    # guards the test above: without astral characters it would prove nothing
    assert utf16_span(raw_text, PHRASES["doubt"]) != raw_span(raw_text, PHRASES["doubt"])


def test_plain_txt_file_title_and_whole_text(project, raw_text, tmp_path):
    path = tmp_path / "my-story.txt"
    path.write_bytes(raw_text.encode())

    report = import_paths(project, [path])

    assert report.ok
    assert report.articles_created == 1
    article = Article.objects.get(project=project)
    assert article.external_id == "my-story"
    assert article.title == "Breaking 🔥 news: 👨\u200d👩\u200d👧 families flee."
    assert article.text == normalised(raw_text)


def test_ptc_folder_with_crlf_and_separate_label_folders(project, raw_text, tmp_path):
    files = ptc_files(raw_text, "111")
    files["articles/article222.txt"] = b"Second title\r\n\r\nBody without spans.\r\n"
    files["README.txt"] = b"Propaganda Techniques Corpus, see LICENSE.txt\n"
    folder = write_files(tmp_path / "ptc", files)

    report = import_paths(project, [folder], annotator="ptc")

    assert report.ok, report.as_dict()
    assert [(f.format, f.articles_created, f.spans_created) for f in report.files] == [
        ("semeval", 2, 4)
    ]
    article = Article.objects.get(external_id="111")
    assert article.text == normalised(raw_text)
    assert article.title == "Breaking 🔥 news: 👨\u200d👩\u200d👧 families flee."
    assert stored_spans(article) == expected_spans(raw_text)
    assert Article.objects.get(external_id="222").text == "Second title\n\nBody without spans.\n"
    assert not Article.objects.filter(external_id="README").exists()


def test_ptc_zip_with_crlf(project, raw_text, tmp_path):
    path = tmp_path / "ptc.zip"
    files = ptc_files(raw_text, "9")
    files["__MACOSX/articles/._article9.txt"] = b"\x00\x05junk"  # ignored
    path.write_bytes(zip_bytes(files))

    report = import_paths(project, [path], annotator="ptc")

    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="9")) == expected_spans(raw_text)


def test_single_ptc_article_file_takes_its_labels_files(project, raw_text, tmp_path):
    write_files(tmp_path, {k.split("/")[1]: v for k, v in ptc_files(raw_text, "5").items()})

    report = import_paths(project, [tmp_path / "article5.txt"], annotator="ptc")

    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="5")) == expected_spans(raw_text)


def test_span_identification_labels_use_si_label(project, raw_text, tmp_path):
    start, end = raw_span(raw_text, PHRASES["doubt"])
    folder = write_files(
        tmp_path,
        {
            "article3.txt": raw_text.encode(),
            "article3.task-si.labels": f"3\t{start}\t{end}\r\n".encode(),
        },
    )

    report = import_paths(project, [folder], annotator="ptc", si_label="propaganda")

    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="3")) == {("propaganda", PHRASES["doubt"])}


def test_plain_labels_suffix_and_si_ignored_next_to_technique_file(project, raw_text, tmp_path):
    start, end = raw_span(raw_text, PHRASES["doubt"])
    folder = write_files(
        tmp_path,
        {
            "article4.txt": raw_text.encode(),
            "article4.labels": f"4\tDoubt\t{start}\t{end}\n4\tDoubt\t{start}\t{end}\n".encode(),
            "article4.task-si.labels": f"4\t{start}\t{end}\n".encode(),
        },
    )

    report = import_paths(project, [folder], annotator="ptc")

    assert report.ok, report.as_dict()
    # the repeated line is one span, and the SI file repeats the technique file's spans
    assert stored_spans(Article.objects.get(external_id="4")) == {("doubt", PHRASES["doubt"])}
    assert report.spans_created == 1


def test_reimport_reports_duplicates_and_stores_nothing_twice(project):
    first = import_paths(project, [DATA / "articles.jsonl"], annotator="alice")
    again = import_paths(project, [DATA / "articles.jsonl"], annotator="alice")

    assert first.articles_created == 2
    assert again.ok
    assert (again.articles_created, again.spans_created, again.duplicates) == (0, 0, 2)
    assert again.files[0].duplicate_ids == ["a1", "a2"]
    assert Article.objects.count() == 2
    assert Span.objects.count() == 1


def test_id_repeated_in_one_file_is_reported_not_duplicated(project, tmp_path):
    path = write_jsonl(
        tmp_path / "twice.jsonl",
        [{"id": "x", "text": "first"}, {"id": "y", "text": "other"}, {"id": "x", "text": "again"}],
    )
    report = import_paths(project, [path], batch_size=1)

    assert report.ok
    assert (report.articles_created, report.duplicates) == (2, 1)
    assert Article.objects.get(external_id="x").text == "first"


def test_batches_across_many_articles(project, tmp_path):
    objects = []
    for i in range(25):
        text = f"Article {i} is a disgrace."
        start, end = raw_span(text, "disgrace")
        span = {"start": start, "end": end, "label": "loaded_language"}
        objects.append({"id": f"n{i}", "text": text, "spans": [span]})
    path = write_jsonl(tmp_path / "many.jsonl", objects)

    report = import_paths(project, [path], annotator="alice", batch_size=10)

    assert report.ok, report.as_dict()
    assert (report.articles_created, report.spans_created) == (25, 25)
    assert set(Span.objects.values_list("text", flat=True)) == {"disgrace"}
    for article in Article.objects.all():
        assert stored_spans(article) == {("loaded_language", "disgrace")}


def test_upload_of_jsonl_txt_and_zip(project, raw_text):
    # what the REST API passes: Django's uploaded file, CRLF line ends
    data = (DATA / "articles.jsonl").read_bytes().replace(b"\n", b"\r\n")
    jsonl = SimpleUploadedFile("articles.jsonl", data, "application/jsonl")
    report = import_upload(project, "articles.jsonl", jsonl, annotator="alice")
    assert report.ok
    assert report.articles_created == 2

    text = io.BytesIO(raw_text.encode())
    report = import_upload(project, "story.txt", text)
    assert report.ok
    assert Article.objects.get(external_id="story").text == normalised(raw_text)

    archive = io.BytesIO(zip_bytes(ptc_files(raw_text, "77")))
    report = import_upload(project, "upload.zip", archive, annotator="alice")
    assert report.ok, report.as_dict()
    assert stored_spans(Article.objects.get(external_id="77")) == expected_spans(raw_text)
