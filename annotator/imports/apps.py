from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "annotator.imports"
    label = "imports"
    verbose_name = "Imports"
