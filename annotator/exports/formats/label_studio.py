"""label-studio: Label Studio's JSON task import format, and the labelling config to go with it.

- ``tasks.json``: a JSON array, one task an article. ``data`` holds ``text`` (what the config's
  ``<Text value="$text">`` shows), ``external_id``, ``article_id`` and ``title``.
  ``annotations`` holds one annotation per annotator (and one for the gold layer, with
  ``ground_truth: true``), each a ``result`` list of regions::

    {"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 21, "end": 25, "text": "test", "labels": ["loaded_language"]}}

  plus ``"meta": {"text": [note]}`` for a span with a note (Label Studio's region note). The
  annotation's ``annotator`` field names the annotator (null: gold); Label Studio ignores it
  and gives imported annotations to the importing user, so it is kept for the reader.
- ``label_config.xml``: the ``<View>`` with the ``Text`` and the ``Labels`` (one ``Label`` a
  label key), to paste into the project's labelling setup.

Offsets are **code points**, Python's ``text[start:end]``: Label Studio's text regions count
code points (its own end-to-end test "NER - Emoji - Text" expects ``start: 21, end: 25`` for
"test" in "🐱 Warning: This is a test text", where UTF-16 would give 22 and 26).
"""

from itertools import groupby
from xml.sax.saxutils import quoteattr

from annotator.core import jsonbytes

from .base import ExportArticle, ExportSpan, FormatWriter

FROM_NAME, TO_NAME = "label", "text"


def _annotator(span: ExportSpan) -> str:
    return span.annotator or ""


class LabelStudioWriter(FormatWriter):
    name = "label-studio"
    description = "Label Studio's JSON tasks, one annotation per annotator, and its config"
    filename = "tasks.json"
    carries_annotator = True
    annotator_where = "the `annotator` of each annotation, one per annotator (null: gold)"

    def files(self) -> list[str]:
        return [*super().files(), "label_config.xml"]

    def start(self) -> None:
        self.out.write(b"[")
        self._separator = b"\n"

    def write_article(self, article: ExportArticle) -> None:
        annotations = []
        by_annotator = sorted(article.spans, key=_annotator)  # gold ("") first, stable
        for annotator, spans in groupby(by_annotator, key=_annotator):
            result = []
            for number, span in enumerate(spans, 1):
                region = {
                    "id": f"s{number}",
                    "from_name": FROM_NAME,
                    "to_name": TO_NAME,
                    "type": "labels",
                    "value": {
                        "start": span.start,
                        "end": span.end,
                        "text": span.text,
                        "labels": [span.label_key],
                    },
                }
                if span.note:
                    region["meta"] = {"text": [span.note]}
                result.append(region)
            annotations.append(
                {"result": result, "ground_truth": not annotator, "annotator": annotator or None}
            )
        task = {
            "data": {
                "text": article.text,
                "external_id": article.external_id,
                "article_id": article.id,
                "title": article.title,
            },
            "annotations": annotations,
        }
        self.out.write(self._separator + jsonbytes.dumps(task))
        self._separator = b",\n"

    def end(self) -> None:
        self.out.write(b"\n]\n")
        labels = "".join(f"    <Label value={quoteattr(key)}/>\n" for key in self.labels)
        config = (
            f'<View>\n  <Text name="{TO_NAME}" value="$text"/>\n'
            f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n{labels}  </Labels>\n</View>\n'
        )
        with self.sink.open("label_config.xml") as out:
            out.write_text(config)
