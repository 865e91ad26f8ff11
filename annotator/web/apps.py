from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "annotator.web"
    label = "web"
