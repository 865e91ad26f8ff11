"""The built-in label presets (fixtures/presets/propaganda-techniques.json).

A preset is a named list of labels in the presets file: ``ptc18`` (18 PTC techniques),
``semeval2020`` (14), ``semeval2023`` (23) and ``manipulation`` (4 manipulated-news edits).
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings

PRESETS_FILE = Path(settings.BASE_DIR) / "fixtures" / "presets" / "propaganda-techniques.json"


@cache
def _presets_by_name() -> dict[str, dict]:
    with open(PRESETS_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    return {preset["preset"]: preset for preset in data["presets"]}


def preset_names() -> list[str]:
    return list(_presets_by_name())


def get_preset(name: str) -> dict | None:
    """The preset's dict (``preset``, ``title``, ``source``, ``labels``) or None if unknown."""
    return _presets_by_name().get(name)
