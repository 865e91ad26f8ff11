"""Article import: one small module per format, one service (``service.py``) for everyone.

``import_paths(project, paths, annotator=None, utf16_offsets=False, si_label=None)`` and
``import_upload(project, name, stream, ...)`` return an :class:`ImportReport`.
"""

from .report import FileReport, ImportIssue, ImportReport
from .service import ImportSetupError, ensure_annotator, import_paths, import_upload

__all__ = [
    "FileReport",
    "ImportIssue",
    "ImportReport",
    "ImportSetupError",
    "ensure_annotator",
    "import_paths",
    "import_upload",
]
