"""How different two label colours look: CIEDE2000 and colour-vision-deficiency simulation.

Pure functions over ``#rrggbb`` strings, from the published formulas:

- sRGB (IEC 61966-2-1) to CIE L*a*b* under D65;
- CIEDE2000 colour difference (Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula:
  implementation notes, supplementary test data, and mathematical observations", Color Research
  and Application 30(1), 2005), checked against their test data in tests/test_colours.py;
- dichromacy simulation by Machado, Oliveira and Fernandes ("A physiologically-based model for
  simulation of color vision deficiency", IEEE TVCG 15(6), 2009), severity 1.0, applied to
  linear RGB: protanopia, deuteranopia and tritanopia.

The default palette (``keys.PALETTE``) is chosen so that every pair of labels in a preset stays
at least ``MIN_DELTA_E`` apart for normal vision and ``MIN_DELTA_E_CVD`` apart for each
simulated dichromacy, and every colour at least ``MIN_DELTA_E_PAGE`` from the light and the
dark page it is drawn on (as an underline): see docs/ui.md, "Label colours". The tint under a
highlight only says "something is here"; the underline's colour says which label.
"""

from dataclasses import dataclass
from itertools import combinations
from math import atan2, cos, degrees, exp, hypot, radians, sin, sqrt

Lab = tuple[float, float, float]
Rgb = tuple[float, float, float]

# About 2.3 is a just-noticeable difference; categorical palettes aim at 10 or more. Two
# underlines a few pixels thick must be told apart at a glance, beside each other or not.
MIN_DELTA_E = 12.0
# Dichromats lose a whole axis of colour; the best 24-colour sets manage about half the
# normal-vision spread. Above this they are still told apart side by side.
MIN_DELTA_E_CVD = 6.0

# Every colour, as an underline, stands out of the light page and of the dark one.
MIN_DELTA_E_PAGE = 15.0

# The page's backgrounds (frontend/src/app.css: --bg of the light and the dark theme).
BACKGROUNDS = {"light": "#ffffff", "dark": "#17181c"}

# Machado et al. 2009, severity 1.0, rows applied to linear RGB column vectors.
DICHROMACY = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
VISIONS = ("normal", *DICHROMACY)


def parse_hex(colour: str) -> Rgb:
    """``#rrggbb`` to sRGB components in [0, 1]."""
    value = colour.removeprefix("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_to_lab(rgb: Rgb) -> Lab:
    r, g, b = rgb
    # sRGB primaries, D65 white (IEC 61966-2-1).
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def simulate(rgb: Rgb, vision: str) -> Rgb:
    """Linear RGB as seen with ``vision`` (``normal`` or a key of DICHROMACY), clipped."""
    if vision == "normal":
        return rgb

    def channel(row: tuple[float, float, float]) -> float:
        return min(1.0, max(0.0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]))

    red, green, blue = DICHROMACY[vision]
    return (channel(red), channel(green), channel(blue))


def lab_of(colour: str, vision: str = "normal") -> Lab:
    red, green, blue = parse_hex(colour)
    return linear_to_lab(simulate((to_linear(red), to_linear(green), to_linear(blue)), vision))


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """The CIEDE2000 difference (kL = kC = kH = 1) of two L*a*b* colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (hypot(a1, b1) + hypot(a2, b2)) / 2
    g = 0.5 * (1 - sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = hypot(a1p, b1), hypot(a2p, b2)
    h1p = degrees(atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = degrees(atan2(b2, a2p)) % 360 if c2p else 0.0

    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dhh = 2 * sqrt(c1p * c2p) * sin(radians(dh / 2))

    l_mean = (l1 + l2) / 2
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
        - 0.17 * cos(radians(hp_mean - 30))
        + 0.24 * cos(radians(2 * hp_mean))
        + 0.32 * cos(radians(3 * hp_mean + 6))
        - 0.20 * cos(radians(4 * hp_mean - 63))
    )
    d_theta = 30 * exp(-(((hp_mean - 275) / 25) ** 2))
    r_c = 2 * sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -sin(radians(2 * d_theta)) * r_c
    return sqrt(
        (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2 + r_t * (dc / s_c) * (dhh / s_h)
    )


def delta_e(colour1: str, colour2: str, vision: str = "normal") -> float:
    return ciede2000(lab_of(colour1, vision), lab_of(colour2, vision))


@dataclass(frozen=True)
class ColourClash:
    """Two labels of a schema whose colours are hard to tell apart (the editor's warning)."""

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
    labs = {key: lab_of(colour.lower()) for key, colour in colours.items()}
    clashes = [
        ColourClash(a, b, delta)
        for a, b in combinations(labs, 2)
        if (delta := ciede2000(labs[a], labs[b])) < threshold
    ]
    return sorted(clashes, key=lambda clash: clash.delta_e)
