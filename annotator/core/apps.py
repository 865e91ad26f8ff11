from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "annotator.core"
    label = "core"

    def ready(self):
        from django.urls import register_converter

        from annotator.celery import ensure_broker_dirs
        from annotator.core.converters import IdConverter

        ensure_broker_dirs()
        register_converter(IdConverter, "id")  # <id:pk> in every app's urls.py
