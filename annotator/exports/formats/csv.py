"""csv: one span a row (RFC 4180: comma separated, CRLF row ends, quotes where needed).

Columns: ``article_id, external_id, start, end, label, official_label, label_name, category,
text, annotator, note, origin``. Line breaks inside a span's text stay LF inside a quoted
field; read the file with ``newline=""`` (Python) to get them back exactly. ``annotator`` is
empty for the gold layer.

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

from .base import ExportArticle, FormatWriter

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


class CsvWriter(FormatWriter):
    name = "csv"
    description = "One span a row"
    filename = "spans.csv"
    options = {"escape_formulas": (True, (True, False)), "bom": (False, (False, True))}
    carries_annotator = True
    annotator_where = "the `annotator` column"

    def start(self) -> None:
        self._buffer = io.StringIO(newline="")
        self._csv = csv.writer(self._buffer)
        self._cell = defuse if self.opts["escape_formulas"] else str
        if self.opts["bom"]:
            self.out.write_text(BOM)
        self._emit([COLUMNS])

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

    def _emit(self, rows) -> None:
        self._csv.writerows(rows)
        self.out.write_text(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
