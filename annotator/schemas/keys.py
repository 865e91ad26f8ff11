"""Automatic hotkeys and colours for labels that do not bring their own."""

from string import ascii_lowercase

from .spec import RESERVED_HOTKEYS

# 1-9 first (one hand on the number row), then letters not reserved by the annotation page.
HOTKEY_SEQUENCE = tuple("123456789") + tuple(
    c for c in ascii_lowercase if c not in RESERVED_HOTKEYS
)

# Mid-saturation colours that stay readable as highlight backgrounds under dark text, every
# pair at least 13 apart in CIEDE2000 (colours.MIN_DELTA_E is 10): Tableau 10, then colours
# chosen greedily for the largest smallest difference (lightness 55-85, chroma 20-60). 28 of
# them, so that the largest merge of presets (semeval2023 + manipulation, 27 labels) gets
# distinct colours.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#b4b4ff", "#96871e", "#00b4ff", "#c3d2a5", "#2de1a5", "#ffa5ff",
    "#ffc3a5", "#00e1ff", "#009678", "#c3a578", "#9678d2", "#0096b4", "#a5b44b", "#ff8769",
    "#6996ff", "#b4781e", "#a5d2f0", "#ffc3e1",
)  # fmt: skip


def next_hotkey(taken: set[str]) -> str:
    """The first free hotkey in HOTKEY_SEQUENCE, or "" when all are taken (then no hotkey)."""
    for key in HOTKEY_SEQUENCE:
        if key not in taken:
            return key
    return ""


def next_colour(used: set[str], position: int) -> str:
    """The first palette colour not in ``used``; when all are used, cycle by ``position``."""
    for colour in PALETTE:
        if colour not in used:
            return colour
    return PALETTE[position % len(PALETTE)]
