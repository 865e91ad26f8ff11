"""Diff suggestions: the word diff (pure), the seed article's original, the API and accepting."""

import pytest
from api_helpers import client_for

from annotator.annotations.models import Span, SpanOrigin
from annotator.annotations.suggestions import INSERTED, SUBSTITUTED, diff, words
from annotator.corpus.demo import SEED_ARTICLE, SEED_ORIGINAL, read_article_file

NBSP = "\u00a0"


def ranges(original, text):
    return [(s.kind, s.text, s.original) for s in diff(original, text).suggestions]


def test_words_split_on_unicode_whitespace_including_nbsp_but_not_zwj():
    text = f"a{NBSP}b\u2009c 👨\u200d👩\u200d👧 e\u0301\td"
    assert [text[s:e] for s, e in words(text)] == [
        "a",
        "b",
        "c",
        "👨\u200d👩\u200d👧",
        "e\u0301",
        "d",
    ]


def test_insertion_substitution_and_deletion():
    original = "The army took the city on Monday after a long fight."
    text = "The brave army took the city after a short fight, sadly."
    result = diff(original, text)
    found = [(s.kind, s.start, s.end, s.text, s.original) for s in result.suggestions]
    assert found == [
        (INSERTED, 4, 9, "brave", ""),
        (SUBSTITUTED, text.index("short"), len(text) - 1, "short fight, sadly", "long fight."),
    ]
    for s in result.suggestions:
        assert text[s.start : s.end] == s.text
    assert [(d.at, d.original) for d in result.deletions] == [(text.index("after"), "on Monday")]
    assert {s.label for s in result.suggestions} == {"inserted_phrase", "substituted_phrase"}


def test_offsets_are_code_points_with_emoji_and_combining_marks(unicode_sample):
    original = unicode_sample.replace("🔥 ", "").replace("catastrophe", "problem")
    result = diff(original, unicode_sample)
    got = [(s.kind, s.text) for s in result.suggestions]
    assert got == [(INSERTED, "🔥"), (SUBSTITUTED, "catastrophe")]
    for s in result.suggestions:
        assert unicode_sample[s.start : s.end] == s.text  # Python str indexing = code points
    # An astral emoji precedes "catastrophe": UTF-16 offsets would be larger.
    assert result.suggestions[1].start == unicode_sample.index("catastrophe")


def test_whitespace_only_changes_and_edge_punctuation():
    # A no-break space for a space is not an edit; punctuation alone changed is kept whole.
    assert ranges("rises are big", f"rises{NBSP}are big") == []
    assert ranges("It ends.", "It ends!") == [(SUBSTITUTED, "ends!", "ends.")]
    # Inserted words lose the punctuation at their edges: "Protecting ISIS" without its comma.
    assert ranges("US Could", "Protecting ISIS, US Could") == [(INSERTED, "Protecting ISIS", "")]
    # Right-to-left text and an inserted word in it.
    assert ranges("הם שקרנים", "הם כולם שקרנים") == [(INSERTED, "כולם", "")]


def test_no_original_no_suggestions():
    result = diff("", "Some text.")
    assert result.suggestions == []
    assert result.deletions == []


def test_seed_article_suggestions_are_its_edits():
    _, text = read_article_file(SEED_ARTICLE)
    _, original = read_article_file(SEED_ORIGINAL)
    result = diff(original, text)
    got = [(s.kind, s.text.replace(NBSP, " ")) for s in result.suggestions]
    assert got == [
        (INSERTED, "Protecting ISIS"),
        (INSERTED, "Protecting ISIS"),
        (INSERTED, "A picture is worth a thousand words: ISIS and US Army fighting side by side"),
        (INSERTED, "while U.S.-led coalition protects them"),
        (SUBSTITUTED, "anti PRO ISIS"),
        (SUBSTITUTED, "ISIS supporting"),
    ]
    assert (result.suggestions[0].start, result.suggestions[0].end) == (0, 15)
    assert result.suggestions[4].original == "anti-ISIS"
    # The no-break space where the seed article was edited is inside the range, as in the text.
    assert result.suggestions[4].text == f"anti{NBSP}PRO ISIS"
    assert result.deletions == []


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def edited(world):
    world.article.original_text = world.article.text.replace("100% evil", "bad")
    world.article.save()
    return world


def test_api_lists_suggestions_to_readers(edited):
    w = edited
    expected = diff(w.article.original_text, w.article.text)
    for user in (w.annotator, w.reviewer, w.manager, w.staff):
        response = client_for(user).get(f"/api/v1/articles/{w.article.pk}/suggestions/")
        assert response.status_code == 200, user
        body = response.json()
        assert body["has_original"] is True
        assert body["suggestions"] == [s.as_dict() for s in expected.suggestions]
    assert body["suggestions"][0]["text"] == "100% evil"


def test_api_refuses_who_may_not_read_the_article(edited):
    w = edited
    url = f"/api/v1/articles/{w.article.pk}/suggestions/"
    assert client_for(w.annotator2).get(url).status_code == 404  # not assigned
    assert client_for(w.outsider).get(url).status_code == 404
    response = client_for(w.researcher).get(url)
    assert response.status_code == 403
    assert "evil" not in response.content.decode()
    assert client_for().get(url).status_code == 401


def test_accepting_creates_a_span_with_origin_suggestion(edited):
    w = edited
    s = client_for(w.annotator).get(f"/api/v1/articles/{w.article.pk}/suggestions/").json()
    first = s["suggestions"][0]
    w.project.schema.labels.create(key=first["label"], name="Inserted", hotkey="i")
    response = client_for(w.annotator).post(
        f"/api/v1/articles/{w.article.pk}/spans/",
        {
            "label": first["label"],
            "start": first["start"],
            "end": first["end"],
            "text": first["text"],
            "origin": "suggestion",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    span = Span.objects.get(pk=response.json()["id"])
    assert (span.start, span.end, span.text, span.origin) == (
        first["start"],
        first["end"],
        "100% evil",
        SpanOrigin.SUGGESTION,
    )


def test_sync_create_carries_origin_and_clients_cannot_claim_import(edited):
    w = edited
    url = f"/api/v1/articles/{w.article.pk}/spans/sync/"
    op = {"op": "create", "label": "name_calling", "start": 13, "end": 17, "origin": "suggestion"}
    response = client_for(w.annotator).post(url, {"operations": [op]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["span"]["origin"] == "suggestion"
    bad = client_for(w.annotator).post(
        f"/api/v1/articles/{w.article.pk}/spans/",
        {"label": "name_calling", "start": 0, "end": 3, "origin": "import"},
        format="json",
    )
    assert bad.status_code == 400
    assert "origin" in bad.json()
    assert not Span.objects.filter(article=w.article, start=0, end=3).exists()
