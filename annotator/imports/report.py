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

    def merge_counts(self, other: "FileReport") -> None:
        self.articles_created += other.articles_created
        self.spans_created += other.spans_created
        self.images_created += other.images_created
        for external_id in other.duplicate_ids:
            self.add_duplicate(external_id)
        self.duplicates += other.duplicates - len(other.duplicate_ids)

    def discard_counts(self) -> None:
        """The file's transaction was rolled back: nothing it counted was stored."""
        self.articles_created = self.spans_created = self.images_created = 0

    def summary(self) -> str:
        if not self.ok:
            more = " (more not shown)" if self.errors_truncated else ""
            return f"{self.path}: FAILED, nothing stored; {len(self.errors)} error(s){more}"
        dup = ""
        if self.duplicates:
            shown = ", ".join(self.duplicate_ids)
            more = ", ..." if self.duplicates > len(self.duplicate_ids) else ""
            dup = f", {self.duplicates} duplicate(s) skipped ({shown}{more})"
        return (
            f"{self.path}: {self.articles_created} article(s), {self.spans_created} span(s), "
            f"{self.images_created} image(s) created{dup}"
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
