"""Reading numbers from query parameters and headers.

``str.isdigit()`` is true for '²' and '٣', which ``int()`` refuses or reads as another number;
request values are numbers only when they are ASCII digits, and ids only when a database
integer column can hold them.
"""

MAX_ID = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER


def is_ascii_int(value: str) -> bool:
    return value.isascii() and value.isdigit()


def parse_id(value: str) -> int | None:
    """``value`` as a database id, or None when it is not one."""
    if not is_ascii_int(value) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_ID else None
