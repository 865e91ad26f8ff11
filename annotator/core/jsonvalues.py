"""Checks on JSON values that come from outside (request bodies, imported metadata), before
anything stores them: every string storable, and nesting no deeper than a limit (deep values
break Python's recursive readers and writers later, far from where they came in)."""

import re
from typing import Any

# NUL cannot be stored in PostgreSQL text or jsonb; an unpaired surrogate (which JSON's \u
# escapes allow) is not Unicode text at all and cannot be encoded as UTF-8.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnsafeJSON(ValueError):
    """A value that must not be stored; the message names where it is."""


def check_json(value: Any, *, max_depth: int, root: str = "") -> None:
    """Raise UnsafeJSON naming the first place (``root.key[3]``) that nests deeper than
    ``max_depth`` or holds a string that cannot be stored. Iterative: any depth is safe here."""
    where = root or "the body"
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                raise UnsafeJSON(
                    f"{path or where}: contains a NUL character or an unpaired surrogate "
                    "(\\u0000, \\ud800-\\udfff), which cannot be stored."
                )
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= max_depth:
            raise UnsafeJSON(f"{path or where}: nested more than {max_depth} levels deep.")
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and UNSTORABLE.search(key):
                    raise UnsafeJSON(
                        f"{path or where}: the key {key!r} contains a NUL character or an "
                        "unpaired surrogate, which cannot be stored."
                    )
                stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
        else:
            for index, child in enumerate(item):
                stack.append((child, f"{path}[{index}]", depth + 1))
