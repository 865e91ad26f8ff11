"""Getting articles (and their spans) into a project: one small module per source format, one
service (``service.py``) that the command, the API and tasks all call.

``import_paths(project, paths, annotator=None, utf16_offsets=False, si_label=None)`` and
``import_upload(project, name, stream, ...)`` return an :class:`~.report.ImportReport`.
Uploads through the API are background jobs (``uploads.py``, ``models.ImportJob``) whose worker
calls ``import_upload`` on each file.
"""
