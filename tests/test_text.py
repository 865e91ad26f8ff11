import hashlib

import pytest

from annotator.core.text import (
    NewlineMap,
    TextDecodeError,
    decode_utf8,
    normalize_newlines,
    text_checksum,
)


def inside_crlf(raw: str, offset: int) -> bool:
    """An offset between the CR and the LF of a pair: no position of the normalised text."""
    return 0 < offset < len(raw) and raw[offset - 1 : offset + 1] == "\r\n"


def assert_maps_every_range(raw: str):
    """Every raw range [a, b) (ends not inside a CRLF pair) maps onto the same normalised text."""
    mapping = NewlineMap(raw)
    offsets = [i for i in range(len(raw) + 1) if not inside_crlf(raw, i)]
    for a in offsets:
        for b in offsets:
            if a <= b:
                expected = normalize_newlines(raw[a:b])
                got = mapping.text[mapping.offset(a) : mapping.offset(b)]
                assert got == expected, (raw, a, b)
    assert mapping.offset(len(raw)) == len(mapping.text)


def test_text_without_cr_is_left_alone():
    raw = "one\ntwo 🔥"
    mapping = NewlineMap(raw)
    assert mapping.text is raw
    assert not mapping.changed
    assert [mapping.offset(i) for i in range(len(raw) + 1)] == list(range(len(raw) + 1))


def test_crlf_becomes_lf_and_offsets_move_left():
    raw = "ab\r\ncd\r\nef"
    mapping = NewlineMap(raw)
    assert mapping.text == "ab\ncd\nef"
    assert mapping.changed
    # "cd" is raw [4, 6) and normalised [3, 5); "ef" raw [8, 10) -> [6, 8).
    assert (mapping.offset(4), mapping.offset(6)) == (3, 5)
    assert (mapping.offset(8), mapping.offset(10)) == (6, 8)
    assert_maps_every_range(raw)


def test_offsets_at_and_inside_a_crlf_pair():
    raw = "ab\r\ncd"
    mapping = NewlineMap(raw)
    # At the CR: the newline's position. Inside the pair (after the CR): the same newline, so a
    # span ending there ends before the line break and one starting there includes it.
    assert mapping.offset(2) == 2
    assert mapping.offset(3) == 2
    assert mapping.text[mapping.offset(3)] == "\n"
    assert mapping.offset(4) == 3


def test_lone_cr_becomes_lf_in_place():
    raw = "ab\rcd\r"
    mapping = NewlineMap(raw)
    assert mapping.text == "ab\ncd\n"
    assert [mapping.offset(i) for i in range(len(raw) + 1)] == list(range(len(raw) + 1))
    assert_maps_every_range(raw)


@pytest.mark.parametrize(
    "raw",
    ["a\r\nb\rc\nd\r\n", "\r\r\n\n\r", "\r\n", "x\r\n\r\ny", "é\r\n👨‍👩‍👧\r«ok»\n\u00a0\r\n"],
)
def test_mixed_newlines_map_every_range(raw):
    mapping = NewlineMap(raw)
    assert "\r" not in mapping.text
    assert mapping.text == raw.replace("\r\n", "\n").replace("\r", "\n")
    assert_maps_every_range(raw)


def test_unicode_sample_with_crlf_maps_back_to_the_lf_text(unicode_sample):
    raw = unicode_sample.replace("\n", "\r\n")
    mapping = NewlineMap(raw)
    assert mapping.text == unicode_sample
    for phrase in ("🔥", "👨‍👩‍👧 families", "e\u0300vil", "عادلة\u00a0تماما", "שקרנים", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"):
        start = raw.index(phrase)
        end = start + len(phrase)
        assert mapping.text[mapping.offset(start) : mapping.offset(end)] == phrase


def test_decode_strips_a_bom_and_keeps_everything_else(unicode_sample):
    data = b"\xef\xbb\xbf" + unicode_sample.encode("utf-8")
    assert decode_utf8(data) == unicode_sample
    assert decode_utf8(unicode_sample.encode("utf-8")) == unicode_sample
    assert decode_utf8(b"") == ""


def test_decode_names_the_line_and_byte_of_invalid_utf8():
    data = "first line\nsecond 🔥\n".encode() + b"third \xff\xfe bad\n"
    with pytest.raises(TextDecodeError) as excinfo:
        decode_utf8(data)
    message = str(excinfo.value)
    bad_byte = data.index(b"\xff")
    assert "line 3" in message
    assert f"byte {bad_byte}" in message
    assert "\\xff" in message


def test_decode_refuses_a_truncated_sequence_on_the_first_line():
    with pytest.raises(TextDecodeError, match=r"line 1, byte 3"):
        decode_utf8("abc🔥".encode()[:-1])


def test_decode_refuses_latin1():
    with pytest.raises(TextDecodeError, match="line 2"):
        decode_utf8("ok\nCafé".encode("latin-1"))


def test_checksum_is_sha256_of_utf8(unicode_sample):
    assert text_checksum(unicode_sample) == hashlib.sha256(unicode_sample.encode()).hexdigest()
    assert text_checksum("a\u00a0b") != text_checksum("a b")
