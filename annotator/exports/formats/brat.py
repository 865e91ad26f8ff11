"""brat: standoff annotation, ``<ID>.txt`` + ``<ID>.ann`` per article, and the configuration.

``T<n><TAB><label key> <start> <end><TAB><covered text>`` a span; brat's lines cannot hold a
line break, so a span that crosses one is written as fragments ``start end;start end`` around
each "\\n" (the covered text is the fragments joined by a space, as brat does). A span made
only of line breaks cannot be expressed and is dropped (counted under ``newline_only``).
Notes become ``#<n><TAB>AnnotatorNotes T<n><TAB><note>`` with line breaks turned into spaces.
``annotation.conf`` lists the label keys as entity types; ``visual.conf`` gives their names.
"""

import re

from .base import ExportArticle, FormatWriter

_BREAKS = re.compile(r"[\r\n]+")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut around every "\\n", empty pieces left out."""
    pieces = []
    position = start
    for match in re.finditer("\n+", text[start:end]):
        if start + match.start() > position:
            pieces.append((position, start + match.start()))
        position = start + match.end()
    if end > position:
        pieces.append((position, end))
    return pieces


class BratWriter(FormatWriter):
    name = "brat"
    description = "brat standoff: .txt + .ann per article, annotation.conf"
    options = {"article_ids": ("external", ("external", "internal"))}

    def files(self) -> list[str]:
        return ["annotation.conf", "visual.conf"]

    def start(self) -> None:
        keys = "".join(f"{key}\n" for key in self.labels)
        conf = f"[entities]\n{keys}\n[relations]\n\n[events]\n\n[attributes]\n"
        self.sink.write_bytes("annotation.conf", conf.encode("utf-8"))
        names = "".join(
            f"{key} | {_one_line(label.name).replace('|', '/')}\n"
            for key, label in self.labels.items()
        )
        self.sink.write_bytes("visual.conf", f"[labels]\n{names}".encode())

    def write_article(self, article: ExportArticle) -> None:
        ident = self.article_file_id(article, self.opts["article_ids"])
        lines = []
        number = 0
        for span in article.spans:
            pieces = fragments(article.text, span.start, span.end)
            if not pieces:
                self.stats.drop("newline_only", span.label_key)
                continue
            if len(pieces) > 1:
                self.stats.adjust("split_at_newline", span.label_key)
            number += 1
            offsets = ";".join(f"{a} {b}" for a, b in pieces)
            covered = " ".join(article.text[a:b] for a, b in pieces)
            lines.append(f"T{number}\t{span.label_key} {offsets}\t{covered}\n")
            if span.note:
                lines.append(f"#{number}\tAnnotatorNotes T{number}\t{_one_line(span.note)}\n")
        self.sink.write_bytes(f"{ident}.txt", article.text.encode("utf-8"))
        self.sink.write_bytes(f"{ident}.ann", "".join(lines).encode("utf-8"))


def _one_line(text: str) -> str:
    return _BREAKS.sub(" ", text)
