"""Agreement measures on hand-computed cases (no database).

Each expected value below is worked out by hand in the comment next to it; a brute-force
per-character reference checks the sweep on random layers.
"""

import os
import random
from fractions import Fraction

import pytest

from annotator.agreement.gamma import article_gamma
from annotator.agreement.measures import (
    ANY,
    Comparison,
    SpanScore,
    char_alpha,
    exact_article,
    merge,
    semeval_article,
    semeval_by_label,
)

approx = pytest.approx


def span(text, phrase, label="X", occurrence=0):
    """The span of ``phrase`` in ``text`` in code points (Python indexing)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return (start, start + len(phrase), label)


# --- SemEval span measure ----------------------------------------------------------------


def test_worked_check_from_the_task():
    # [10,21) has 11 characters, [15,26) has 11, they share [15,21): 6. P = R = F1 = 6/11.
    score = semeval_article([(10, 21, "X")], [(15, 26, "X")])
    assert score.precision == approx(6 / 11)
    assert score.recall == approx(6 / 11)
    assert score.f1 == approx(6 / 11)
    labelled = semeval_article([(10, 21, "X")], [(15, 26, "X")], labelled=True)
    assert (labelled.precision, labelled.recall) == (approx(6 / 11), approx(6 / 11))


def test_both_layers_empty_agree_perfectly():
    for labelled in (False, True):
        score = semeval_article([], [], labelled=labelled)
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert exact_article([], []).f1 == 1.0


def test_one_empty_layer_scores_zero():
    score = semeval_article([], [(0, 5, "X")])
    assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)
    assert (score.n_a, score.n_b) == (0, 1)
    assert semeval_article([(0, 5, "X")], []).f1 == 0.0


def test_overlapping_spans_of_a_layer_are_merged_first():
    # A: [0,10) and [5,15) overlap -> one span [0,15). B: [0,15). P = R = 1 with one span each.
    score = semeval_article([(0, 10, "X"), (5, 15, "X")], [(0, 15, "X")])
    assert (score.n_a, score.n_b, score.f1) == (1, 1, 1.0)
    # Without merging, A would be two spans with credit 10/10 + 10/10 and P still 1, but R would
    # be (10/15 + 10/15) / 1 = 4/3: the merge keeps R <= 1.
    assert score.recall == 1.0


def test_touching_spans_are_not_merged():
    assert merge([(5, 9), (0, 5)]) == [(0, 5), (5, 9)]
    assert merge([(0, 10), (2, 3), (9, 12), (20, 21)]) == [(0, 12), (20, 21)]


def test_labelled_merges_per_label_and_credits_same_label_only():
    a = [(0, 10, "X"), (5, 15, "Y")]
    b = [(0, 10, "X")]
    # Unlabelled: A merges to [0,15) (15 chars), B [0,10): credit 10/15 and 10/10. P = 2/3, R = 1.
    unlabelled = semeval_article(a, b)
    assert (unlabelled.precision, unlabelled.recall) == (approx(2 / 3), 1.0)
    # Labelled: X vs X: credit 1 and 1; Y has no partner. P = 1/2 (two A spans), R = 1/1.
    labelled = semeval_article(a, b, labelled=True)
    assert (labelled.precision, labelled.recall) == (0.5, 1.0)
    assert labelled.f1 == approx(2 * 0.5 * 1 / 1.5)
    per_label = semeval_by_label(a, b)
    assert per_label["X"].f1 == 1.0
    assert per_label["Y"].f1 == 0.0


def test_one_span_against_two():
    # A [0,10); B [0,4) and [6,10). Precision credit 4/10 + 4/10 = 0.8 over 1 span; recall
    # credit 4/4 + 4/4 = 2 over 2 spans = 1. F1 = 2 * 0.8 / 1.8 = 8/9.
    score = semeval_article([(0, 10, "X")], [(0, 4, "X"), (6, 10, "X")])
    assert (score.precision, score.recall, score.f1) == (approx(0.8), 1.0, approx(8 / 9))


def test_scores_sum_over_articles_absent_spans_still_count():
    # Article 1: the worked check (credit 6/11 each way, one span each). Article 2: B has a span
    # A missed. Totals: P = (6/11) / 1, R = (6/11) / 2.
    total = SpanScore()
    total += semeval_article([(10, 21, "X")], [(15, 26, "X")])
    total += semeval_article([], [(0, 5, "X")])
    assert total.precision == approx(6 / 11)
    assert total.recall == approx(3 / 11)


def test_astral_characters_count_as_one_code_point(unicode_sample):
    # "🔥 news" is 6 code points (the emoji is one; UTF-16 would say 7); "news" is 4, inside it.
    a = [span(unicode_sample, "🔥 news")]
    b = [span(unicode_sample, "news")]
    score = semeval_article(a, b)
    assert score.precision == approx(4 / 6)
    assert score.recall == 1.0
    # The ZWJ family is 5 code points; a span of it against its first person (1 code point).
    family = span(unicode_sample, "👨‍👩‍👧")
    assert family[1] - family[0] == 5
    one = [(family[0], family[0] + 1, "X")]
    assert semeval_article([family], one).precision == approx(1 / 5)
    # Combining marks and no-break spaces: "Cafe\u0301" is 5 code points.
    cafe = span(unicode_sample, "Cafe\u0301")
    assert semeval_article([cafe], [(cafe[0], cafe[0] + 4, "X")]).precision == approx(4 / 5)


def brute_force(a, b, labelled):
    """The definition, literally: sets of positions, pairs of spans, fractions."""

    def merged(spans):
        groups = {}
        for s, e, label in spans:
            groups.setdefault(label if labelled else "", []).append(set(range(s, e)))
        out = []
        for key, sets in groups.items():
            done = []
            for positions in sorted(sets, key=min):
                if done and done[-1] & positions:
                    done[-1] |= positions
                else:
                    done.append(set(positions))
            out += [(key, p) for p in done]
        return out

    ma, mb = merged(a), merged(b)
    p = r = Fraction(0)
    for ka, s in ma:
        for kb, t in mb:
            if ka == kb:
                p += Fraction(len(s & t), len(s))
                r += Fraction(len(s & t), len(t))
    return p, r, len(ma), len(mb)


@pytest.mark.parametrize("labelled", [False, True])
def test_sweep_matches_the_definition_on_random_layers(labelled):
    rng = random.Random(11)
    for _ in range(300):
        layers = [
            [
                (s, s + rng.randint(1, 12), rng.choice("XY"))
                for s in (rng.randrange(60) for _ in range(rng.randint(0, 7)))
            ]
            for _ in range(2)
        ]
        p, r, n_a, n_b = brute_force(*layers, labelled)
        score = semeval_article(*layers, labelled=labelled)
        assert (score.n_a, score.n_b) == (n_a, n_b), layers
        assert score.p_credit == approx(float(p)), layers
        assert score.r_credit == approx(float(r)), layers


def test_reversed_span_is_rejected():
    with pytest.raises(ValueError, match=r"\[5, 5\)"):
        semeval_article([(5, 5, "X")], [])


# --- exact match -------------------------------------------------------------------------


def test_exact_match_needs_same_start_end_and_label():
    a = [(0, 5, "X"), (6, 9, "Y"), (0, 5, "X")]  # a duplicate counts once
    b = [(0, 5, "X"), (6, 9, "X"), (10, 12, "X")]
    score = exact_article(a, b)
    # Matches: (0,5,X) only. P = 1/2, R = 1/3, F1 = 2 * (1/6) / (5/6) = 2/5.
    assert (score.matches, score.n_a, score.n_b) == (1, 2, 3)
    assert (score.precision, score.recall, score.f1) == (0.5, approx(1 / 3), approx(0.4))


def test_comparison_reports_totals_and_per_label():
    comparison = Comparison()
    comparison.add_article([(10, 21, "X"), (30, 35, "Y")], [(15, 26, "X"), (30, 35, "Y")])
    comparison.add_article([], [])
    result = comparison.as_dict()
    assert result["articles"] == 2
    assert result["per_label"]["Y"]["exact"]["f1"] == 1.0
    assert result["per_label"]["X"]["exact"]["f1"] == 0.0
    assert result["per_label"]["X"]["semeval"]["f1"] == approx(6 / 11)
    # Labelled: credit 6/11 + 1 over 2 spans each way.
    assert result["semeval_labelled"]["precision"] == approx((6 / 11 + 1) / 2)
    assert result["exact"]["f1"] == 0.5


# --- Krippendorff's alpha per character ---------------------------------------------------


@pytest.fixture(params=["coincidences", "library"])
def method(request):
    """Every alpha case runs on both paths: the fast default and the krippendorff package."""
    return request.param


def test_alpha_hand_computed(method):
    # Four characters, two coders. Coder 1 marks [0,2), coder 2 [1,3):
    #   values 1 1 0 0 / 0 1 1 0. Coincidences: o00 = 2, o11 = 2, o01 = o10 = 2; n = 8,
    #   n0 = n1 = 4. alpha = 1 - (n - 1) * (o01 + o10) / (2 * n0 * n1) = 1 - 7 * 4 / 32 = 1/8.
    result = char_alpha([(4, {"c1": [(0, 2, "X")], "c2": [(1, 3, "X")]})], method)
    assert result["X"] == approx(1 / 8)
    assert result[ANY] == approx(1 / 8)  # the only label: presence of any span is the same


def test_alpha_ignores_characters_with_one_coder_and_counts_empty_layers(method):
    base = [(4, {"c1": [(0, 2, "X")], "c2": [(1, 3, "X")]})]
    lonely = (50, {"c1": [(0, 40, "X")]})  # one coder: no pairable character
    assert char_alpha([*base, lonely], method)["X"] == approx(1 / 8)
    # A third article where both coders mark nothing adds 2 characters agreeing on 0:
    # o00 = 2 + 4 = 6, n = 12, n0 = 8, n1 = 4: alpha = 1 - 11 * 4 / (2 * 8 * 4) = 1 - 44/64.
    quiet = (2, {"c1": [], "c2": []})
    assert char_alpha([*base, quiet], method)["X"] == approx(1 - 44 / 64)


def test_alpha_per_label_and_overlapping_spans_of_one_coder(method):
    # Coder 1's two overlapping X spans cover [0,4) once; both coders agree on X exactly, and
    # disagree on Y (coder 2 alone marks [4,6)).
    layers = {"c1": [(0, 3, "X"), (1, 4, "X")], "c2": [(0, 4, "X"), (4, 6, "Y")]}
    result = char_alpha([(8, layers)], method)
    assert result["X"] == 1.0
    # Y over 8 characters: coder 1 all 0, coder 2 ones at 4,5. o01 = o10 = 2, o00 = 12,
    # n = 16, n0 = 14, n1 = 2: alpha = 1 - 15 * 4 / (2 * 14 * 2) = 1 - 60/56.
    assert result["Y"] == approx(1 - 60 / 56)


def test_alpha_undefined_without_variation(method):
    assert char_alpha([(5, {"c1": [], "c2": []})], method) == {ANY: None}
    everywhere = {"c1": [(0, 5, "X")], "c2": [(0, 5, "X")]}
    assert char_alpha([(5, everywhere)], method)["X"] is None
    assert char_alpha([], method) == {ANY: None}


def test_alpha_rejects_a_span_past_the_article(method):
    with pytest.raises(ValueError, match="ends after the article"):
        char_alpha([(5, {"c1": [(2, 9, "X")], "c2": []})], method)


def test_alpha_on_astral_text(unicode_sample, method):
    # Offsets in code points: the layers line up with the text's length, and a coder marking
    # "🔥" (one code point) against one marking nothing disagrees on exactly one character.
    length = len(unicode_sample)
    fire = span(unicode_sample, "🔥")
    result = char_alpha([(length, {"c1": [fire], "c2": []})], method)
    # o01 = o10 = 1, n = 2L, n1 = 1, n0 = 2L - 1: alpha = 1 - (2L - 1) * 2 / (2 * (2L - 1)) = 0.
    assert result["X"] == approx(0.0)


# --- gamma (pygamma-agreement, optional) --------------------------------------------------

needs_gamma = pytest.mark.skipif(
    os.environ.get("ANNOTATOR_TEST_GAMMA") != "1",
    reason="set ANNOTATOR_TEST_GAMMA=1 (pygamma-agreement takes about a minute to load)",
)


def test_gamma_undefined_without_two_layers_or_spans():
    # Decided before the library is loaded: these run without it.
    assert article_gamma({"c1": [(0, 5, "X")]}) is None
    assert article_gamma({"c1": [], "c2": []}) is None


@needs_gamma
def test_gamma_of_identical_layers_is_one_and_disagreement_lowers_it(unicode_sample):
    pytest.importorskip("pygamma_agreement")
    fire = span(unicode_sample, "🔥 news")
    same = {"c1": [fire, (40, 50, "Y")], "c2": [fire, (40, 50, "Y")]}
    assert article_gamma(same) == approx(1.0)
    shifted = {"c1": [fire, (40, 50, "Y")], "c2": [(fire[0] + 2, fire[1], "X"), (60, 70, "X")]}
    assert article_gamma(shifted) < 1.0


def test_alpha_agrees_with_the_krippendorff_package_on_random_layers():
    # Two to four coders per article (missing ones vary), overlapping spans, several labels.
    rng = random.Random(5)
    articles = []
    for _ in range(40):
        length = rng.randint(20, 120)
        layers = {}
        for coder in rng.sample(["c1", "c2", "c3", "c4"], rng.randint(1, 4)):
            layers[coder] = []
            for _ in range(rng.randint(0, 5)):
                start = rng.randrange(length - 1)
                end = rng.randint(start + 1, min(length, start + 30))
                layers[coder].append((start, end, rng.choice("XYZ")))
        articles.append((length, layers))
    fast = char_alpha(articles)
    library = char_alpha(articles, method="library")
    assert fast.keys() == library.keys() == {ANY, "X", "Y", "Z"}
    for label, value in library.items():
        assert fast[label] == approx(value, abs=1e-12), label
