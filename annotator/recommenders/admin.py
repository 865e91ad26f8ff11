from django import forms
from django.contrib import admin

from annotator.core.admin import JobAdmin
from annotator.recommenders.models import Recommender, Rejection, TrainedModel
from annotator.recommenders.services import validate


class RecommenderForm(forms.ModelForm):
    """The API's rules for a recommender's kind, URL and settings."""

    class Meta:
        model = Recommender
        fields = ["project", "name", "kind", "enabled", "url", "settings"]

    def clean(self):
        data = super().clean() or {}
        probe = Recommender(**{k: data.get(k) for k in ("kind", "url")})
        probe.settings = data.get("settings") or {}
        validate(probe)
        return data


@admin.register(Recommender)
class RecommenderAdmin(admin.ModelAdmin):
    form = RecommenderForm
    list_display = ["id", "name", "project", "kind", "enabled", "state", "created_at"]
    list_filter = ["kind", "enabled", "state", "project"]
    list_select_related = ["project"]
    search_fields = ["name", "project__slug"]
    readonly_fields = ["state", "message", "trained_on_spans", "created_at"]


@admin.register(TrainedModel)
class TrainedModelAdmin(JobAdmin):
    list_display = [*JobAdmin.list_display, "recommender", "version", "duration_seconds"]
    list_select_related = [*JobAdmin.list_select_related, "recommender__project"]


@admin.register(Rejection)
class RejectionAdmin(admin.ModelAdmin):
    list_display = ["id", "article", "user", "label", "start", "end", "created_at"]
    list_select_related = ["article", "user"]
    raw_id_fields = ["article", "user"]
    search_fields = ["label", "user__username"]
