"""The span API's orjson renderer writes the bytes of DRF's JSONRenderer (annotator.core.renderers).

drf-orjson-renderer was weighed for it and not taken: it leaves U+2028/U+2029 unescaped (DRF
escapes them, and the list of a layer must stay one line for every reader) and ignores the
``indent`` of an Accept header.
"""

from rest_framework.renderers import JSONRenderer

from annotator.core.renderers import PlainJSONRenderer


def payload(text: str) -> list[dict]:
    return [
        {"id": 1, "text": text, "note": "</script>\u2028\u2029", "annotator": None, "ok": True},
        {"id": 2, "client_id": "5f0c1d9e-0000-4000-8000-000000000000", "spans": [], "n": -3},
    ]


def test_the_bytes_are_drfs(unicode_sample):
    data = payload(unicode_sample)
    assert PlainJSONRenderer().render(data) == JSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert PlainJSONRenderer().render(data, indented) == JSONRenderer().render(data, indented)
    assert PlainJSONRenderer().render(None) == JSONRenderer().render(None) == b""


def test_next_line_is_escaped_too():
    """U+0085, a line break for str.splitlines(), is escaped as well (DRF leaves it)."""
    data = payload("a\u0085b")
    drf = JSONRenderer().render(data)
    assert PlainJSONRenderer().render(data) == drf.replace("\u0085".encode(), b"\\u0085")
