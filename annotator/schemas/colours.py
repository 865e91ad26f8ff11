"""How different two label colours look: CIEDE2000 over sRGB, and the schema check built on it.

``delta_e_2000`` follows Sharma, Wu and Dalal, "The CIEDE2000 Color-Difference Formula:
Implementation Notes, Supplementary Test Data, and Mathematical Observations" (2005), with
kL = kC = kH = 1; tests/test_colours.py checks it against their published test pairs. Colours
are converted sRGB (D65) -> XYZ -> CIELAB.

A schema's labels are told apart by colour on the annotation page (underlines and tints), so
the editor warns about every pair whose difference is below ``MIN_DELTA_E``. About 2 is a just
noticeable difference side by side; labels are seen as thin underlines apart from each other,
so the threshold is well above that. The built-in presets pass the check (tested).
"""

import math
from dataclasses import dataclass
from itertools import combinations

MIN_DELTA_E = 10.0

# D65 reference white (CIE 1931 2°), XYZ scaled to Y = 1.
_WHITE = (0.95047, 1.0, 1.08883)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` -> (r, g, b) in 0-255; ValueError for anything else."""
    if len(colour) != 7 or colour[0] != "#":
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _f(t: float) -> float:
    delta = 6 / 29
    return t ** (1 / 3) if t > delta**3 else t / (3 * delta**2) + 4 / 29


def rgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in rgb)
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b
    fx, fy, fz = (_f(v / w) for v, w in zip((x, y, z), _WHITE, strict=True))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def delta_e_2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference of two CIELAB colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dlp = l2 - l1
    dcp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dhp_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))

    lp_mean = (l1 + l2) / 2
    cp_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_mean = (h1p + h2p + 360) / 2
    else:
        hp_mean = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_mean - 30))
        + 0.24 * math.cos(math.radians(2 * hp_mean))
        + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
        - 0.20 * math.cos(math.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (lp_mean - 50) ** 2 / math.sqrt(20 + (lp_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dlp / s_l) ** 2
        + (dcp / s_c) ** 2
        + (dhp_big / s_h) ** 2
        + r_t * (dcp / s_c) * (dhp_big / s_h)
    )


def colour_difference(colour1: str, colour2: str) -> float:
    """CIEDE2000 between two ``#rrggbb`` colours."""
    return delta_e_2000(rgb_to_lab(hex_to_rgb(colour1)), rgb_to_lab(hex_to_rgb(colour2)))


@dataclass(frozen=True)
class ColourClash:
    """Two labels whose colours are hard to tell apart."""

    first: str  # label keys
    second: str
    delta_e: float

    def message(self, names: dict[str, str] | None = None) -> str:
        names = names or {}
        return (
            f"{names.get(self.first, self.first)} and {names.get(self.second, self.second)} "
            f"have colours that are hard to tell apart (CIEDE2000 difference "
            f"{self.delta_e:.1f}, below {MIN_DELTA_E:g})."
        )

    def as_dict(self) -> dict:
        return {"labels": [self.first, self.second], "delta_e": round(self.delta_e, 1)}


def colour_clashes(colours: dict[str, str], threshold: float = MIN_DELTA_E) -> list[ColourClash]:
    """Every pair of ``{label key: #rrggbb}`` closer than ``threshold``, closest first."""
    labs = {key: rgb_to_lab(hex_to_rgb(colour.lower())) for key, colour in colours.items()}
    clashes = [
        ColourClash(a, b, delta)
        for a, b in combinations(labs, 2)
        if (delta := delta_e_2000(labs[a], labs[b])) < threshold
    ]
    return sorted(clashes, key=lambda clash: clash.delta_e)
