"""The recommenders' models on a synthetic corpus (annotator.recommenders.synthetic): what the
sequence model learns beyond phrase memory, what phrase memory must always find, offsets that
slice the text exactly whatever the script, and the artifacts."""

import io
import zipfile

import pytest

from annotator.agreement import measures
from annotator.core.text import normalize_text
from annotator.recommenders import evaluation, kinds, phrases, sequence, synthetic, tokens

CATEGORIES = synthetic.CATEGORIES


@pytest.fixture(scope="module")
def trained():
    train = synthetic.corpus(80, seed=1, spans=8)
    crf = sequence.SequenceModel(sequence.train(train, CATEGORIES))
    table = phrases.PhraseTable.build(train)
    return train, crf, table


def labelled_f1(predict, documents) -> float:
    score = measures.SpanScore()
    for text, gold in documents:
        found = [(s.start, s.end, s.label) for s in predict(text)]
        score += measures.semeval_article(found, gold, labelled=True)
    return score.f1


def test_the_sequence_model_clearly_beats_phrase_memory_on_unseen_phrasings(trained):
    _, crf, table = trained
    unseen = synthetic.corpus(20, seed=2, spans=8)  # new made-up words in every slot
    crf_f1 = labelled_f1(lambda text: crf.predict(text).suggestions, unseen)
    phrase_f1 = labelled_f1(table.suggest, unseen)
    assert crf_f1 > 0.8
    assert crf_f1 > phrase_f1 + 0.4, (crf_f1, phrase_f1)


def test_phrase_memory_finds_every_repeated_phrase_case_and_spacing_aside(trained):
    train, _, table = trained
    labelled = {(text[s:e], label) for text, spans in train[:5] for s, e, label in spans}
    text, expected = "", set()
    for n, (phrase, label) in enumerate(sorted(labelled)):
        variant = phrase.upper() if n % 2 else phrase.replace(" ", " \n  ")
        start = len(text) + len("Quote: ")
        text += f"Quote: {variant}. "
        expected.add((start, start + len(variant), label))
    found = {(s.start, s.end, s.label) for s in table.suggest(text)}
    assert expected <= found
    for s in table.suggest(text):
        assert 0 < s.score <= 1


def test_phrase_memory_matches_whole_words_only():
    table = phrases.PhraseTable.build([("The war is over.", [(4, 7, "loaded_language")])])
    assert table.suggest("A warm welcome, a war-torn town.") == [
        phrases.Suggestion(18, 21, "loaded_language", 1.0)
    ]
    # Seen once labelled and once plain in training: half the time.
    table = phrases.PhraseTable.build(
        [("The war is over. The war began.", [(4, 7, "loaded_language")])]
    )
    assert {s.score for s in table.suggest("war")} == {0.5}


DECOR = [
    "👩🏽‍💻 🇺🇦 ok.\r\n",  # ZWJ sequence, skin tone, flag, CRLF
    "مرحبا بالعالم، هذا نص.\r\n",  # Arabic (RTL)
    "שָׁלוֹם עוֹלָם.\n",  # Hebrew with combining points
    "Cafe\u0301\u00a0noir, e\u0300vil.\r\n",  # combining marks, no-break space
]


def decorated(documents):
    """Each document with emoji, RTL and combining-mark lines (CRLF, normalised as on import)
    between its sentences, spans moved along."""
    out = []
    for n, (text, spans) in enumerate(documents):
        pieces, cut, moved = [], 0, []
        for i, sentence_end in enumerate(
            sorted({e for _, e, _ in spans} | {len(text)})  # after each span
        ):
            pieces.append(text[cut:sentence_end])
            pieces.append(normalize_text(DECOR[(n + i) % len(DECOR)]))
            cut = sentence_end
        new = "".join(pieces)
        for start, end, label in spans:
            shift = sum(len(p) for j, p in enumerate(pieces) if j % 2 and _before(pieces, j, start))
            moved.append((start + shift, end + shift, label))
        out.append((new, moved))
        for (s0, e0, _), (s1, e1, _) in zip(spans, moved, strict=True):
            assert text[s0:e0] == new[s1:e1]
    return out


