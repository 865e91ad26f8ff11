"""The sequence model (pure, no Django): linear-chain CRFs (crfsuite, through python-crfsuite)
over the tokens of each sentence, one BIO tag set per label category, so that spans of two
techniques of different categories that overlap are both learned and both proposed (within a
category, the earlier and longer span wins where two overlap).

Features of a token: lexical (the word case-folded, its first and last three characters), shape
(``Xxxx``, ``dd``, capitalised, all capitals, punctuation), a window of two tokens each side with
the bigrams around it, and position (in the sentence, from its end, and which sentence of the
article: a title or lead is not the body).

The artifact is a zip of crfsuite's own model files (one per category) and a JSON manifest:
loading it parses crfsuite's binary format and JSON, never pickle.
"""

import io
import json
import os
import random
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pycrfsuite

from annotator.recommenders.phrases import Suggestion
from annotator.recommenders.tokens import Token, normalise, sentences, tokenize

FORMAT = "crf-bio/1"
FEATURES = [
    "word (case-folded)",
    "prefix and suffix (3 characters)",
    "shape (Xxxx, dd, punctuation), capitalised, all capitals",
    "window: words and shapes of 2 tokens each side, bigrams around the token",
    "position in the sentence (from its start and its end)",
    "position of the sentence in the article",
]
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 60, "feature.minfreq": 1}
OUTSIDE = "O"
# Each category's CRF learns from every sentence with a span of that category and from at most
# this many times as many sentences without one (a fixed sample): most sentences of an article
# hold no technique, and they cost training time without teaching much more.
NEGATIVES_PER_POSITIVE = 3
SEED = 15


def _shape(word: str) -> str:
    out: list[str] = []
    for char in word[:8]:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3-5" if n < 6 else "6-10" if n < 11 else "11+"


def sentence_features(sentence: list[Token], index: int) -> list[list[str]]:
    """The features of each token of the ``index``-th sentence of an article."""
    words = [normalise(t.text) for t in sentence]
    shapes = [_shape(t.text) for t in sentence]
    n = len(sentence)
    where = "s" + (_bucket(index) if index < 6 else "later")
    items = []
    for i, token in enumerate(sentence):
        w = words[i]
        f = [f"w={w}", f"p3={w[:3]}", f"s3={w[-3:]}", f"sh={shapes[i]}", where]
        f.append(f"pos={_bucket(i)}")
        f.append(f"end={_bucket(n - 1 - i)}")
        if token.text[0].isupper():
            f.append("title")
        if len(token.text) > 1 and token.text.isupper():
            f.append("upper")
        if not token.text[0].isalnum():
            f.append("punct")
        for off in (-2, -1, 1, 2):
            j = i + off
            other = words[j] if 0 <= j < n else ("<s>" if j < 0 else "</s>")
            f.append(f"w[{off}]={other}")
            if off in (-1, 1):
                f.append(f"sh[{off}]={shapes[j] if 0 <= j < n else other}")
        f.append(f"w[-1]|w={words[i - 1] if i else '<s>'}|{w}")
        f.append(f"w|w[1]={w}|{words[i + 1] if i + 1 < n else '</s>'}")
        items.append(f)
    return items


def bio_tags(sentence: list[Token], spans: list[tuple[int, int, str]]) -> list[str]:
    """BIO tags of one category: spans sorted by start then longest first; a token already taken
    by an earlier span is not given to a later, overlapping one."""
    tags = [OUTSIDE] * len(sentence)
    for start, end, label in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        covered = [i for i, t in enumerate(sentence) if t.start < end and t.end > start]
        if not covered or any(tags[i] != OUTSIDE for i in covered):
            continue
        tags[covered[0]] = f"B-{label}"
        for i in covered[1:]:
            tags[i] = f"I-{label}"
    return tags


def decode(sentence: list[Token], tags: list[str]) -> list[tuple[int, int, str, list[int]]]:
    """``(start, end, label, token indices)`` of the spans the BIO ``tags`` say."""
    found: list[tuple[int, int, str, list[int]]] = []
    current: list | None = None
    for i, tag in enumerate(tags):
        if tag == OUTSIDE:
            current = None
            continue
        kind, label = tag[0], tag[2:]
        if current is not None and kind == "I" and current[2] == label:
            current[1] = sentence[i].end
            current[3].append(i)
            continue
        current = [sentence[i].start, sentence[i].end, label, [i]]
        found.append(current)  # type: ignore[arg-type]  # a list until it ends
    return [(s, e, label, idx) for s, e, label, idx in found]


