"""csv: one span a row (RFC 4180: comma separated, CRLF row ends, quotes where needed).

Columns: ``article_id, external_id, start, end, label, official_label, label_name, category,
text, annotator, note, origin``. Line breaks inside a span's text stay LF inside a quoted
field; read the file with ``newline=""`` (Python) to get them back exactly. ``annotator`` is
empty for the gold layer.

``images.csv``: one article image a row, ``article_id, external_id, src, file, caption_start,
caption_end, caption`` (``src`` the picture's URL, or its path in the zip when it is only stored
here; ``file`` its path in the zip, empty when it is not in the zip; the caption range empty
when the image has none).

Spreadsheet safety (OWASP "CSV injection"): a text cell that starts with ``= + - @``, TAB or CR,
after any number of ``'``, gets one more ``'`` in front, so a spreadsheet shows it as text and
never runs it as a formula. :func:`restore_cell` undoes it exactly: it removes one ``'`` from a
cell made of one or more ``'`` and then one of those characters (the rule prefixes cells that
already start that way too, so every cell comes back as it was). ``escape_formulas: false``
writes cells as they are. ``bom: true`` starts the file with a UTF-8 byte order mark, which
Excel needs to read UTF-8.
"""

import csv
import io
import re

from .base import ExportArticle, FormatWriter, close_quietly

COLUMNS = [
    "article_id",
    "external_id",
    "start",
    "end",
    "label",
    "official_label",
    "label_name",
    "category",
    "text",
    "annotator",
    "note",
    "origin",
]


_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset("'=+-@\t\r")
BOM = "\ufeff"


def defuse(cell: str) -> str:
    """``cell`` with a ``'`` in front when a spreadsheet could read it as a formula."""
    return "'" + cell if cell and cell[0] in _FIRST and _FORMULA.match(cell) else cell


def restore_cell(cell: str) -> str:
    """The cell as it was before :func:`defuse` (for readers of an escaped file)."""
    return cell[1:] if cell and cell[0] == "'" and _ESCAPED.match(cell) else cell


IMAGE_COLUMNS = [
    "article_id",
    "external_id",
    "src",
    "file",
    "caption_start",
    "caption_end",
    "caption",
]


class CsvWriter(FormatWriter):
    name = "csv"
    description = (
        "One span a row (spans.csv) and one image a row (images.csv), safe in spreadsheets"
    )
    filename = "spans.csv"
    carries_images = True
    options = {"escape_formulas": (True, (True, False)), "bom": (False, (False, True))}
    carries_annotator = True
    annotator_where = "the `annotator` column"

    def start(self) -> None:
        self._buffer = io.StringIO(newline="")
        self._csv = csv.writer(self._buffer)
        self._cell = defuse if self.opts["escape_formulas"] else str
        self._images = self.sink.open("images.csv")
        if self.opts["bom"]:
            self.out.write_text(BOM)
            self._images.write_text(BOM)
        self._emit([COLUMNS])
        self._emit([IMAGE_COLUMNS], self._images)

    def files(self) -> list[str]:
        return ["spans.csv", "images.csv"]

    def end(self) -> None:
        self._images.close()

    def abort(self) -> None:
        super().abort()
        close_quietly(getattr(self, "_images", None))

    def write_article(self, article: ExportArticle) -> None:
        rows = []
        cell = self._cell
        external_id = cell(article.external_id)
        for span in article.spans:
            label = self.labels[span.label_key]
            rows.append(
                [
                    article.id,
                    external_id,
                    span.start,
                    span.end,
                    span.label_key,
                    cell(label.technique),
                    cell(label.name),
                    cell(label.category),
                    cell(span.text),
                    cell(span.annotator or ""),
                    cell(span.note),
                    span.origin,
                ]
            )
        self._emit(rows)
        if article.images:
            self._emit(
                [
                    [
                        article.id,
                        external_id,
                        cell(image.src),
                        image.file or "",
                        "" if image.caption_start is None else image.caption_start,
                        "" if image.caption_end is None else image.caption_end,
                        cell(image.caption),
                    ]
                    for image in article.images
                ],
                self._images,
            )

    def _emit(self, rows, out=None) -> None:
        self._csv.writerows(rows)
        (out or self.out).write_text(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