def _before(pieces, j, offset) -> bool:
    """Whether decor piece ``j`` was inserted before ``offset`` of the original text."""
    return sum(len(p) for i, p in enumerate(pieces[:j]) if i % 2 == 0) <= offset


def test_every_suggestion_slices_the_text_exactly_in_any_script():
    train = decorated(synthetic.corpus(30, seed=3, spans=6))
    # A technique written in Arabic, for phrase memory to find again.
    arabic = "إنهم خونة حقيرون."
    train.append((arabic, [(5, 16, "name_calling")]))
    crf = sequence.SequenceModel(sequence.train(train, CATEGORIES))
    table = phrases.PhraseTable.build(train)
    fresh = decorated(synthetic.corpus(5, seed=4, spans=6))
    fresh.append(("قال: " + arabic + " 🙂", []))
    assert "\r" not in "".join(text for text, _ in fresh)
    seen_any = {"crf": 0, "phrase": 0}
    for text, _ in fresh:
        bounds = {t.start for t in tokens.tokenize(text)} | {t.end for t in tokens.tokenize(text)}
        for name, found in (
            ("crf", crf.predict(text).suggestions),
            ("phrase", table.suggest(text)),
        ):
            for s in found:
                assert 0 <= s.start < s.end <= len(text)
                assert s.start in bounds, (name, text[s.start : s.end])
                assert s.end in bounds, (name, text[s.start : s.end])
                assert text[s.start : s.end].strip() == text[s.start : s.end]
                seen_any[name] += 1
    assert seen_any["crf"] > 10
    assert seen_any["phrase"] >= 1
    found = table.suggest(fresh[-1][0])
    assert [(fresh[-1][0][s.start : s.end], s.label) for s in found] == [
        ("خونة حقيرون", "name_calling")
    ]


def test_tokens_keep_graphemes_and_marks_together():
    text = "e\u0300vil 👩🏽‍💻 שָׁלוֹם"
    assert [t.text for t in tokens.tokenize(text)] == ["e\u0300vil", "👩🏽‍💻", "שָׁלוֹם"]


def test_one_tag_set_per_category_keeps_overlapping_techniques():
    text = "Make Valoria great again, you disgusting traitors!"
    slogan = (0, 24, "slogans")  # Call
    loaded = (5, 24, "loaded_language")  # Manipulative Wording, overlapping it
    insult = (30, 49, "name_calling")  # Attack on Reputation
    documents = [(text, [slogan, loaded, insult])] * 5 + [("Nothing to see here.", [])] * 5
    model = sequence.SequenceModel(sequence.train(documents, CATEGORIES))
    found = {(s.start, s.end, s.label) for s in model.predict(text).suggestions}
    assert {slogan, loaded, insult} <= found


def test_the_artifact_is_crfsuite_model_files_and_json():
    artifact = sequence.train(synthetic.corpus(5, seed=5), CATEGORIES)
    with zipfile.ZipFile(io.BytesIO(artifact)) as archive:
        names = archive.namelist()
        assert "manifest.json" in names
        models = [n for n in names if n.startswith("crf/")]
        assert models
        assert all(archive.read(n)[:4] == b"lCRF" for n in models)
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        sequence.SequenceModel(b"\x80\x04K\x01.")  # a pickle is refused, not run


def test_training_without_spans_says_so():
    with pytest.raises(ValueError, match="no spans"):
        sequence.train([("No technique here.", [])], CATEGORIES)


def test_evaluation_is_deterministic_and_has_a_learning_curve():
    documents = synthetic.corpus(20, seed=6, spans=6)

    def fit(docs):
        return kinds.fit(kinds.PHRASE, docs, CATEGORIES)

    def load(blob):
        predict = kinds.load(kinds.PHRASE, blob)
        return lambda text: predict(text)[0]

    first = evaluation.evaluate(fit, load, documents, folds=4)
    assert first == evaluation.evaluate(fit, load, documents, folds=4)
    assert first["folds"] == 4
    assert first["seed"] == evaluation.SEED
    assert [p["articles"] for p in first["learning_curve"]] == [1, 2, 4, 8, 15]
    assert sum(v["support"] for v in first["per_label"].values()) == 120
    assert first["unlabelled"]["f1"] >= first["labelled"]["f1"]
    assert evaluation.evaluate(fit, load, documents[:1])["folds"] == 0
