from django.apps import AppConfig


class CorpusConfig(AppConfig):
    name = "annotator.corpus"
    label = "corpus"
