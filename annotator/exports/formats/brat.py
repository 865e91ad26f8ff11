"""brat: standoff annotation, ``<ID>.txt`` + ``<ID>.ann`` per article, and the configuration.

``T<n><TAB><label key> <start> <end><TAB><covered text>`` a span; brat's lines cannot hold a
line break, so a span that crosses one is written as fragments ``start end;start end`` around
each "\\n" (the covered text is the fragments joined by a space, as brat does). A span made
only of whitespace (line breaks, spaces, NBSP...) is dropped and counted under
``whitespace_only``: brat trims selections so it never makes one, and readers that strip the
line lose its text field and fail. In the covered text, every character that a line-splitting
reader would break the line at or that would end the field (``\\t``, ``\\r``, other control
characters, U+0085, U+2028, U+2029) is written as a space, one for one: the offsets, never the
covered text, are the span (brat itself writes a discontinuous span's pieces joined by a space).
Notes become ``#<n><TAB>AnnotatorNotes T<n><TAB><note>`` with the same characters as spaces.
``annotation.conf`` lists the label keys as entity types and ``visual.conf`` gives their names:
both are in every folder of ``.ann`` files (each annotator's folder of the ``each`` layer too).
"""

import re

from .base import ExportArticle, FormatWriter

# Controls (C0, DEL, C1 with U+0085) and the line/paragraph separators: what str.splitlines()
# and brat's reader split at, or what ends a TAB-separated field.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BREAKS = re.compile(r"[\r\n]+")


def covered(text: str) -> str:
    """A span's text as an ``.ann`` field: unsafe characters as spaces, one for one."""
    return _UNSAFE.sub(" ", text)


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
    description = "brat standoff: .txt + .ann per article, annotation.conf in every folder"
    options = {"article_ids": ("external", ("external", "internal"))}

    def files(self) -> list[str]:
        return ["annotation.conf", "visual.conf"]

    def start(self) -> None:
        for name, data in self.folder_files().items():
            self.sink.write_bytes(name, data)

    def folder_files(self) -> dict[str, bytes]:
        keys = "".join(f"{key}\n" for key in self.labels)
        conf = f"[entities]\n{keys}\n[relations]\n\n[events]\n\n[attributes]\n"
        names = "".join(
            f"{key} | {_one_line(label.name).replace('|', '/')}\n"
            for key, label in self.labels.items()
        )
        return {
            "annotation.conf": conf.encode("utf-8"),
            "visual.conf": f"[labels]\n{names}".encode(),
        }

    def write_article(self, article: ExportArticle) -> None:
        ident = self.article_file_id(article, self.opts["article_ids"])
        lines = []
        number = 0
        for span in article.spans:
            pieces = fragments(article.text, span.start, span.end)
            if span.text.isspace():
                self.stats.drop("whitespace_only", span.label_key)
                continue
            if len(pieces) > 1:
                self.stats.adjust("split_at_newline", span.label_key)
            number += 1
            offsets = ";".join(f"{a} {b}" for a, b in pieces)
            text = covered(" ".join(article.text[a:b] for a, b in pieces))
            lines.append(f"T{number}\t{span.label_key} {offsets}\t{text}\n")
            if span.note:
                lines.append(f"#{number}\tAnnotatorNotes T{number}\t{_one_line(span.note)}\n")
        self.sink.write_bytes(f"{ident}.txt", article.text.encode("utf-8"))
        self.sink.write_bytes(f"{ident}.ann", "".join(lines).encode("utf-8"))


def _one_line(text: str) -> str:
    return covered(_BREAKS.sub(" ", text))
