"""Agreement measures: pure functions over plain span lists, no Django, no database.

A span is any ``(start, end, label)`` triple, ``[start, end)`` in Unicode code points (Python
``str`` indexing); a *layer* is one annotator's (or the gold layer's) spans of one article.

- :func:`semeval_article` and :class:`SpanScore`: the SemEval-2020 Task 11 span measure
  (partial credit by overlap), labelled and unlabelled, summed over articles.
- :func:`exact_article` and :class:`ExactScore`: exact-match span P/R/F1 (same start, end, label).
- :func:`char_alpha`: Krippendorff's alpha per label, nominal, on the presence of the label at
  each character (checked against the ``krippendorff`` package, which it can also call).

Every score is additive over articles: sum the per-article scores with ``+=`` and read P/R/F1
from the sum (the task's micro-average), which is what lets the report stream articles.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Self, TypeVar

ANY = None  # the key of the unlabelled variant in per-label results
Score = TypeVar("Score", "SpanScore", "ExactScore", "Comparison")


def merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint intervals: overlapping ones (sharing at least one character) merged.

    Touching intervals (``[0, 5)`` and ``[5, 9)``) share no character and stay two spans, as
    sets of positions they are disjoint.
    """
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            raise ValueError(f"empty or reversed span [{start}, {end})")
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def overlap_credit(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> tuple[float, float]:
    """``(sum |s∩t|/|s|, sum |s∩t|/|t|)`` over all pairs s of ``a``, t of ``b``.

    Both lists must be sorted and disjoint (as :func:`merge` returns them): a two-pointer
    sweep then visits only the overlapping pairs, O(len(a) + len(b)).
    """
    p_credit = r_credit = 0.0
    i = j = 0
    while i < len(a) and j < len(b):
        (s0, s1), (t0, t1) = a[i], b[j]
        common = min(s1, t1) - max(s0, t0)
        if common > 0:
            p_credit += common / (s1 - s0)
            r_credit += common / (t1 - t0)
        # Advance the interval that ends first: it cannot meet anything further on the other side.
        if s1 <= t1:
            i += 1
        else:
            j += 1
    return p_credit, r_credit


def _ratio(numerator: float, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def summed(scores: Iterable[Score], start: Score) -> Score:
    """``start`` with every score added (``+=``): per-article or per-label scores summed."""
    for score in scores:
        start += score
    return start


@dataclass
class SpanScore:
    """SemEval-2020 Task 11 span measure, summed over articles.

    ``n_a``/``n_b`` count spans after merging. P = p_credit / n_a, R = r_credit / n_b. Both
    layers empty: P = R = F1 = 1 (the layers agree). One layer empty: its side's ratio has no
    denominator and counts 0, so F1 = 0.
    """

    p_credit: float = 0.0
    r_credit: float = 0.0
    n_a: int = 0
    n_b: int = 0

    def __iadd__(self, other: "SpanScore") -> Self:
        self.p_credit += other.p_credit
        self.r_credit += other.r_credit
        self.n_a += other.n_a
        self.n_b += other.n_b
        return self

    @property
    def empty(self) -> bool:
        return self.n_a == 0 and self.n_b == 0

    @property
    def precision(self) -> float:
        return 1.0 if self.empty else _ratio(self.p_credit, self.n_a)

    @property
    def recall(self) -> float:
        return 1.0 if self.empty else _ratio(self.r_credit, self.n_b)

    @property
    def f1(self) -> float:
        return 1.0 if self.empty else _f1(self.precision, self.recall)

    def as_dict(self) -> dict:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "spans_a": self.n_a,
            "spans_b": self.n_b,
        }


class ExactScore(SpanScore):
    """Exact-match span P/R/F1: a match is a span of A with the same start, end and label as
    one of B (duplicates within a layer count once). Both empty: 1; one empty: 0.

    A match credits precision and recall with 1 each, so SpanScore's arithmetic serves as is.
    """

    @property
    def matches(self) -> int:
        return int(self.p_credit)

    def add_match(self) -> None:
        self.p_credit += 1
        self.r_credit += 1

    def as_dict(self) -> dict:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "matches": self.matches,
            "spans_a": self.n_a,
            "spans_b": self.n_b,
        }


def by_label(spans: Iterable[tuple]) -> dict[str, list[tuple[int, int]]]:
    """``{label: merged intervals}``: a layer merged per label (for the labelled variant)."""
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in spans:
        grouped[label].append((start, end))
    return {label: merge(intervals) for label, intervals in grouped.items()}


