from django.apps import AppConfig


class RecommendersConfig(AppConfig):
    name = "annotator.recommenders"
    label = "recommenders"
