"""csv: one span a row (RFC 4180: comma separated, CRLF row ends, quotes where needed).

Columns: ``article_id, external_id, start, end, label, official_label, label_name, category,
text, annotator, note, origin``. Line breaks inside a span's text stay LF inside a quoted
field; read the file with ``newline=""`` (Python) to get them back exactly. ``annotator`` is
empty for the gold layer. Cells are not defused against spreadsheet formulas: the text is data
and must stay byte-exact.
"""

import csv
import io

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


class CsvWriter(FormatWriter):
    name = "csv"
    description = "One span a row"
    filename = "spans.csv"
    carries_annotator = True
    annotator_where = "the `annotator` column"

    def start(self) -> None:
        self._buffer = io.StringIO(newline="")
        self._csv = csv.writer(self._buffer)
        self._emit([COLUMNS])

    def write_article(self, article: ExportArticle) -> None:
        rows = []
        for span in article.spans:
            label = self.labels[span.label_key]
            rows.append(
                [
                    article.id,
                    article.external_id,
                    span.start,
                    span.end,
                    span.label_key,
                    label.technique,
                    label.name,
                    label.category,
                    span.text,
                    span.annotator or "",
                    span.note,
                    span.origin,
                ]
            )
        self._emit(rows)

    def _emit(self, rows) -> None:
        self._csv.writerows(rows)
        self.out.write_text(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
