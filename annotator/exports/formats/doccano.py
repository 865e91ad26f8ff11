"""doccano: its JSONL import format for sequence labelling, one article a line.

``{"text": ..., "label": [[start, end, "<label key>"], ...], "annotators": [...],
"external_id": ..., "article_id": ..., "title": ...}``: doccano reads ``text`` and ``label``
and keeps the other fields as the example's metadata. ``annotators`` names the annotator of
each ``label`` entry, in the same order (null for the gold layer): doccano's spans carry no
author, so this is how the file says who marked what.

Offsets. doccano stores imported offsets as given, and its span editor (v-annotator) reads
them as JavaScript string indices, i.e. **UTF-16 code units** (an emoji outside the BMP counts
2), or as grapheme clusters when the project counts "grapheme clusters as one character". So
the default, ``offsets: "utf16"``, writes UTF-16 offsets: the spans show where they were
marked in a default doccano project; in Python ``text.encode("utf-16-le")[2*start:2*end]``
is the span. ``offsets: "codepoints"`` writes Python's ``text[start:end]`` offsets, as every
other format of ours does.
"""

import re
from bisect import bisect_left

from annotator.core import jsonbytes

from .base import ExportArticle, FormatWriter

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_converter(text: str):
    """A function mapping a code-point offset of ``text`` to its UTF-16 offset."""
    astral = [match.start() for match in _ASTRAL.finditer(text)]
    if not astral:
        return lambda offset: offset
    # every astral code point before the offset takes one more unit
    return lambda offset: offset + bisect_left(astral, offset)


class DoccanoWriter(FormatWriter):
    name = "doccano"
    description = "doccano's JSONL for sequence labelling (UTF-16 offsets by default)"
    options = {"offsets": ("utf16", ("utf16", "codepoints"))}
    filename = "doccano.jsonl"
    carries_annotator = True
    annotator_where = "the line's `annotators` list, one name per `label` entry (null: gold)"

    def write_article(self, article: ExportArticle) -> None:
        spans = article.spans
        if self.opts["offsets"] == "utf16":
            unit = utf16_converter(article.text)
            labels = [[unit(s.start), unit(s.end), s.label_key] for s in spans]
        else:
            labels = [[s.start, s.end, s.label_key] for s in spans]
        record = {
            "text": article.text,
            "label": labels,
            "annotators": [s.annotator for s in spans],
            "external_id": article.external_id,
            "article_id": article.id,
            "title": article.title,
        }
        self.out.write(jsonbytes.dumps(record, newline=True))
