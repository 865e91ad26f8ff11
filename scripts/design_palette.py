#!/usr/bin/env python3
"""Search for the default label palette (annotator/schemas/keys.py: PALETTE).

Maximises the smallest CIEDE2000 difference between any two colours of the palette, for
normal vision and for simulated protanopia, deuteranopia and tritanopia (each scaled by its
threshold in annotator/schemas/colours.py), over sRGB colours of middle lightness that stand
out of the light page and of the dark one (MIN_DELTA_E_PAGE, in every vision).
Then orders the palette so that every prefix is as spread as it can be (small presets take the
first colours). Prints the palette and its worst pairs; deterministic for a given --seed.

Usage: .venv/bin/python scripts/design_palette.py [--size 24] [--seed 1] [--rounds 6]
"""

import argparse
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from annotator.schemas.colours import (  # noqa: E402
    BACKGROUNDS,
    DICHROMACY,
    MIN_DELTA_E,
    MIN_DELTA_E_CVD,
    MIN_DELTA_E_PAGE,
    VISIONS,
    lab_of,
)

L_RANGE = (42.0, 78.0)  # L* of a label colour: see the module docstring
CHROMA_MIN = 25.0  # greys read as "no label"


def linear(srgb):
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(lin):
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def ciede2000(a, b):
    """Vectorised CIEDE2000 between rows of a and b (broadcasting)."""
    l1, a1, b1 = a[..., 0], a[..., 1], a[..., 2]
    l2, a2, b2 = b[..., 0], b[..., 1], b[..., 2]
    cm = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cm**7 / (cm**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lm, cpm = (l1 + l2) / 2, (c1p + c2p) / 2
    hs = h1p + h2p
    hpm = np.where(
        np.abs(h1p - h2p) <= 180, hs / 2, np.where(hs < 360, (hs + 360) / 2, (hs - 360) / 2)
    )
    hpm = np.where(c1p * c2p == 0, hs, hpm)
    t = (
        1
        - 0.17 * np.cos(np.radians(hpm - 30))
        + 0.24 * np.cos(np.radians(2 * hpm))
        + 0.32 * np.cos(np.radians(3 * hpm + 6))
        - 0.20 * np.cos(np.radians(4 * hpm - 63))
    )
    dtheta = 30 * np.exp(-(((hpm - 275) / 25) ** 2))
    rc = 2 * np.sqrt(cpm**7 / (cpm**7 + 25**7))
    sl = 1 + 0.015 * (lm - 50) ** 2 / np.sqrt(20 + (lm - 50) ** 2)
    sc, sh = 1 + 0.045 * cpm, 1 + 0.015 * cpm * t
    rt = -np.sin(np.radians(2 * dtheta)) * rc
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def candidates(step: int):
    levels = np.arange(0, 256, step)
    grid = np.array(np.meshgrid(levels, levels, levels, indexing="ij")).reshape(3, -1).T
    lin = linear(grid / 255)
    labs = {"normal": lab(lin)}
    for name, matrix in DICHROMACY.items():
        labs[name] = lab(np.clip(lin @ np.array(matrix).T, 0, 1))
    normal = labs["normal"]
    keep = (normal[:, 0] >= L_RANGE[0]) & (normal[:, 0] <= L_RANGE[1])
    keep &= np.hypot(normal[:, 1], normal[:, 2]) >= CHROMA_MIN
    for vision in VISIONS:  # every colour stands out of both pages
        for page in BACKGROUNDS.values():
            background = np.array(lab_of(page, vision))
            keep &= ciede2000(labs[vision], background[None, :]) >= MIN_DELTA_E_PAGE
    return grid[keep], {v: labs[v][keep] for v in VISIONS}


def scaled_distance(labs, i, others):
    """min over visions of ΔE / threshold between candidate(s) i and the candidates others."""
    worst = None
    for vision in VISIONS:
        limit = MIN_DELTA_E if vision == "normal" else MIN_DELTA_E_CVD
        d = ciede2000(labs[vision][i][..., None, :], labs[vision][others][None, ...]) / limit
        worst = d if worst is None else np.minimum(worst, d)
    return worst


def score(labs, chosen):
    idx = np.array(chosen)
    d = scaled_distance(labs, idx, idx)
    d[np.arange(len(idx)), np.arange(len(idx))] = np.inf
    return d.min()


def search(size: int, seed: int, rounds: int, step: int):
    grid, labs = candidates(step)
    rng = random.Random(seed)
    everyone = np.arange(len(grid))
    chosen = [rng.randrange(len(grid))]
    while len(chosen) < size:  # farthest-first start
        d = scaled_distance(labs, everyone, np.array(chosen)).min(axis=1)
        chosen.append(int(d.argmax()))
    for _ in range(rounds):  # replace each colour by the candidate farthest from the others
        improved = False
        for k in range(size):
            others = np.array(chosen[:k] + chosen[k + 1 :])
            d = scaled_distance(labs, everyone, others).min(axis=1)
            own = d[chosen[k]]
            best = int(d.argmax())
            if d[best] > own + 1e-9:
                chosen[k] = best
                improved = True
        if not improved:
            break
    # Order: farthest-first from the pair that is farthest apart, so prefixes stay spread.
    idx = np.array(chosen)
    d = scaled_distance(labs, idx, idx)
    first = int(np.unravel_index(d.argmax(), d.shape)[0])
    order = [first]
    while len(order) < size:
        rest = [i for i in range(size) if i not in order]
        gaps = d[np.array(rest)][:, np.array(order)].min(axis=1)
        order.append(rest[int(gaps.argmax())])
    palette = ["#" + "".join(f"{int(v):02x}" for v in grid[chosen[i]]) for i in order]
    return palette, score(labs, [chosen[i] for i in order])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--step", type=int, default=15, help="sRGB grid step (0-255)")
    args = parser.parse_args()
    palette, worst = search(args.size, args.seed, args.rounds, args.step)
    print("PALETTE = (")
    for colour in palette:
        print(f'    "{colour}",')
    print(")")
    print(f"worst pair, in units of its threshold: {worst:.3f}")


if __name__ == "__main__":
    main()
