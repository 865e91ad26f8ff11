from django.apps import AppConfig


class SchemasConfig(AppConfig):
    name = "annotator.schemas"
    label = "schemas"