def _score(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> SpanScore:
    p_credit, r_credit = overlap_credit(a, b)
    return SpanScore(p_credit, r_credit, len(a), len(b))


def semeval_article(a: Iterable[tuple], b: Iterable[tuple], labelled: bool = False) -> SpanScore:
    """The SemEval span measure of layer ``a`` against layer ``b`` on one article.

    Unlabelled: each layer's spans merged regardless of label. Labelled: merged per label and
    credited only between spans of the same label (the sum of :func:`semeval_by_label`).
    """
    a, b = list(a), list(b)
    if not labelled:
        return _score(merge((s, e) for s, e, _ in a), merge((s, e) for s, e, _ in b))
    return summed(semeval_by_label(a, b).values(), SpanScore())


def semeval_by_label(a: Iterable[tuple], b: Iterable[tuple]) -> dict[str, SpanScore]:
    """``{label: SpanScore}`` for every label present in either layer of one article."""
    la, lb = by_label(a), by_label(b)
    return {label: _score(la.get(label, []), lb.get(label, [])) for label in la.keys() | lb.keys()}


def exact_by_label(a: Iterable[tuple], b: Iterable[tuple]) -> dict[str, ExactScore]:
    """``{label: ExactScore}`` for every label present in either layer of one article."""
    sa = {(s, e, label) for s, e, label in a}
    sb = {(s, e, label) for s, e, label in b}
    scores: dict[str, ExactScore] = defaultdict(ExactScore)
    for _, _, label in sa:
        scores[label].n_a += 1
    for span in sb:
        scores[span[2]].n_b += 1
        if span in sa:
            scores[span[2]].add_match()
    return dict(scores)


def exact_article(a: Iterable[tuple], b: Iterable[tuple]) -> ExactScore:
    return summed(exact_by_label(a, b).values(), ExactScore())


@dataclass
class Comparison:
    """Layer A against layer B summed over articles: SemEval unlabelled, and per label both
    SemEval and exact match (whose sums are the labelled and exact totals)."""

    articles: int = 0
    unlabelled: SpanScore = field(default_factory=SpanScore)
    per_label: dict[str, SpanScore] = field(default_factory=lambda: defaultdict(SpanScore))
    exact_per_label: dict[str, ExactScore] = field(default_factory=lambda: defaultdict(ExactScore))

    def add_article(self, a: Iterable[tuple], b: Iterable[tuple]) -> None:
        a, b = list(a), list(b)
        self.articles += 1
        self.unlabelled += semeval_article(a, b)
        for label, score in semeval_by_label(a, b).items():
            self.per_label[label] += score
        for label, score in exact_by_label(a, b).items():
            self.exact_per_label[label] += score

    def __iadd__(self, other: "Comparison") -> Self:
        self.articles += other.articles
        self.unlabelled += other.unlabelled
        for label, score in other.per_label.items():
            self.per_label[label] += score
        for label, score in other.exact_per_label.items():
            self.exact_per_label[label] += score
        return self

    @property
    def labelled(self) -> SpanScore:
        return summed(self.per_label.values(), SpanScore())

    @property
    def exact(self) -> ExactScore:
        return summed(self.exact_per_label.values(), ExactScore())

    def as_dict(self) -> dict:
        labels = sorted(self.per_label.keys() | self.exact_per_label.keys())
        return {
            "articles": self.articles,
            "semeval_unlabelled": self.unlabelled.as_dict(),
            "semeval_labelled": self.labelled.as_dict(),
            "exact": self.exact.as_dict(),
            "per_label": {
                label: {
                    "semeval": self.per_label.get(label, SpanScore()).as_dict(),
                    "exact": self.exact_per_label.get(label, ExactScore()).as_dict(),
                }
                for label in labels
            },
        }


# --- Krippendorff's alpha at character level ---------------------------------------------


class CharAlpha:
    """Accumulates articles, then computes Krippendorff's alpha per label (nominal).

    Units are characters; each coder (layer) who annotated the article gives each character the
    value 1 (covered by one of their spans of that label) or 0; coders without a layer on an
    article are missing there. Per character only two numbers matter, how many coders it has
    and how many of them said 1: both come from difference arrays in numpy, never a coders x
    characters matrix. Only the spans and the article lengths are kept while articles stream in;
    the per-character arrays exist one label at a time.

    ``method="library"`` hands those value counts (characters x {0, 1}) to the ``krippendorff``
    package. It costs about 0.8 us per character and label (2.5 s per label for 3 million
    characters), too slow for a project-wide report, so the default ``"coincidences"`` builds the
    same coincidence matrix from the counts of each distinct (coders, ones) pair, which is exact
    (characters with equal counts contribute equally), and applies the nominal formula; the tests
    check it against the library on random layers.
    """

    def __init__(self):
        self.lengths: list[int] = []
        self.coders: list[int] = []  # coders with a layer, per article
        self.endpoints: dict[object, list[tuple[int, int]]] = defaultdict(list)
        self._offset = 0  # where the next article starts in the concatenated characters
        self._coders_per_char = None

    def add_article(self, length: int, layers: Mapping[object, Iterable[tuple]]) -> None:
        """``layers``: ``{coder: spans}`` for every coder of the article, empty layers included."""
        offset = self._offset
        for spans in layers.values():
            spans = list(spans)
            for label, intervals in by_label(spans).items():
                self._extend(label, offset, intervals, length)
            self._extend(ANY, offset, merge((s, e) for s, e, _ in spans), length)
        self.lengths.append(length)
        self.coders.append(len(layers))
        self._offset = offset + length
        self._coders_per_char = None

    def _extend(self, label, offset: int, intervals, length: int) -> None:
        target = self.endpoints[label]
        for start, end in intervals:
            if end > length:
                raise ValueError(f"span [{start}, {end}) ends after the article ({length} chars)")
            target.append((offset + start, offset + end))

    def labels(self) -> list:
        return [label for label in self.endpoints if label is not ANY]

    def value_counts(self, label=ANY):
        """``(coders, ones)`` per pairable character (at least two coders), as numpy arrays."""
        import numpy as np

        total = self._offset
        if self._coders_per_char is None:
            self._coders_per_char = np.repeat(np.asarray(self.coders, dtype=np.int64), self.lengths)
        coders = self._coders_per_char
        points = np.asarray(self.endpoints.get(label, []), dtype=np.int64).reshape(-1, 2)
        # Coders covering each character: +1 where a span starts, -1 where it ends, summed.
        diff = np.bincount(points[:, 0], minlength=total + 1) - np.bincount(
            points[:, 1], minlength=total + 1
        )
        ones = np.cumsum(diff[:-1])
        pairable = coders >= 2
        return coders[pairable], ones[pairable]

    def alpha(self, label=ANY, method: str = "coincidences") -> float | None:
        """Alpha for ``label`` (``ANY``: any span, the unlabelled variant); None when undefined
        (no character with two coders, or no variation: nobody or everybody used the label)."""
        import numpy as np

        coders, ones = self.value_counts(label)
        if ones.size == 0 or not ones.any() or np.array_equal(ones, coders):
            return None
        if method == "library":
            import krippendorff

            counts = np.stack([coders - ones, ones], axis=1)
            return float(
                krippendorff.alpha(
                    value_counts=counts, value_domain=[0, 1], level_of_measurement="nominal"
                )
            )
        if method != "coincidences":
            raise ValueError(f"unknown alpha method {method!r}")
        return _binary_nominal_alpha(coders, ones)


def _binary_nominal_alpha(coders, ones) -> float:
    """Krippendorff's nominal alpha for values {0, 1} from per-unit (coders, ones) counts.

    A unit with n coders, n1 of them saying 1 and n0 saying 0, adds n0*n1/(n-1) to the
    coincidence o01 (and o10), n0*(n0-1)/(n-1) to o00 and n1*(n1-1)/(n-1) to o11. With
    n_c = o_cc + o01 and n = n_0 + n_1: alpha = 1 - (n - 1) * o01 / (n_0 * n_1).
    """
    import numpy as np

    base = int(coders.max()) + 1
    kinds = np.bincount(coders * base + ones)  # how many units of each (coders, ones) pair
    present = np.nonzero(kinds)[0]
    weight = kinds[present] / (present // base - 1)
    n1 = present % base
    n0 = present // base - n1
    o01 = float((weight * n0 * n1).sum())
    n_0 = float((weight * n0 * (n0 - 1)).sum()) + o01
    n_1 = float((weight * n1 * (n1 - 1)).sum()) + o01
    return 1.0 - (n_0 + n_1 - 1) * o01 / (n_0 * n_1)


def char_alpha(
    articles: Iterable[tuple[int, Mapping[object, Iterable[tuple]]]],
    method: str = "coincidences",
) -> dict:
    """``{label: alpha | None}`` plus ``None: alpha`` for any span, over ``(length, layers)``
    articles (see :class:`CharAlpha`)."""
    acc = CharAlpha()
    for length, layers in articles:
        acc.add_article(length, layers)
    return {label: acc.alpha(label, method) for label in [ANY, *acc.labels()]}
