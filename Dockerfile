# The image behind docker-compose.yml's `web`, `worker` and `migrate` services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ANNOTATOR_VAR_DIR=/app/var \
    ANNOTATOR_MEDIA_ROOT=/data/media

RUN useradd --create-home --uid 1000 --user-group app
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY annotator/__init__.py annotator/__init__.py
RUN pip install '.[s3]' && pip uninstall --yes propaganda-annotator

COPY manage.py gunicorn.conf.py ./
COPY annotator ./annotator
COPY frontend ./frontend
COPY fixtures ./fixtures
COPY scripts ./scripts
# docs/formats.md and docs/exports.md are shown in the app (/help/, linked from Datasets)
COPY docs ./docs
# Editable: the code runs from /app, where settings find frontend/ and fixtures/.
RUN pip install --no-deps -e . \
    && python manage.py collectstatic --noinput \
    && mkdir -p /data/media \
    && chown -R app:app /app/var /data/media

USER app
EXPOSE 8000
# A named volume mounted here starts with this folder's owner, so the app user can write to it.
VOLUME ["/data/media"]

CMD ["gunicorn", "annotator.wsgi:application", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
