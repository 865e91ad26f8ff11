from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "annotator.core"
    label = "core"

    def ready(self):
        from annotator.celery import ensure_broker_dirs

        ensure_broker_dirs()
