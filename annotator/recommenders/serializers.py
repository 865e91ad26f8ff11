"""Recommender payloads: the recommender, its trained models (background jobs), the
recommendations of an article and a rejection."""

from rest_framework import serializers

from annotator.core.jobs_api import JobSerializer
from annotator.recommenders.models import (
    DEFAULT_SETTINGS,
    Recommender,
    RecommenderKind,
    TrainedModel,
)
from annotator.recommenders.services import current_model, status


class TrainedModelSerializer(JobSerializer):
    """A training's life (core.jobs) and, once done, what it produced."""

    recommender = serializers.IntegerField(source="recommender_id", read_only=True)
    origin_model = serializers.CharField(
        read_only=True, help_text="What spans accepted from this model store as origin_model."
    )

    class Meta:
        model = TrainedModel
        fields = [
            *JobSerializer.Meta.fields,
            "recommender",
            "version",
            "source",
            "counts",
            "features",
            "duration_seconds",
            "evaluation",
            "origin_model",
        ]


class RecommenderSerializer(serializers.ModelSerializer):
    url = serializers.CharField(help_text="External only: the ML backend's base URL ('' else).")
    current_model = serializers.SerializerMethodField(
        help_text="The newest trained model that is done (null: none yet)."
    )
    settings = serializers.SerializerMethodField(
        help_text="Every setting with its value (the default where none was set)."
    )

    class Meta:
        model = Recommender
        fields = [
            "id",
            "name",
            "kind",
            "enabled",
            "url",
            "settings",
            "state",
            "message",
            "current_model",
            "created_at",
        ]
        read_only_fields = fields

    state = serializers.SerializerMethodField(help_text="ready, training, untrained or error.")
    message = serializers.SerializerMethodField(help_text="The last error, in words.")

    def get_state(self, recommender) -> str:
        return status(recommender)[0]

    def get_message(self, recommender) -> str:
        return status(recommender)[1]

    def get_settings(self, recommender) -> dict:
        return DEFAULT_SETTINGS | (recommender.settings or {})

    def get_current_model(self, recommender) -> dict | None:
        model = current_model(recommender)
        return None if model is None else TrainedModelSerializer(model).data


class RecommenderWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=RecommenderKind.choices)
    enabled = serializers.BooleanField(required=False)
    url = serializers.URLField(
        max_length=2000, required=False, allow_blank=True, help_text="External only."
    )
    settings = serializers.DictField(
        required=False,
        help_text='{"min_agreement": 2, "retrain_after": 50, "timeout": 5, "folds": 5}',
    )


class RecommenderUpdateSerializer(RecommenderWriteSerializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=RecommenderKind.choices, required=False)


class TrainSerializer(serializers.Serializer):
    """Nothing to send: the recommender trains on the project's current data."""


class RecommendationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="<recommender>:<start>:<end>:<label>")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's Field.label
    score = serializers.FloatField(help_text="0..1")
    text = serializers.CharField()
    recommender = serializers.IntegerField()
    recommender_name = serializers.CharField()
    kind = serializers.CharField()
    origin_model = serializers.CharField(
        help_text='Send it with origin "recommender" when accepting (creating the span).'
    )


class RecommenderStatusSerializer(serializers.Serializer):
    recommender = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["ok", "error", "untrained"])
    message = serializers.CharField(allow_blank=True)


class RecommendationsSerializer(serializers.Serializer):
    visible = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["", "off", "after_done"])
    recommendations = RecommendationSerializer(many=True)
    status = RecommenderStatusSerializer(many=True)


class RejectSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]  # DRF's Field.label


class RejectionSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article_id")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's Field.label
    created_at = serializers.DateTimeField()
