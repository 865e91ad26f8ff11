"""CIEDE2000 against the published test data, and the colour check of the built-in presets."""

import pytest

from annotator.schemas.colours import (
    MIN_DELTA_E,
    colour_clashes,
    colour_difference,
    delta_e_2000,
    hex_to_rgb,
)
from annotator.schemas.keys import PALETTE
from annotator.schemas.presets import get_preset, preset_names

# Sharma, Wu and Dalal (2005), table 1: pairs 1, 2, 3, 7, 17, 18, 25, 34.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert delta_e_2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_same_colour_is_no_difference_and_black_white_is_far():
    assert colour_difference("#4e79a7", "#4E79A7") == 0
    assert colour_difference("#000000", "#ffffff") == pytest.approx(100, abs=0.01)


@pytest.mark.parametrize("bad", ["blue", "#12345", "123456", "#12345g"])
def test_only_hex_colours(bad):
    with pytest.raises(ValueError):
        hex_to_rgb(bad)


def test_clashes_list_close_pairs_closest_first():
    clashes = colour_clashes({"a": "#76b7b2", "b": "#86bcb6", "c": "#000000", "d": "#010101"})
    assert [(c.first, c.second) for c in clashes] == [("c", "d"), ("a", "b")]
    assert "hard to tell apart" in clashes[0].message({"c": "Black"})


def test_the_palette_keeps_every_pair_apart():
    assert len(PALETTE) == len(set(PALETTE)) >= 27
    assert colour_clashes({c: c for c in PALETTE}) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "presets", [[name] for name in preset_names()] + [["manipulation", "semeval2020"],
                                                      ["semeval2023", "manipulation"]]
)  # fmt: skip
def test_built_in_presets_pass_the_colour_check(presets):
    from annotator.schemas.editing import schema_clashes, schema_from_presets

    assert all(get_preset(name) for name in presets)
    schema = schema_from_presets(presets, name="check")
    assert schema_clashes(schema) == [], f"close colours in {presets} (< {MIN_DELTA_E})"
