"""semeval: the SemEval-2020 Task 11 / PTC layout.

Per article ``article<ID>.txt`` (the text, byte-exact UTF-8, no newline translation) and
``article<ID>.labels`` (``ID<TAB>technique<TAB>start<TAB>end`` a line), plus ``all-labels.tsv``
with every article's lines (the scorers' single-file form; ``.tsv`` so that loading the folder's
``*.labels`` does not count spans twice). ``technique`` is the label's official name, or its key
when it has none. ``article_ids="internal"`` uses database ids, which are numeric as the
scorers' file-name pattern ``article([0-9]+)`` expects.
"""

import re

from .base import ExportArticle, ExportError, FormatWriter

_FIELD_BREAKERS = re.compile(r"[\t\r\n]")


class SemevalWriter(FormatWriter):
    name = "semeval"
    description = "SemEval-2020 Task 11: article<ID>.txt + article<ID>.labels"
    options = {"article_ids": ("external", ("external", "internal"))}
    filename = "all-labels.tsv"

    def __init__(self, labels, options=None):
        super().__init__(labels, options)
        for label in self.labels.values():
            if (
                _FIELD_BREAKERS.search(label.technique)
                or label.technique.strip() != label.technique
            ):
                raise ExportError(
                    f"semeval: label {label.key!r} has official label {label.technique!r}, "
                    "which cannot be a TSV field (tab, line break or edge spaces)"
                )

    def start(self) -> None:
        self._technique = {key: label.technique for key, label in self.labels.items()}

    def write_article(self, article: ExportArticle) -> None:
        ident = self.article_file_id(article, self.opts["article_ids"])
        technique = self._technique
        lines = "".join(
            f"{ident}\t{technique[s.label_key]}\t{s.start}\t{s.end}\n" for s in article.spans
        )
        self.sink.write_bytes(f"article{ident}.txt", article.text.encode("utf-8"))
        self.sink.write_bytes(f"article{ident}.labels", lines.encode("utf-8"))
        self.out.write_text(lines)
