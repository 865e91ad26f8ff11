from django.contrib import admin
from django.template.defaultfilters import truncatechars

from annotator.annotations.models import Span

# Related articles are shown by title or external id: never load their full texts into a list.
ARTICLE_TEXTS = ("article__text", "article__original_text")


class LayerFilter(admin.SimpleListFilter):
    title = "layer"
    parameter_name = "layer"

    def lookups(self, request, model_admin):
        return [("gold", "Gold (reviewed)"), ("annotators", "Annotators")]

    def queryset(self, request, queryset):
        if self.value() == "gold":
            return queryset.filter(annotator__isnull=True)
        if self.value() == "annotators":
            return queryset.filter(annotator__isnull=False)
        return queryset


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    """Spans are written by annotators and reviewers through the API, which checks offsets against
    the text, permissions and idempotency: the admin only shows them. Superusers may delete spans
    (e.g. a faulty import), nobody adds or edits them here."""

    list_display = [
        "article",
        "label",
        "start",
        "end",
        "short_text",
        "layer",
        "origin",
        "updated_at",
    ]
    list_select_related = ["article", "label", "annotator"]
    readonly_fields = ["created_at", "updated_at"]  # not editable, so not shown otherwise
    # Newest first along the primary key: the model's (article, start, end) order sorts them all.
    ordering = ["-id"]
    list_filter = [
        "article__project",
        ("label", admin.RelatedOnlyFieldListFilter),
        "origin",
        LayerFilter,
        ("annotator", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text", "label__key", "article__external_id"]
    search_help_text = "Searches span texts, label keys and article external ids."
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*ARTICLE_TEXTS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="text", ordering="text")
    def short_text(self, obj):
        return truncatechars(obj.text, 80)

    @admin.display(description="annotator", ordering="annotator__username")
    def layer(self, obj):
        return obj.annotator if obj.annotator_id else "gold"
