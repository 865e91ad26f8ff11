from django import forms
from django.contrib import admin
from django.template.defaultfilters import truncatechars
from django.utils import timezone

from annotator.annotations.models import Assignment, AssignmentStatus, Span
from annotator.annotations.services import AssignmentError, check_annotators

# Related articles are shown by title or external id: never load their full texts into a list.
ARTICLE_TEXTS = ("article__text", "article__original_text")


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["article", "annotator", "status"]

    def clean(self):
        data = super().clean()
        article, annotator = data.get("article"), data.get("annotator")
        if article is not None and annotator is not None:
            try:
                check_annotators(article.project, [annotator])
            except AssignmentError as exc:
                self.add_error("annotator", str(exc))
        return data


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["article", "project", "annotator", "status", "updated_at"]
    list_select_related = ["article__project", "annotator"]
    list_filter = [
        "status",
        ("annotator", admin.RelatedOnlyFieldListFilter),
        "article__project",
    ]
    search_fields = ["article__title", "article__external_id", "annotator__username"]
    autocomplete_fields = ["article", "annotator"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["reopen", "mark_skipped"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*ARTICLE_TEXTS)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Another annotator means another assignment: its spans belong to the first one.
            return ["article", "annotator", *self.readonly_fields]
        return self.readonly_fields

    def _set_status(self, request, queryset, status):
        # update() skips auto_now, so the time of the change is set here.
        count = queryset.update(status=status, updated_at=timezone.now())
        self.message_user(request, f"{count} assignment(s) set to {status.label.lower()}.")

    @admin.action(description="Reopen (set to To do)", permissions=["change"])
    def reopen(self, request, queryset):
        self._set_status(request, queryset, AssignmentStatus.TODO)

    @admin.action(description="Mark as skipped", permissions=["change"])
    def mark_skipped(self, request, queryset):
        self._set_status(request, queryset, AssignmentStatus.SKIPPED)

    @admin.display(description="project", ordering="article__project__name")
    def project(self, obj):
        return obj.article.project


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