Document = tuple[str, Iterable[tuple[int, int, str]]]


def train(
    documents: Iterable[Document],
    categories: dict[str, str],
    *,
    params: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Train one CRF per category of the labels seen (``categories``: label key -> category)
    and return the artifact (a zip). Raises ValueError when no document has a span."""
    prepared = []  # (sentence tokens, ItemSequence, {category: [spans]})
    seen: dict[str, set[str]] = {}
    for text, spans in documents:
        spans = [s for s in spans if s[2] in categories]
        for index, sentence in enumerate(sentences(text)):
            lo, hi = sentence[0].start, sentence[-1].end
            inside: dict[str, list] = {}
            for span in spans:
                if span[0] < hi and span[1] > lo:
                    category = categories[span[2]]
                    inside.setdefault(category, []).append(span)
                    seen.setdefault(category, set()).add(span[2])
            items = pycrfsuite.ItemSequence(sentence_features(sentence, index))
            prepared.append((sentence, items, inside))
    if not seen:
        raise ValueError("no spans to learn from")
    names = sorted(seen)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w") as archive:
        for number, category in enumerate(names):
            trainer = pycrfsuite.Trainer(verbose=False)
            trainer.set_params({**PARAMS, **(params or {}), "feature.possible_transitions": True})
            for sentence, items, inside in _sample(prepared, category, number):
                trainer.append(items, bio_tags(sentence, inside.get(category, [])))
            path = os.path.join(tmp, f"{number}.crfsuite")
            trainer.train(path)
            archive.write(path, f"crf/{number}.crfsuite")
            if progress:
                progress(number + 1, len(names))
        manifest = {
            "format": FORMAT,
            "categories": [[category, sorted(seen[category])] for category in names],
            "features": FEATURES,
            "params": {**PARAMS, **(params or {})},
        }
        archive.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue()


def _sample(prepared: list, category: str, number: int) -> list:
    """The sentences a category's CRF learns from: those with its spans, and a fixed sample of
    the others (NEGATIVES_PER_POSITIVE times as many), in their original order."""
    positives = [i for i, (_, _, inside) in enumerate(prepared) if category in inside]
    negatives = [i for i, (_, _, inside) in enumerate(prepared) if category not in inside]
    keep = NEGATIVES_PER_POSITIVE * len(positives)
    if len(negatives) > keep:
        negatives = random.Random(SEED + number).sample(negatives, keep)
    return [prepared[i] for i in sorted(positives + negatives)]


@dataclass
class Prediction:
    suggestions: list[Suggestion]
    uncertainty: float  # mean over tokens of 1 - the marginal of the tag chosen (worst category)


class SequenceModel:
    def __init__(self, artifact: bytes):
        with zipfile.ZipFile(io.BytesIO(artifact)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} model")
            self.taggers = []
            # crfsuite reads the model from these bytes for as long as the tagger lives
            self.buffers = []
            for number, _ in enumerate(manifest["categories"]):
                self.buffers.append(archive.read(f"crf/{number}.crfsuite"))
                tagger = pycrfsuite.Tagger()
                tagger.open_inmemory(self.buffers[-1])
                self.taggers.append(tagger)
        self.categories = manifest["categories"]

    def predict(self, text: str) -> Prediction:
        found: list[Suggestion] = []
        doubt_sum, n_tokens = 0.0, 0
        for index, sentence in enumerate(sentences(text, tokenize(text))):
            items = pycrfsuite.ItemSequence(sentence_features(sentence, index))
            doubt = [0.0] * len(sentence)
            for tagger in self.taggers:
                tagger.set(items)
                tags = tagger.tag()
                confidence = [tagger.marginal(tag, i) for i, tag in enumerate(tags)]
                for i, value in enumerate(confidence):
                    doubt[i] = max(doubt[i], 1.0 - value)
                for start, end, label, idx in decode(sentence, tags):
                    score = sum(confidence[i] for i in idx) / len(idx)
                    found.append(Suggestion(start, end, label, round(score, 4)))
            doubt_sum += sum(doubt)
            n_tokens += len(sentence)
        return Prediction(found, round(doubt_sum / n_tokens, 6) if n_tokens else 0.0)
