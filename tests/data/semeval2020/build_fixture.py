"""Writes ``datasets/``: a small corpus in the exact layout and file names of the SemEval-2020
Task 11 release, made up for the tests (no release file is copied). Run it from anywhere to
rebuild; the tests read the files it writes, never this script.

- train-articles/article1001.txt starts with a BOM and has CRLF line ends; its offsets count
  the BOM and the CRs, as the release's offsets count them (Python code points of the raw file);
  its TC file repeats one line (the release repeats a few);
- article1002.txt: emoji, a ZWJ family, combining marks, RTL text, no-break spaces, LF;
- article1003.txt: labels only in the whole-set files (train-task2-TC.labels,
  train-task1-SI.labels), with the comma names of the task;
- dev-articles/article2001.txt: no labels.
The SI files list fragments that differ from the TC ranges, as in the release.
"""

from pathlib import Path

ROOT = Path(__file__).parent / "datasets"

ARTICLES = {
    "train-articles/article1001.txt": (
        "\ufeffMinister: 👨\u200d👩\u200d👧 families flee\r\n\r\n"
        "They are e\u0300vil liars, said the minister.\r\n"
        "Our glorious nation will never surrender.\r\n"
    ),
    "train-articles/article1002.txt": (
        "Café news 🔥\n\n"
        "قال المتحدث إن الحرب عادلة\u00a0تماما.\n"
        "Critics are traitors and cowards 💥 everywhere.\n"
        "Is this really true?\n"
    ),
    "train-articles/article1003.txt": (
        "What about them?\n\nWhat about the other side, they did worse.\nThose clowns again.\n"
    ),
    "dev-articles/article2001.txt": "A dev article\n\nNo labels are released for it.\n",
}

# article id -> (technique, phrase); offsets are found in the raw text (BOM and CRs counted)
TC = {
    "1001": [("Name_Calling,Labeling", "e\u0300vil liars"), ("Loaded_Language", "glorious")],
    "1002": [
        ("Name_Calling,Labeling", "traitors and cowards 💥"),
        ("Loaded_Language", "عادلة\u00a0تماما"),
        ("Doubt", "Is this really true?"),
    ],
    "1003": [
        ("Whataboutism,Straw_Men,Red_Herring", "What about the other side, they did worse."),
        ("Name_Calling,Labeling", "clowns"),
    ],
}
SI = {
    "1001": ["They are e\u0300vil liars", "glorious nation"],
    "1002": ["traitors and cowards 💥 everywhere", "Is this really true?"],
    "1003": ["What about the other side", "Those clowns"],
}
REPEATED = ("1001", 0)  # this TC line appears twice in its file


def span(article_id: str, phrase: str) -> tuple[int, int]:
    text = next(t for name, t in ARTICLES.items() if name.endswith(f"article{article_id}.txt"))
    start = text.index(phrase)
    return start, start + len(phrase)


def tc_lines(article_id: str) -> list[str]:
    lines = []
    for technique, phrase in TC[article_id]:
        start, end = span(article_id, phrase)
        lines.append(f"{article_id}\t{technique}\t{start}\t{end}\n")
    if article_id == REPEATED[0]:
        lines.append(lines[REPEATED[1]])
    return lines


def si_lines(article_id: str) -> list[str]:
    return ["{}\t{}\t{}\n".format(article_id, *span(article_id, p)) for p in SI[article_id]]


def main() -> None:
    files = {name: text for name, text in ARTICLES.items()}
    for article_id in ("1001", "1002"):
        tc = f"train-labels-task2-technique-classification/article{article_id}.task2-TC.labels"
        si = f"train-labels-task1-span-identification/article{article_id}.task1-SI.labels"
        files[tc] = "".join(tc_lines(article_id))
        files[si] = "".join(si_lines(article_id))
    files["train-task2-TC.labels"] = "".join("".join(tc_lines(i)) for i in TC)
    files["train-task1-SI.labels"] = "".join("".join(si_lines(i)) for i in SI)
    for name, content in files.items():
        path = ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))  # byte-exact: BOM and CRs kept


if __name__ == "__main__":
    main()
