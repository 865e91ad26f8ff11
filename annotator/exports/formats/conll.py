"""conll: one token a line with its code-point offsets and BIO tags.

Layout (tab separated; comment lines start with "#", a token line never does: a token that
starts with ``#`` or ``\\`` is written with one ``\\`` in front, so ``conllu`` and other
readers that skip ``#`` lines keep every token; ``start``/``end`` stay exact)::

    # columns = token<TAB>start<TAB>end<TAB><column 1><TAB><column 2>...
    # doc_id = <ID>
    Breaking<TAB>0<TAB>8<TAB>O<TAB>B-loaded_language
    ...
    <blank line between text lines (a new sentence) and between documents>
    # doc_id = <next ID>

Tokens come from ``tokenize.tokenize`` (documented there and in docs/formats.md); ``start`` and
``end`` are code points of the article text. Tags are ``B-<label key>``, ``I-<label key>`` or
``O``.

Overlaps: BIO cannot hold two spans on one token in one column, so there is one tag column per
label category (``columns="category"``, the default; labels without a category share the
column ``uncategorised``), or one per label (``columns="label"``), or a single column
(``columns="single"``). Within a column, spans claim tokens longest first (in code points),
then earliest start, then label key; a span touching a token already claimed is dropped and
counted in the report (``dropped.overlap``). A span covering no token (only whitespace) is
counted under ``dropped.no_token``. A span whose ends fall inside a token tags the whole token
(counted under ``adjusted.widened_to_tokens``). A span crossing a line break restarts with
``B-`` in the next sentence, so every sentence is valid BIO on its own (counted under
``adjusted.split_at_newline``). Spans written (not dropped) are counted under ``survived``.

``sentences.jsonl`` holds the same sentences for Hugging Face ``datasets`` (which has no CoNLL
reader): one a line, ``{"doc_id", "sentence", "tokens", "starts", "ends", "tags": {<column>:
[tag, ...]}}``, tokens as they are in the text (no ``\\`` escape), ``sentence`` counted from 0
in each document. The card's ``configs`` point ``load_dataset`` at it.
"""

from bisect import bisect_left, bisect_right
from collections import Counter

from annotator.core import jsonbytes

from .base import ExportArticle, ExportSpan, FormatWriter, close_quietly
from .tokenize import tokenize

UNCATEGORISED = "uncategorised"
_ESCAPE_FIRST = frozenset("#\\")  # a line starting with "#" is a comment to CoNLL readers


def token_text(column: str) -> str:
    """A token column's text as it is in the article (the ``\\`` escape removed)."""
    return column[1:] if column[:1] == "\\" else column


class ConllWriter(FormatWriter):
    name = "conll"
    description = "Token-level BIO, one tag column per label category (CJK one token a character)"
    options = {
        "columns": ("category", ("category", "label", "single")),
        "article_ids": ("external", ("external", "internal")),
    }
    filename = "tokens.conll"
    sentences_file = "sentences.jsonl"

    def __init__(self, labels, options=None):
        super().__init__(labels, options)
        mode = self.opts["columns"]
        self.column_of: dict[str, int] = {}
        self.columns: list[str] = []
        for key, label in self.labels.items():
            if mode == "single":
                name = "labels"
            elif mode == "label":
                name = key
            else:
                name = label.category or UNCATEGORISED
            if name not in self.columns:
                self.columns.append(name)
            self.column_of[key] = self.columns.index(name)

    def files(self) -> list[str]:
        return [*super().files(), self.sentences_file]

    def start(self) -> None:
        self.stats.survived = Counter()  # in the counts even when no span survives
        self.out.write_text("# columns = " + "\t".join(["token", "start", "end", *self.columns]))
        self.out.write_text("\n")
        self._sentences = self.sink.open(self.sentences_file)

    def end(self) -> None:
        self._sentences.close()

    def abort(self) -> None:
        super().abort()
        close_quietly(getattr(self, "_sentences", None))

    def write_article(self, article: ExportArticle) -> None:
        text = article.text
        tokens = tokenize(text)
        # a token after a line break opens a new sentence (a blank line in the output)
        opens = [i > 0 and "\n" in text[tokens[i - 1].end : t.start] for i, t in enumerate(tokens)]
        tags = [["O"] * len(tokens) for _ in self.columns]
        self._tag(article, tokens, opens, tags)
        ident = self.article_file_id(article, self.opts["article_ids"])
        # a blank line ends the previous document; the first one shares the header's comments
        gap = "\n" if self.stats.articles > 1 else ""
        parts = [f"{gap}# doc_id = {ident}\n"]
        for index, token in enumerate(tokens):
            if opens[index]:
                parts.append("\n")
            word = token.text
            if word[0] in _ESCAPE_FIRST:
                word = "\\" + word
            row = [word, str(token.start), str(token.end), *(c[index] for c in tags)]
            parts.append("\t".join(row) + "\n")
        self.out.write_text("".join(parts))
        self._sentences.write(self._sentence_lines(ident, tokens, opens, tags))

    def _sentence_lines(self, ident: str, tokens, opens, tags) -> bytes:
        """The article's sentences as ``sentences.jsonl`` lines."""
        bounds = [i for i, new in enumerate(opens) if new or i == 0] + [len(tokens)]
        lines = []
        for number, (first, stop) in enumerate(zip(bounds, bounds[1:], strict=False)):
            part = tokens[first:stop]
            sentence = {
                "doc_id": ident,
                "sentence": number,
                "tokens": [t.text for t in part],
                "starts": [t.start for t in part],
                "ends": [t.end for t in part],
                "tags": {name: tags[c][first:stop] for c, name in enumerate(self.columns)},
            }
            lines.append(jsonbytes.dumps(sentence, newline=True))
        return b"".join(lines)

    def _tag(self, article: ExportArticle, tokens, opens, tags) -> None:
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        by_column: dict[int, list[tuple[ExportSpan, int, int]]] = {}
        for span in article.spans:
            first = bisect_right(ends, span.start)  # first token ending after the start
            stop = bisect_left(starts, span.end)  # tokens starting before the end
            if first >= stop:
                self.stats.drop("no_token", span.label_key)
                continue
            by_column.setdefault(self.column_of[span.label_key], []).append((span, first, stop))
        for column, candidates in by_column.items():
            candidates.sort(key=lambda c: (c[0].start - c[0].end, c[0].start, c[0].label_key))
            row = tags[column]
            for span, first, stop in candidates:
                if any(tag != "O" for tag in row[first:stop]):
                    self.stats.drop("overlap", span.label_key)
                    continue
                if starts[first] != span.start or ends[stop - 1] != span.end:
                    self.stats.adjust("widened_to_tokens", span.label_key)
                if any(opens[first + 1 : stop]):
                    self.stats.adjust("split_at_newline", span.label_key)
                self.stats.survive(span.label_key)
                row[first] = f"B-{span.label_key}"
                for index in range(first + 1, stop):
                    row[index] = f"{'B' if opens[index] else 'I'}-{span.label_key}"
