"""How good a recommender is (pure, no Django): the SemEval-2020 Task 11 span measure
(agreement.measures: partial credit by overlap; labelled, unlabelled and per label) of its
predictions on held-out articles, k-fold by article with a fixed seed, and a learning curve
(labelled F1 against the number of training articles, on the first fold's held-out articles).
"""

import random
from collections import Counter, defaultdict
from collections.abc import Callable

from annotator.agreement import measures

SEED = 15
# Fractions of the first fold's training articles: doubling, where most of a curve's change is.
CURVE = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1)

Documents = list[tuple[str, list[tuple[int, int, str]]]]


def _scores(score: measures.SpanScore) -> dict:
    return {
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
    }


def folds_of(n: int, k: int, seed: int = SEED) -> list[list[int]]:
    """``k`` disjoint lists of article indices covering ``range(n)``, shuffled by ``seed``."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


class Tally:
    def __init__(self) -> None:
        self.labelled = measures.SpanScore()
        self.unlabelled = measures.SpanScore()
        self.per_label: dict[str, measures.SpanScore] = defaultdict(measures.SpanScore)
        self.support: Counter[str] = Counter()

    def add(self, predicted: list[tuple[int, int, str]], gold: list[tuple[int, int, str]]):
        self.labelled += measures.semeval_article(predicted, gold, labelled=True)
        self.unlabelled += measures.semeval_article(predicted, gold)
        for label, score in measures.semeval_by_label(predicted, gold).items():
            self.per_label[label] += score
        self.support.update(label for _, _, label in gold)


def _predict(predictor, documents: Documents, tally: Tally) -> None:
    for text, gold in documents:
        predicted = {(s.start, s.end, s.label) for s in predictor(text)}
        tally.add(sorted(predicted), gold)


def evaluate(
    fit: Callable[[Documents], bytes],
    load: Callable[[bytes], Callable],
    documents: Documents,
    *,
    folds: int = 5,
    seed: int = SEED,
    progress=None,
) -> dict:
    """The evaluation JSON of a model kind (``fit`` trains an artifact, ``load`` makes a
    predictor of it) on ``documents``; with fewer than 2 articles nothing can be held out."""
    k = min(int(folds), len(documents))
    result: dict = {"folds": k, "seed": seed, "articles": len(documents)}
    if k < 2:
        empty = {"precision": None, "recall": None, "f1": None}
        return result | {
            "folds": 0,
            "labelled": empty,
            "unlabelled": empty,
            "per_label": {},
            "learning_curve": [],
            "note": "too few articles to hold any out",
        }
    tally = Tally()
    split = folds_of(len(documents), k, seed)
    steps = k + len(CURVE)
    for n, held in enumerate(split):
        if progress:
            progress(n, steps)
        held_set = set(held)
        train = [doc for i, doc in enumerate(documents) if i not in held_set]
        if not any(spans for _, spans in train):
            _predict(lambda _text: [], [documents[i] for i in held], tally)
            continue
        _predict(load(fit(train)), [documents[i] for i in held], tally)
    result["labelled"] = _scores(tally.labelled)
    result["unlabelled"] = _scores(tally.unlabelled)
    result["per_label"] = {
        label: _scores(score) | {"support": tally.support.get(label, 0)}
        for label, score in sorted(tally.per_label.items())
    }

    def curve_progress(n: int) -> None:
        if progress:
            progress(k + n, steps)

    result["learning_curve"] = learning_curve(fit, load, documents, split[0], seed, curve_progress)
    return result


def learning_curve(
    fit, load, documents: Documents, held: list[int], seed: int, progress=None
) -> list[dict]:
    held_set = set(held)
    pool = [i for i in range(len(documents)) if i not in held_set]
    random.Random(seed + 1).shuffle(pool)
    test = [documents[i] for i in held]
    points = []
    for n, size in enumerate(sorted({max(1, round(len(pool) * f)) for f in CURVE})):
        if progress:
            progress(n)
        train = [documents[i] for i in pool[:size]]
        tally = Tally()
        if any(spans for _, spans in train):
            _predict(load(fit(train)), test, tally)
        else:
            _predict(lambda _text: [], test, tally)
        points.append({"articles": size, "f1": round(tally.labelled.f1, 4)})
    return points
