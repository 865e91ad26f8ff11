"""The trainable kinds of recommender, from training data to artifact and from artifact to a
predictor (pure, no Django): phrase memory (a JSON table) and the sequence model (crfsuite)."""

import json
from collections.abc import Callable

from annotator.recommenders import phrases, sequence
from annotator.recommenders.phrases import Suggestion

PHRASE, SEQUENCE = "phrase", "sequence"
# text -> (suggestions, uncertainty: None when the kind has no measure of it)
Predictor = Callable[[str], tuple[list[Suggestion], float | None]]


def fit(kind: str, documents, categories: dict[str, str], progress=None) -> bytes:
    """The artifact of a ``kind`` model trained on ``documents`` [(text, spans)]."""
    if kind == PHRASE:
        return json.dumps(phrases.PhraseTable.build(documents).to_json()).encode()
    return sequence.train(documents, categories, progress=progress)


def load(kind: str, blob: bytes) -> Predictor:
    if kind == PHRASE:
        table = phrases.PhraseTable.from_json(json.loads(blob))
        return lambda text: (table.suggest(text), None)
    model = sequence.SequenceModel(blob)

    def predict(text: str):
        prediction = model.predict(text)
        return prediction.suggestions, prediction.uncertainty

    return predict


def features(kind: str) -> list[str]:
    return sequence.FEATURES if kind == SEQUENCE else ["phrase tokens (case-folded)"]
