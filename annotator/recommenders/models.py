"""Recommenders, their trained models (background jobs), cached predictions and rejections.

A ``Recommender`` is configured per project (phrase memory, sequence model, or an external
backend over HTTP). Training makes a ``TrainedModel``: a core.jobs.Job whose result is a versioned
artifact stored through Django's storage (a JSON phrase table, or crfsuite's own model files in a
zip: nothing that is unpickled), its training data counts, features, duration and evaluation.
"""

from django.conf import settings
from django.db import models

from annotator.core.jobs import Job

DEFAULT_SETTINGS = {"min_agreement": 2, "retrain_after": 50, "timeout": 5, "folds": 5}


class RecommenderKind(models.TextChoices):
    PHRASE = "phrase", "Phrase memory"
    SEQUENCE = "sequence", "Sequence model (CRF)"
    EXTERNAL = "external", "External model (Label Studio ML backend)"


class RecommenderState(models.TextChoices):
    READY = "ready", "Ready"
    TRAINING = "training", "Training"
    UNTRAINED = "untrained", "Untrained"
    ERROR = "error", "Error"


class Recommender(models.Model):
    project = models.ForeignKey(
        "corpus.Project", on_delete=models.CASCADE, related_name="recommenders"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RecommenderKind.choices)
    enabled = models.BooleanField(default=True)
    url = models.URLField(
        max_length=2000, blank=True, help_text="External only: the ML backend's base URL."
    )
    # min_agreement, retrain_after, timeout, folds (annotator.recommenders.services.SETTINGS)
    settings = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=20, choices=RecommenderState.choices, default=RecommenderState.UNTRAINED
    )
    message = models.TextField(blank=True, help_text="The last error, in words.")
    # How many training spans there were when the last training was requested: the retrain
    # trigger counts new ones from here.
    trained_on_spans = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]

    def __str__(self):
        return f"{self.name} ({self.kind}, {self.project.slug})"

    def setting(self, name: str):
        value = (self.settings or {}).get(name)
        return DEFAULT_SETTINGS[name] if value is None else value

    @property
    def trainable(self) -> bool:
        return self.kind != RecommenderKind.EXTERNAL


def artifact_path(model: "TrainedModel", filename: str) -> str:
    return f"recommenders/{model.project_id}/{model.recommender_id}/v{model.version}-{filename}"


class TrainedModel(Job):
    """One training of a recommender (its life: core.jobs), and what it produced."""

    task_name = "recommenders.train"
    queue_setting = "ANNOTATOR_RECOMMENDER_QUEUE"

    project = models.ForeignKey(
        "corpus.Project", on_delete=models.CASCADE, related_name="trained_models"
    )
    recommender = models.ForeignKey(Recommender, on_delete=models.CASCADE, related_name="models")
    version = models.PositiveIntegerField()
    # "gold" or "agreed": which layer it learned from.
    source = models.CharField(max_length=20, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {"articles", "spans", "labels"}
    features = models.JSONField(default=list, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    evaluation = models.JSONField(default=dict, blank=True)
    artifact = models.FileField(upload_to=artifact_path, max_length=500, blank=True)

    class Meta(Job.Meta):
        verbose_name = "trained model"
        constraints = [
            models.UniqueConstraint(
                fields=["recommender", "version"], name="trained_model_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.recommender.name} v{self.version} ({self.status})"

    @property
    def origin_model(self) -> str:
        """What an accepted recommendation of this model stores as its span's origin_model."""
        return f"{self.recommender.kind} #{self.recommender_id} v{self.version}"

    def done_message(self) -> str:
        f1 = (self.evaluation or {}).get("labelled", {}).get("f1")
        return "done" if f1 is None else f"done: labelled F1 {f1:.3f}"


class CachedPrediction(models.Model):
    """A trained model's recommendations for one article, computed once per model version (when
    the article is opened, or by batch prediction)."""

    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="predictions")
    article = models.ForeignKey(
        "corpus.Article", on_delete=models.CASCADE, related_name="cached_predictions"
    )
    # [[start, end, label key, score], ...]
    spans = models.JSONField(default=list)
    uncertainty = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "article"], name="one_prediction_per_model")
        ]

    def __str__(self):
        return f"{self.model} on article #{self.article_id}"


class Rejection(models.Model):
    """A recommendation a user turned down: never proposed to them again for that article."""

    article = models.ForeignKey(
        "corpus.Article", on_delete=models.CASCADE, related_name="rejections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rejections"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=100, help_text="The label's key.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user", "start", "end", "label"], name="rejection_unique"
            )
        ]

    def __str__(self):
        return f"{self.label} [{self.start}, {self.end}) rejected by {self.user}"
