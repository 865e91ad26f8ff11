"""Habits the linters do not check: a formatter pragma says why it is there.

ruff keeps ``x = 1  # fmt: skip  # why`` as written; a bare ``# fmt: skip`` (or ``# fmt: off``)
hides a formatting preference nobody can weigh later, so it must carry its reason.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("annotator", "tests", "bench", "scripts")
PRAGMA = re.compile(r"#\s*fmt:\s*(skip|off)\b(?P<rest>.*)$")


def bare_pragmas(paths) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = PRAGMA.search(line)
            if match and not match["rest"].strip().lstrip("#").strip():
                found.append(f"{path.relative_to(ROOT)}:{number}")
    return found


def python_files():
    for folder in FOLDERS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_every_formatter_pragma_gives_its_reason():
    assert bare_pragmas(python_files()) == []


def test_the_checker_sees_a_bare_pragma(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "a.py").write_text(
        "x = [1,  2]  # fmt: skip\ny = [1,  2]  # fmt: skip  # a table kept aligned\n"
    )
    assert bare_pragmas([tmp_path / "a.py"]) == ["a.py:1"]
