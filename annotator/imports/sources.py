"""Which format a path or upload is, and how to read it: each source is one transaction.

A ``.jsonl`` file, a ``.txt`` file (with its labels files next to it if it is
``article<ID>.txt``) and a ``.zip`` are one source each. A folder gives one source per ``.jsonl``
and ``.zip`` file in it, plus one for all its article and labels files together.
"""

import functools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from . import jsonl, ptc_names, semeval
from .records import ImportOptions, RecordError
from .report import ImportIssue

SUPPORTED = ".jsonl / .ndjson, .txt, .zip or a folder of them"


@dataclass
class Source:
    name: str
    format: str
    # options -> ArticleRecord and ImportIssue objects, streamed
    read: Callable[[ImportOptions], Iterator]


def sources_for_path(path: Path) -> list[Source]:
    name = str(path)
    if path.is_dir():
        return _folder_sources(path)
    if not path.is_file():
        return [_failed(name, "no such file or folder")]
    return [_file_source(path)]


def source_for_upload(name: str, stream) -> Source:
    """An uploaded file (any binary file object; a zip must be seekable)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in jsonl.EXTENSIONS:
        return Source(name, "jsonl", lambda options: jsonl.read_jsonl(stream, name, options))
    if suffix == ".txt":
        if (size := getattr(stream, "size", None)) and size > settings.API_MAX_ARTICLE_BYTES:
            return _failed(name, _too_large(size))
        member = semeval.Member(name, PurePosixPath(name).name, stream.read)
        return Source(name, "text", lambda options: semeval.read_articles([member], options))
    if suffix == ".zip":
        return Source(name, "zip", lambda options: _read_zip(stream, name, options))
    return _failed(name, f"unsupported file type {suffix or '(none)'!r}: expected {SUPPORTED}")


def _file_source(path: Path) -> Source:
    name, suffix = str(path), path.suffix.lower()
    if suffix in jsonl.EXTENSIONS:
        return Source(name, "jsonl", lambda options: _read_jsonl_file(path, options))
    if suffix == ".zip":
        return Source(name, "zip", lambda options: _read_zip(path, name, options))
    if suffix == ".txt":
        members = [_file_member(path)]
        if (ident := ptc_names.article_id(path.name)) is not None:
            members += [
                _file_member(p)
                for p in sorted(path.parent.glob(f"article{ident}.*"))
                if (found := ptc_names.labels_name(p.name)) and found.article_id == ident
            ]
        return Source(name, "text", lambda options: semeval.read_articles(members, options))
    return _failed(name, f"unsupported file type {suffix or '(none)'!r}: expected {SUPPORTED}")


def _folder_sources(folder: Path) -> list[Source]:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    sources = [_file_source(p) for p in files if p.suffix.lower() in (*jsonl.EXTENSIONS, ".zip")]
    members = [_file_member(p) for p in files if semeval.is_semeval_member(p.name)]
    if members:
        sources.append(
            Source(str(folder), "semeval", lambda options: semeval.read_articles(members, options))
        )
    return sources or [_failed(str(folder), f"nothing to import: expected {SUPPORTED}")]


def _too_large(size: int) -> str:
    return f"{size} bytes: an article or labels file may have {settings.API_MAX_ARTICLE_BYTES}"


def _file_member(path: Path) -> semeval.Member:
    def read() -> bytes:
        if (size := path.stat().st_size) > settings.API_MAX_ARTICLE_BYTES:
            raise RecordError(_too_large(size), file=str(path))
        return path.read_bytes()

    return semeval.Member(str(path), path.name, read)


def zip_problem(infos: list[zipfile.ZipInfo]) -> str | None:
    """Why the zip must not be opened further (a zip bomb, or just too much), from its
    directory alone; zipfile never yields more bytes than a member declares."""
    if len(infos) > settings.IMPORT_MAX_ZIP_MEMBERS:
        return f"{len(infos)} files: at most {settings.IMPORT_MAX_ZIP_MEMBERS} are imported"
    total = sum(info.file_size for info in infos)
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        return (
            f"it expands to {total} bytes: at most {settings.IMPORT_MAX_UNCOMPRESSED_BYTES} "
            "are imported"
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for info in infos:
        # Small members may compress far (a run of blank lines); only sizes that matter count.
        if info.file_size > (1 << 20) and info.file_size > ratio * max(info.compress_size, 1):
            return (
                f"{info.filename} expands {info.file_size // max(info.compress_size, 1)} times "
                f"(at most {ratio}): refused as a zip bomb"
            )
    return None


def _read_jsonl_file(path: Path, options: ImportOptions) -> Iterator:
    with path.open("rb") as lines:
        yield from jsonl.read_jsonl(lines, str(path), options)


def _read_zip(file, name: str, options: ImportOptions) -> Iterator:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        yield ImportIssue(name, None, f"not a readable zip file ({exc})")
        return
    with archive:
        if problem := zip_problem([i for i in archive.infolist() if not i.is_dir()]):
            yield ImportIssue(name, None, problem)
            return
        infos = [
            info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)
        ]
        for info in infos:
            if PurePosixPath(info.filename).suffix.lower() in jsonl.EXTENSIONS:
                with archive.open(info) as lines:
                    yield from jsonl.read_jsonl(lines, f"{name}:{info.filename}", options)
        members = [
            semeval.Member(
                f"{name}:{info.filename}",
                PurePosixPath(info.filename).name,
                functools.partial(_read_member, archive, info, f"{name}:{info.filename}"),
            )
            for info in infos
            if semeval.is_semeval_member(PurePosixPath(info.filename).name)
        ]
        yield from semeval.read_articles(members, options)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    if info.file_size > settings.API_MAX_ARTICLE_BYTES:
        raise RecordError(_too_large(info.file_size), file=where)
    return archive.read(info)


def _hidden(member_name: str) -> bool:
    # macOS zips carry __MACOSX/ and ._NAME resource forks next to the real files
    return any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(member_name).parts)


def _failed(name: str, message: str) -> Source:
    def read(options):
        yield ImportIssue(name, None, message)

    return Source(name, "unknown", read)
