"""Automatic hotkeys and colours for labels that do not bring their own."""

from string import ascii_lowercase

from .spec import RESERVED_HOTKEYS

# 1-9 first (one hand on the number row), then letters not reserved by the annotation page.
HOTKEY_SEQUENCE = tuple("123456789") + tuple(
    c for c in ascii_lowercase if c not in RESERVED_HOTKEYS
)

# Mid-saturation colours that stay readable as highlight backgrounds under dark text and are
# distinguishable from their neighbours (Tableau 20, then four from Tableau 10/20 so that the
# largest preset, semeval2023 with 23 labels, gets distinct colours).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#a0cbe8",
    "#ffbe7d",
    "#8cd17d",
    "#b6992d",
    "#f1ce63",
    "#86bcb6",
    "#d37295",
    "#fabfd2",
    "#d4a6c8",
    "#79706e",
    "#17becf",
    "#bcbd22",
    "#9467bd",
    "#dbdb8d",
)


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
