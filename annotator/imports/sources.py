"""Which format a path or upload is, and how to read it: each source is one transaction.

A ``.jsonl`` file, a ``.txt`` file (with its labels files next to it if it is
``article<ID>.txt``) and a ``.zip`` are one source each. A folder gives one source per ``.jsonl``
and ``.zip`` file in it, plus one for all its article and labels files together. A ``.jsonl``
of a zip or folder is read with that zip or folder as its ``media`` (the pictures its image
rows name: media.py); one read alone has none.
"""

import dataclasses
import functools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from . import brat, conll, jsonl, label_studio, ptc_names, semeval
from .media import FolderMedia, ZipMedia
from .records import ImportOptions, RecordError
from .report import ImportIssue

SUPPORTED = (
    ".jsonl / .ndjson, .txt, .json (Label Studio), .conll / .bio / .iob (CoNLL BIO), "
    ".ann with its .txt (brat), .zip or a folder of them"
)
# a file a stream reader takes on its own: suffix -> (format, reader(stream, name, options))
STREAMED = {
    **{suffix: ("jsonl", jsonl.read_jsonl) for suffix in jsonl.EXTENSIONS},
    **{
        suffix: ("label-studio", label_studio.read_label_studio)
        for suffix in label_studio.EXTENSIONS
    },
    **{suffix: ("conll", conll.read_conll) for suffix in conll.EXTENSIONS},
}


def is_side_file(path: PurePosixPath, paths: set[PurePosixPath]) -> bool:
    """A file of our exports that holds no articles, skipped in folders and zips: the manifest,
    and a CoNLL export's ``sentences.jsonl`` (the ``tokens.conll`` beside it has them)."""
    return path.name == "manifest.json" or (
        path.name == "sentences.jsonl" and path.with_name("tokens.conll") in paths
    )


@dataclass
class Source:
    name: str
    format: str
    # options -> ArticleRecord and ImportIssue objects, streamed
    read: Callable[[ImportOptions], Iterator]


def sources_for_path(path: Path) -> list[Source]:
    if path.is_dir():
        return _folder_sources(path)
    if not path.is_file():
        return [_failed(str(path), "no such file or folder")]
    return [_file_source(path)]


def source_for_upload(name: str, stream) -> Source:
    """An uploaded file (any binary file object; a zip must be seekable)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in STREAMED:
        fmt, reader = STREAMED[suffix]
        return Source(name, fmt, lambda options: reader(stream, name, options))
    if suffix == brat.ANN:
        return _failed(name, "a brat .ann file needs its .txt: upload both in a .zip")
    if suffix == ".txt":
        if (size := getattr(stream, "size", None)) and size > settings.API_MAX_ARTICLE_BYTES:
            return _failed(name, _too_large(size))
        member = semeval.Member(name, PurePosixPath(name).name, stream.read)
        return Source(name, "text", lambda options: semeval.read_articles([member], options))
    if suffix == ".zip":
        return Source(name, "zip", lambda options: _read_zip(stream, name, options))
    return _failed(name, f"unsupported file type {suffix or '(none)'!r}: expected {SUPPORTED}")


def _file_source(path: Path, folder: Path | None = None) -> Source:
    """``folder``: the folder imported, which holds the image files a .jsonl names."""
    name, suffix = str(path), path.suffix.lower()
    if suffix in STREAMED:
        fmt, reader = STREAMED[suffix]
        return Source(name, fmt, lambda options: _read_file(path, reader, options, folder))
    if suffix == ".zip":
        return Source(name, "zip", lambda options: _read_zip(path, name, options))
    if suffix == brat.ANN or (suffix == ".txt" and path.with_suffix(brat.ANN).is_file()):
        pair = [_file_member(p) for p in (path.with_suffix(".txt"), path.with_suffix(brat.ANN))]
        return Source(name, "brat", lambda options: brat.read_brat(pair, options))
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
    relative = {p: PurePosixPath(p.relative_to(folder).as_posix()) for p in files}
    paths = set(relative.values())
    sources = [
        _file_source(p, folder)
        for p in files
        if p.suffix.lower() == ".zip"
        or (p.suffix.lower() in STREAMED and not is_side_file(relative[p], paths))
    ]
    if any(p.suffix.lower() == brat.ANN for p in files):  # a brat corpus: .txt + .ann pairs
        pairs = [_file_member(p) for p in files if brat.is_brat_member(p.name)]
        sources.append(Source(str(folder), "brat", lambda options: brat.read_brat(pairs, options)))
    elif members := [_file_member(p) for p in files if semeval.is_semeval_member(p.name)]:
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


def _read_file(path: Path, reader, options: ImportOptions, folder: Path | None) -> Iterator:
    if folder is not None:
        options = dataclasses.replace(options, media=FolderMedia(folder, path))
    with path.open("rb") as stream:
        yield from reader(stream, str(path), options)


def _read_zip(file, name: str, options: ImportOptions) -> Iterator:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        yield ImportIssue(name, None, f"not a readable zip file ({exc})")
        return
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        if problem := zip_problem(files):
            yield ImportIssue(name, None, problem)
            return
        infos = [info for info in files if not _hidden(info.filename)]
        paths = {PurePosixPath(info.filename) for info in infos}
        for info in infos:
            path = PurePosixPath(info.filename)
            if path.suffix.lower() in STREAMED and not is_side_file(path, paths):
                media = ZipMedia(archive, name, info.filename)
                with archive.open(info) as stream:
                    yield from STREAMED[path.suffix.lower()][1](
                        stream, f"{name}:{info.filename}", dataclasses.replace(options, media=media)
                    )
        names = [PurePosixPath(info.filename).name for info in infos]
        is_brat = any(n.lower().endswith(brat.ANN) for n in names)
        wanted = brat.is_brat_member if is_brat else semeval.is_semeval_member
        members = [
            semeval.Member(
                f"{name}:{info.filename}",
                basename,
                functools.partial(_read_member, archive, info, f"{name}:{info.filename}"),
            )
            for info, basename in zip(infos, names, strict=True)
            if wanted(basename)
        ]
        yield from (brat.read_brat if is_brat else semeval.read_articles)(members, options)


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
