"""Which files an article image may be: the one rule for a file uploaded in the admin and a
file an import brings in (imports/media.py).

An image is served back as ``Content-Type`` guessed from its name (``corpus.api.ImageFile``),
so the name's extension must be one of ours and the bytes must start as that type does: a
file named ``.png`` that holds HTML, or an SVG (which may carry script), is refused.
"""

# extension -> (type name, what the file may start with)
IMAGE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("JPEG", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG", (b"\xff\xd8\xff",)),
    ".gif": ("GIF", (b"GIF87a", b"GIF89a")),
    ".webp": ("WebP", (b"RIFF",)),  # then the size (4 bytes), then b"WEBP": see _matches
}
ACCEPTED = "PNG (.png), JPEG (.jpg, .jpeg), GIF (.gif), WebP (.webp)"
# bytes image_problem needs to see
HEAD_BYTES = 12


def image_problem(name: str, head: bytes) -> str | None:
    """Why a file called ``name`` whose first bytes are ``head`` (at least HEAD_BYTES when the
    file has them) is not an image we accept, or None."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > name.rfind("/") else ""
    if suffix not in IMAGE_TYPES:
        return f"{suffix or 'no extension'!r} is not an image type we accept: {ACCEPTED}"
    kind, signatures = IMAGE_TYPES[suffix]
    if not _matches(suffix, head, signatures):
        return f"the file is not a {kind} image (its first bytes are not those of a {kind} file)"
    return None


def _matches(suffix: str, head: bytes, signatures: tuple[bytes, ...]) -> bool:
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(signatures)
