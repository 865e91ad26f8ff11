"""Image files that JSONL image rows name: found in the zip or folder being imported, checked,
and stored through Django's storage as an image uploaded in the admin is.

Life of an image file in an import (docs/import.md, "Images"):

1. ``sources.py`` reads a ``.jsonl`` of a zip or folder with a :class:`Media` of that zip or
   folder in its options; a ``.jsonl`` read alone has none.
2. The JSONL reader takes a row's ``file`` (or a ``src`` that is no URL) as a path: relative,
   without ``..``; it is looked up next to the ``.jsonl``, then in each folder above it up to
   the zip's or folder's root (our export's ``annotators/<name>/articles.jsonl`` names
   ``media/...`` at the root), and its first bytes are checked (``corpus/images.py``). Every
   problem is a RecordError, so the error names the file and line.
3. The service stores each file once per source (:class:`StoredImages`) while the source is
   open, inserts the image rows naming the stored files, and when the source is done deletes
   every stored file no committed row names: all of them when the source failed, those of
   duplicate articles otherwise.
"""

import functools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO

from django.core.files import File
from django.db.models import FileField

from annotator.corpus.images import HEAD_BYTES, image_problem
from annotator.corpus.models import ArticleImage

from .records import RecordError


@dataclass(frozen=True)
class MediaFile:
    where: str  # "export.zip:media/images/a.png" or the file's path: messages, and its identity
    name: str  # the file's own name, kept in the storage name
    size: int
    open: Callable[[], IO[bytes]]


class Media:
    """The files of the zip or folder a ``.jsonl`` is read from, found from the ``.jsonl``'s
    folder (``base``, relative to the root) up to the root."""

    def __init__(self, label: str, base: PurePosixPath):
        self.label = label  # the zip or folder, for messages
        self.base = base

    def find(self, value: str, key: str) -> MediaFile:
        """The image file a row names as ``key`` (``'file'``/``'src'``), checked."""
        path = relative_path(value, key)
        for folder in (self.base, *self.base.parents):
            if (found := self._lookup(folder / path, value, key)) is not None:
                return _checked(found, value, key)
        raise RecordError(f"{key} {value!r}: no such file in {self.label}")

    def _lookup(self, path: PurePosixPath, value: str, key: str) -> MediaFile | None:
        raise NotImplementedError


class ZipMedia(Media):
    def __init__(self, archive: zipfile.ZipFile, label: str, member: str):
        super().__init__(label, PurePosixPath(member).parent)
        self.archive = archive
        self._members: dict[str, zipfile.ZipInfo] | None = None  # read at the first image

    def _lookup(self, path: PurePosixPath, value: str, key: str) -> MediaFile | None:
        if self._members is None:
            self._members = {i.filename: i for i in self.archive.infolist() if not i.is_dir()}
        info = self._members.get(str(path))
        if info is None:
            return None
        return MediaFile(
            f"{self.label}:{info.filename}",
            path.name,
            info.file_size,
            functools.partial(self.archive.open, info),
        )


class FolderMedia(Media):
    def __init__(self, root: Path, jsonl: Path):
        super().__init__(str(root), PurePosixPath(jsonl.parent.relative_to(root).as_posix()))
        self.root = root

    def _lookup(self, path: PurePosixPath, value: str, key: str) -> MediaFile | None:
        found = self.root / path
        if not found.is_file():
            return None
        if not found.resolve().is_relative_to(self.root.resolve()):  # a link out of the folder
            raise RecordError(f"{key} {value!r} leads out of {self.label}")
        return MediaFile(str(found), found.name, found.stat().st_size, lambda: found.open("rb"))


def relative_path(value: str, key: str) -> PurePosixPath:
    """A path inside the zip or folder: relative, ``/`` between folders, no ``..``."""
    if (
        value.startswith("/")
        or "\\" in value
        or PureWindowsPath(value).drive
        or ".." in PurePosixPath(value).parts
    ):
        raise RecordError(
            f"{key} {value!r} must be a path inside the zip or folder: relative, "
            "with / between folders and no '..'"
        )
    return PurePosixPath(value)


def _checked(file: MediaFile, value: str, key: str) -> MediaFile:
    with file.open() as stream:
        head = stream.read(HEAD_BYTES)
    if problem := image_problem(file.name, head):
        raise RecordError(f"{key} {value!r}: {problem}")
    return file


class StoredImages:
    """The image files one source stores, each once; :meth:`clean_up` deletes those that no
    committed row names."""

    def __init__(self):
        self._names: dict[str, str] = {}  # MediaFile.where -> storage name
        self._kept: set[str] = set()

    def store(self, file: MediaFile) -> None:
        if file.where in self._names:
            return
        field = _file_field()
        with file.open() as stream:
            content = File(stream, name=file.name)
            content.size = file.size  # a zip member's name is no path to take it from
            name = field.storage.save(
                field.generate_filename(None, file.name), content, max_length=field.max_length
            )
        self._names[file.where] = name

    def name(self, file: MediaFile) -> str:
        """The storage name of a stored file, which a row is about to name."""
        name = self._names[file.where]
        self._kept.add(name)
        return name

    def clean_up(self, committed: bool) -> list[str]:
        """Delete the stored files no row names (all when the rows were not ``committed``);
        the names kept."""
        kept = self._kept if committed else set()
        self.delete([name for name in self._names.values() if name not in kept])
        self._names, self._kept = {}, set()
        return sorted(kept)

    @staticmethod
    def delete(names: list[str]) -> None:
        storage = _file_field().storage
        for name in names:
            storage.delete(name)


def _file_field() -> FileField:
    return ArticleImage._meta.get_field("file")
