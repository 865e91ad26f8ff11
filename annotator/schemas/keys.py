"""Automatic hotkeys and colours for labels that do not bring their own."""

from string import ascii_lowercase

from .spec import RESERVED_HOTKEYS

# 1-9 first (one hand on the number row), then letters not reserved by the annotation page.
HOTKEY_SEQUENCE = tuple("123456789") + tuple(
    c for c in ascii_lowercase if c not in RESERVED_HOTKEYS
)

# Designed by scripts/design_palette.py: any two of these differ by CIEDE2000 >= 12 for normal
# vision and >= 6 for simulated protanopia, deuteranopia and tritanopia, and each stands out of
# the light and the dark page (annotator/schemas/colours.py; tests/test_colours.py checks every
# preset). Ordered so that a small preset's first colours are the most different.
PALETTE = (
    "#cc00bb",
    "#44dd33",
    "#007766",
    "#ee0000",
    "#ddaacc",
    "#8899ff",
    "#ff9988",
    "#55ccff",
    "#997744",
    "#4444ff",
    "#22aa99",
    "#995544",
    "#cc0066",
    "#cc7788",
    "#557700",
    "#99ccaa",
    "#aaaa55",
    "#0077ee",
    "#ee7700",
    "#aa88cc",
    "#669966",
    "#338899",
    "#666699",
    "#ff44bb",
)


def next_hotkey(taken: set[str]) -> str:
    """The first free hotkey in HOTKEY_SEQUENCE, or "" when all are taken (then no hotkey)."""
    return next((key for key in HOTKEY_SEQUENCE if key not in taken), "")


def next_colour(used: set[str], position: int) -> str:
    """The first palette colour not in ``used``; when all are used, cycle by ``position``."""
    for colour in PALETTE:
        if colour not in used:
            return colour
    return PALETTE[position % len(PALETTE)]
