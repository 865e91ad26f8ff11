"""Path converters. ``<id:pk>``: a database id, ASCII digits up to what a bigint holds; a
longer number is no id at all (404), not an overflow in the database driver (500)."""

from annotator.core.params import MAX_ID


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # the pattern does not match: the resolver answers 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)
