"""Label colours: the CIEDE2000 and dichromacy code against published data, and every preset's
default colours told apart by everyone, on the light and the dark page."""

import re
from itertools import combinations
from pathlib import Path

import pytest
from django.conf import settings

from annotator.corpus.demo import SCHEMA_PRESETS
from annotator.schemas.colours import (
    BACKGROUNDS,
    MIN_DELTA_E,
    MIN_DELTA_E_CVD,
    MIN_DELTA_E_PAGE,
    VISIONS,
    ciede2000,
    colour_clashes,
    delta_e,
    lab_of,
    simulate,
)
from annotator.schemas.presets import preset_names
from annotator.schemas.services import load_schema

# Sharma, Wu and Dalal (2005), table 1: L*a*b* pairs and their CIEDE2000 difference.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0009), 7.1792),
    ((50.0, -0.0010, 2.4900), (50.0, 0.0009, -2.4900), 4.8045),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_srgb_to_lab_and_dichromacy():
    assert lab_of("#ffffff") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert lab_of("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.02)
    # Greys look the same to everyone (each matrix row sums to 1).
    for vision in VISIONS:
        assert simulate((0.5, 0.5, 0.5), vision) == pytest.approx((0.5, 0.5, 0.5), abs=1e-3)
    # Red and green, far apart for normal vision, nearly merge for the red-green dichromacies.
    assert delta_e("#d62728", "#2ca02c") > 60
    assert delta_e("#d62728", "#2ca02c", "deuteranopia") < 25
    assert delta_e("#d62728", "#2ca02c", "protanopia") < 25


def test_the_pairs_the_issue_found_are_too_close():
    """#14: the old default colours of Loaded framing and Loaded Language."""
    assert delta_e("#76b7b2", "#86bcb6") < MIN_DELTA_E


def preset_colours(sources: list[str]) -> dict[str, str]:
    """The colours labels get when the presets are loaded into a new schema."""
    schema = load_schema(sources, name=" + ".join(sources))
    return dict(schema.labels.values_list("key", "color"))


SCHEMAS = [[name] for name in preset_names()] + [SCHEMA_PRESETS]


@pytest.mark.django_db
@pytest.mark.parametrize("sources", SCHEMAS, ids=["+".join(s) for s in SCHEMAS])
def test_every_pair_of_a_presets_labels_is_told_apart(sources):
    colours = preset_colours(sources)
    assert len(set(colours.values())) == len(colours), "two labels share a colour"
    too_close = []
    for vision in VISIONS:
        limit = MIN_DELTA_E if vision == "normal" else MIN_DELTA_E_CVD
        for (key1, c1), (key2, c2) in combinations(sorted(colours.items()), 2):
            if (d := delta_e(c1, c2, vision)) < limit:
                too_close.append(f"{vision}: {key1} {c1} vs {key2} {c2}: {d:.1f} < {limit}")
    assert too_close == []


@pytest.mark.django_db
@pytest.mark.parametrize("theme", sorted(BACKGROUNDS))
@pytest.mark.parametrize("sources", SCHEMAS, ids=["+".join(s) for s in SCHEMAS])
def test_every_label_colour_stands_out_of_the_page(sources, theme):
    page = BACKGROUNDS[theme]
    faint = [
        f"{vision}: {key} {colour}"
        for key, colour in preset_colours(sources).items()
        for vision in VISIONS
        if delta_e(colour, page, vision) < MIN_DELTA_E_PAGE
    ]
    assert faint == []


def test_the_pages_are_the_backgrounds_the_colours_were_checked_on():
    css = (Path(settings.BASE_DIR) / "frontend" / "src" / "app.css").read_text()
    backgrounds = re.findall(r"--bg:\s*(#[0-9a-fA-F]{6})", css)
    assert sorted(c.lower() for c in backgrounds) == sorted(BACKGROUNDS.values())


def test_the_editor_lists_close_pairs_closest_first():
    clashes = colour_clashes({"a": "#76b7b2", "b": "#86bcb6", "c": "#000000", "d": "#010101"})
    assert [(c.first, c.second) for c in clashes] == [("c", "d"), ("a", "b")]
    assert "hard to tell apart" in clashes[0].message({"c": "Black"})
    assert colour_clashes({"a": "#000000", "b": "#ffffff"}) == []
