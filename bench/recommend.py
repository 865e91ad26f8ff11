"""Recommenders benchmark: the sequence model (CRF) on the synthetic corpus, on one core.

    .venv/bin/python bench/recommend.py                   # 500 articles / 6,000 spans
    .venv/bin/python bench/recommend.py --articles 200    # a smaller run
    .venv/bin/python bench/recommend.py --no-curve        # without the learning curve
    .venv/bin/python bench/recommend.py --evaluation      # and the evaluation of a training job

1. Training: the sequence model (one CRF per label category) on ``--articles`` synthetic
   articles of 12 labelled technique sentences each (annotator.recommenders.synthetic, with
   15% noise: techniques left unlabelled, boundaries moved by a word) among 40 neutral ones
   (~3,300 characters an article), pinned to one core.
   Target: 500 articles / 6,000 spans in <= 60 s.
2. Prediction: one article of 5,000 characters (new made-up words), 30 times; the median and
   the worst. Target: <= 100 ms.
3. Memory: the process's peak RSS after both. Target: < 500 MB.
4. Quality: labelled SemEval span F1 of both kinds on 50 unseen articles, and the learning
   curve (labelled F1 against the number of training articles) of both, as the trained model
   rows store it.

Pure Python and crfsuite: no database. The machine's load is printed: on a shared machine the
figures are an upper bound.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.agreement import measures  # noqa: E402
from annotator.recommenders import evaluation, kinds, sequence, synthetic  # noqa: E402

CATEGORIES = synthetic.CATEGORIES
NOISE = 0.15  # missed techniques and moved boundaries, as in people's work
FILLER = 40  # neutral sentences an article: ~3,300 characters, the length of a news article


def article_of(chars: int, seed: int) -> str:
    text = ""
    for document, _ in synthetic.corpus(20, seed=seed):
        text += document + "\n\n"
        if len(text) >= chars:
            break
    return text[:chars]


def f1(kind: str, blob: bytes, documents) -> float:
    predict = kinds.load(kind, blob)
    score = measures.SpanScore()
    for text, gold in documents:
        found = [(s.start, s.end, s.label) for s in predict(text)[0]]
        score += measures.semeval_article(found, gold, labelled=True)
    return score.f1


def fit_and_load(kind: str):
    """What evaluation.evaluate takes: a trainer and a loader of suggestion lists."""

    def fit(docs):
        return kinds.fit(kind, docs, CATEGORIES)

    def load(blob):
        predict = kinds.load(kind, blob)
        return lambda text: predict(text)[0]

    return fit, load


def curve(kind: str, documents, held: int) -> list[dict]:
    fit, load = fit_and_load(kind)
    split = evaluation.folds_of(len(documents), max(2, len(documents) // held))
    return evaluation.learning_curve(fit, load, documents, split[0], evaluation.SEED)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument(
        "--evaluation", action="store_true", help="also time the evaluation a training job runs"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")

    documents = synthetic.corpus(args.articles, seed=1, spans=12, filler=FILLER, noise=NOISE)
    n_spans = sum(len(spans) for _, spans in documents)
    chars = sum(len(text) for text, _ in documents)
    print(f"training data: {len(documents)} articles, {n_spans} spans, {chars:,} characters")

    started = time.perf_counter()
    cpu = time.process_time()
    blob = sequence.train(documents, CATEGORIES)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"training: {seconds:.1f} s wall, {cpu:.1f} s CPU (target <= 60 s); model "
        f"{len(blob) / 1024:.0f} KB"
    )
    started = time.perf_counter()
    phrase_blob = kinds.fit(kinds.PHRASE, documents, CATEGORIES)
    print(f"phrase memory: built in {time.perf_counter() - started:.2f} s")

    model = sequence.SequenceModel(blob)
    text = article_of(5000, seed=2)
    model.predict(text)  # warm
    times, cpu_times = [], []
    for _ in range(30):
        started, cpu = time.perf_counter(), time.process_time()
        prediction = model.predict(text)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    print(
        f"prediction, {len(text):,} characters: median {statistics.median(times):.1f} ms, "
        f"worst {max(times):.1f} ms (target <= 100 ms); CPU median "
        f"{statistics.median(cpu_times):.1f} ms; {len(prediction.suggestions)} spans, "
        f"uncertainty {prediction.uncertainty:.4f}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB (target < 500 MB)")

    unseen = synthetic.corpus(50, seed=3, spans=12, filler=FILLER, noise=NOISE)
    print(
        f"labelled F1 on 50 unseen articles: sequence {f1(kinds.SEQUENCE, blob, unseen):.3f}, "
        f"phrase memory {f1(kinds.PHRASE, phrase_blob, unseen):.3f}"
    )
    if args.evaluation:
        started, cpu = time.perf_counter(), time.process_time()
        result = evaluation.evaluate(*fit_and_load(kinds.SEQUENCE), documents)
        print(
            f"evaluation as a training job runs it (5 folds + learning curve): "
            f"{time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s "
            f"CPU; labelled F1 {result['labelled']['f1']:.3f}, unlabelled "
            f"{result['unlabelled']['f1']:.3f}"
        )
    if not args.no_curve:
        pool = documents[:200]
        for kind in (kinds.SEQUENCE, kinds.PHRASE):
            points = curve(kind, pool, held=40)
            shown = ", ".join(f"{p['articles']}: {p['f1']:.3f}" for p in points)
            print(f"learning curve ({kind}, 40 held-out articles; articles: F1): {shown}")
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
