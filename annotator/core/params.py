"""Reading numbers from query parameters and headers.

``str.isdigit()`` is true for '²' and '٣', which ``int()`` refuses or reads as another number;
request values are numbers only when they are ASCII digits.
"""


def is_ascii_int(value: str) -> bool:
    return value.isascii() and value.isdigit()
