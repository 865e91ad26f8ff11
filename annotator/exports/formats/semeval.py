"""semeval: the SemEval-2020 Task 11 layout, as the task ships its data and its scorers read it.

Files (``ID`` is the article's file id: its external id, or ``article_ids="internal"``)::

    articles/article<ID>.txt                       the text, byte-exact UTF-8
    labels-task2-technique-classification/article<ID>.task2-TC.labels
                                                   ID<TAB>technique<TAB>begin<TAB>end
    labels-task1-span-identification/article<ID>.task1-SI.labels
                                                   ID<TAB>begin<TAB>end
    task2-TC.labels, task1-SI.labels               the same lines for the whole set
    other-labels.tsv                               ID<TAB>label<TAB>begin<TAB>end
    all-labels.tsv                                 every span, TC and other, one table
    propaganda-techniques-names-semeval2020task11.txt   the 14 techniques, one a line

Technique-classification (TC) files hold only spans of the task's 14 techniques (the
``official_label`` values of the ``semeval2020`` preset, after any label mapping): the TC
scorer refuses any other name. Spans of other labels (no official name, ``ptc18``-only names,
``inserted_phrase``...) go to ``other-labels.tsv`` under their official name or key, so nothing
is lost and the importer reads them back. ``all-labels.tsv`` has every span's line in one table
(what Hugging Face's csv builder loads; not ``*.labels``, so the scorers and the importer,
which take the two files above, never count a span twice). Span-identification (SI) files
list the distinct ranges of the TC spans (no technique). A labels file is written only for an
article that has lines for it (an article without spans has its ``.txt`` alone), so a
re-import never reads empty labels files. The SI scorer takes the SI folder (it reads every
``*.labels`` in it), the TC scorer a whole-set file and the techniques file: the dataset card
gives the commands.
"""

import re
from functools import cache

from annotator.schemas.presets import get_preset

from .base import ExportArticle, ExportError, FormatWriter, close_quietly

_FIELD_BREAKERS = re.compile(r"[\t\r\n]")

ARTICLES = "articles"
TC_DIR = "labels-task2-technique-classification"
SI_DIR = "labels-task1-span-identification"
TC_FILE, SI_FILE, OTHER_FILE = "task2-TC.labels", "task1-SI.labels", "other-labels.tsv"
ALL_FILE = "all-labels.tsv"
TECHNIQUES_FILE = "propaganda-techniques-names-semeval2020task11.txt"


@cache
def task_techniques() -> tuple[str, ...]:
    """The 14 technique names of SemEval-2020 Task 11 (the ``semeval2020`` preset)."""
    preset = get_preset("semeval2020") or {"labels": []}
    return tuple(label["official_label"] for label in preset["labels"])


class SemevalWriter(FormatWriter):
    name = "semeval"
    description = (
        "SemEval-2020 Task 11: articles/article<ID>.txt, .task2-TC.labels, .task1-SI.labels"
    )
    options = {"article_ids": ("external", ("external", "internal"))}
    filename = TC_FILE

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
        official = set(task_techniques())
        self._technique = {key: label.technique for key, label in self.labels.items()}
        self._in_task = {key for key, name in self._technique.items() if name in official}

    def files(self) -> list[str]:
        return [TC_FILE, SI_FILE, OTHER_FILE, ALL_FILE, TECHNIQUES_FILE]

    def start(self) -> None:
        names = "".join(f"{name}\n" for name in task_techniques())
        self.sink.write_bytes(TECHNIQUES_FILE, names.encode("utf-8"))
        self._si = self.sink.open(SI_FILE)
        self._other = self.sink.open(OTHER_FILE)
        self._all = self.sink.open(ALL_FILE)

    def write_article(self, article: ExportArticle) -> None:
        ident = self.article_file_id(article, self.opts["article_ids"])
        technique, in_task = self._technique, self._in_task
        tc: list[str] = []
        other: list[str] = []
        every: list[str] = []
        ranges: dict[tuple[int, int], None] = {}
        for s in article.spans:
            line = f"{ident}\t{technique[s.label_key]}\t{s.start}\t{s.end}\n"
            every.append(line)
            if s.label_key in in_task:
                tc.append(line)
                ranges[(s.start, s.end)] = None
            else:
                other.append(line)
        si = [f"{ident}\t{start}\t{end}\n" for start, end in sorted(ranges)]
        self.sink.write_bytes(f"{ARTICLES}/article{ident}.txt", article.text.encode("utf-8"))
        for folder, suffix, lines in ((TC_DIR, "task2-TC", tc), (SI_DIR, "task1-SI", si)):
            if lines:
                data = "".join(lines).encode("utf-8")
                self.sink.write_bytes(f"{folder}/article{ident}.{suffix}.labels", data)
        self.out.write_text("".join(tc))
        self._si.write_text("".join(si))
        self._other.write_text("".join(other))
        self._all.write_text("".join(every))
        for s in article.spans if other else ():
            if s.label_key not in in_task:  # counted for the card: not in the TC files
                self.stats.adjust("outside_task_techniques", s.label_key)

    def end(self) -> None:
        self._si.close()
        self._other.close()
        self._all.close()

    def abort(self) -> None:
        super().abort()
        close_quietly(*(getattr(self, name, None) for name in ("_si", "_other", "_all")))
