from django.contrib import admin

from annotator.core.admin import JobAdmin
from annotator.recommenders.models import Recommender, Rejection, TrainedModel


@admin.register(Recommender)
class RecommenderAdmin(admin.ModelAdmin):
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
