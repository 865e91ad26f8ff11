"""What an import did, per file: the service returns it, the command prints it and the API
serialises it."""

from dataclasses import dataclass, field

# A file with an error stores nothing; past this many errors we stop listing them.
MAX_ERRORS_PER_FILE = 50
# Duplicates are normal on re-import: count them all, name only the first few.
MAX_DUPLICATES_LISTED = 20


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an input file; ``line`` is 1-based (JSONL line, labels file line)."""

    file: str
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportNote:
    """Something a user should know that is not an error (e.g. label files left unread)."""

    file: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.message}"


@dataclass
class FileReport:
    path: str
    format: str
    articles_created: int = 0
    spans_created: int = 0
    images_created: int = 0
    duplicates: int = 0
    duplicate_ids: list[str] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    errors_truncated: bool = False
    # PostgreSQL's per-row foreign-key triggers were skipped, the import checking references
    # itself (see service._lock_references)
    fast_path: bool = False
    notes: list[str] = field(default_factory=list)
    # external id -> the labels files its spans came from (SemEval/PTC articles created)
    label_files: dict[str, list[str]] = field(default_factory=dict)
    # span lines repeating a span of their article: stored once, counted, the first few named
    repeated_spans: int = 0
    repeated_span_lines: list[str] = field(default_factory=list)
    # storage names of the image files the file's committed rows name (imports/media.py); not
    # in as_dict: for a caller whose own transaction rolls back (service.delete_image_files)
    image_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, issue: ImportIssue) -> None:
        if len(self.errors) < MAX_ERRORS_PER_FILE:
            self.errors.append(issue)
        else:
            self.errors_truncated = True

    def add_duplicate(self, external_id: str) -> None:
        self.duplicates += 1
        if len(self.duplicate_ids) < MAX_DUPLICATES_LISTED:
            self.duplicate_ids.append(external_id)

    def add_repeated_spans(self, where: list[str]) -> None:
        self.repeated_spans += len(where)
        room = MAX_DUPLICATES_LISTED - len(self.repeated_span_lines)
        self.repeated_span_lines += where[: max(room, 0)]

    @property
    def label_files_read(self) -> int:
        """How many distinct labels files the articles created took spans from."""
        return len({name for files in self.label_files.values() for name in files})

    def merge_counts(self, other: "FileReport") -> None:
        self.label_files.update(other.label_files)
        self.add_repeated_spans(other.repeated_span_lines)
        self.repeated_spans += other.repeated_spans - len(other.repeated_span_lines)
        self.articles_created += other.articles_created
        self.spans_created += other.spans_created
        self.images_created += other.images_created
        for external_id in other.duplicate_ids:
            self.add_duplicate(external_id)
        self.duplicates += other.duplicates - len(other.duplicate_ids)

    def discard_counts(self) -> None:
        """The file's transaction was rolled back: nothing it counted was stored."""
        self.articles_created = self.spans_created = self.images_created = 0
        self.label_files = {}

    def summary(self) -> str:
        if not self.ok:
            more = " (more not shown)" if self.errors_truncated else ""
            return f"{self.path}: FAILED, nothing stored; {len(self.errors)} error(s){more}"
        dup = ""
        if self.duplicates:
            shown = ", ".join(self.duplicate_ids)
            more = ", ..." if self.duplicates > len(self.duplicate_ids) else ""
            dup = f", {self.duplicates} duplicate(s) skipped ({shown}{more})"
        if self.repeated_spans:
            dup += f", {self.repeated_spans} repeated span line(s) stored once"
        labels = ""
        if self.label_files:
            labels = f" from {self.label_files_read} labels file(s)"
        return (
            f"{self.path}: {self.articles_created} article(s), {self.spans_created} span(s)"
            f"{labels}, {self.images_created} image(s) created{dup}"
        )

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "ok": self.ok,
            "articles_created": self.articles_created,
            "spans_created": self.spans_created,
            "images_created": self.images_created,
            "duplicates": self.duplicates,
            "duplicate_ids": self.duplicate_ids,
            "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in self.errors],
            "errors_truncated": self.errors_truncated,
            "fast_path": self.fast_path,
            "notes": self.notes,
            "label_files": self.label_files,
            "repeated_spans": self.repeated_spans,
            "repeated_span_lines": self.repeated_span_lines,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FileReport":
        """The report ``as_dict`` gave (stored on an import job)."""
        fields = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        errors = [ImportIssue(e["file"], e["line"], e["message"]) for e in data["errors"]]
        return cls(**{**fields, "errors": errors, "duplicate_ids": list(data["duplicate_ids"])})


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    @property
    def articles_created(self) -> int:
        return sum(f.articles_created for f in self.files)

    @property
    def spans_created(self) -> int:
        return sum(f.spans_created for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "articles_created": self.articles_created,
            "spans_created": self.spans_created,
            "duplicates": self.duplicates,
            "files": [f.as_dict() for f in self.files],
        }
