from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from annotator.core.params import is_ascii_int
from annotator.corpus.assignments import AssignmentError, assign_round_robin, check_annotators
from annotator.corpus.forms import (
    ArticleForm,
    ArticleImageForm,
    ArticleImageFormSet,
    AssignRoundRobinForm,
    ProjectForm,
)
from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
)

User = get_user_model()
# Related articles are shown by title or external id: never load their full texts into a list.
ARTICLE_TEXTS = ("article__text", "article__original_text")


def count_of(queryset, outer_field: str):
    """A correlated COUNT over ``queryset`` rows whose ``outer_field`` is the outer row.

    Subqueries rather than joins: two joined counts multiply each other, and the changelist
    count query stays a plain COUNT(*).
    """
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def count_related(model: type[models.Model], relation: str):
    """:func:`count_of` over the rows that point at ``model`` through the reverse relation
    ``relation`` (e.g. an article's ``spans``), without importing the app that owns them."""
    reverse = model._meta.get_field(relation)
    assert isinstance(reverse, models.ForeignObjectRel), f"{relation} is not a reverse relation"
    related = reverse.related_model
    assert isinstance(related, type)
    return count_of(related._default_manager.all(), reverse.field.name)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name = "member"
    verbose_name_plural = "members and roles"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectForm
    list_display = [
        "name",
        "slug",
        "schema",
        "article_count",
        "member_count",
        "assignments_done",
        "created_at",
    ]
    list_select_related = ["schema"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_count=count_of(Article.objects.all(), "project"),
                member_count=count_of(Membership.objects.all(), "project"),
                assignment_count=count_of(Assignment.objects.all(), "article__project"),
                done_count=count_of(
                    Assignment.objects.filter(status=AssignmentStatus.DONE), "article__project"
                ),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # Labels of existing spans belong to the schema: switching schema would orphan them.
        if obj is not None and obj.articles.filter(spans__isnull=False).exists():
            return ["schema"]
        return []

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description="assignments done", ordering="done_count")
    def assignments_done(self, obj):
        return f"{obj.done_count} / {obj.assignment_count}"


def _with_assignment(queryset, status: str | None, annotator: str | None):
    """Articles having an assignment with this status and/or to this annotator.

    Both filters look at the same assignment row: "assigned to alice" + "done" means alice's
    assignment is done, not that some assignment is done and alice has another one.
    """
    conditions: dict[str, object] = {}
    if status and status != AssignmentStatusFilter.UNASSIGNED:
        conditions["status"] = status
    if annotator and is_ascii_int(annotator):
        conditions["annotator_id"] = int(annotator)
    return queryset.filter(Exists(Assignment.objects.filter(article=OuterRef("pk"), **conditions)))


class AssignmentStatusFilter(admin.SimpleListFilter):
    title = "assignment status"
    parameter_name = "assignment_status"
    UNASSIGNED = "unassigned"

    def lookups(self, request, model_admin):
        return [(self.UNASSIGNED, "Not assigned"), *AssignmentStatus.choices]

    def queryset(self, request, queryset):
        # self.value(), not request.GET: facet counts ask for each lookup in turn.
        if self.value() == self.UNASSIGNED:
            return queryset.filter(~Exists(Assignment.objects.filter(article=OuterRef("pk"))))
        if self.value():
            annotator = request.GET.get(AssignedToFilter.parameter_name)
            return _with_assignment(queryset, self.value(), annotator)
        return queryset


class AssignedToFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "assigned_to"

    def lookups(self, request, model_admin):
        assignments = Assignment.objects.filter(annotator=OuterRef("pk"))
        project = request.GET.get("project__id__exact")
        if project and is_ascii_int(project):
            # With a project chosen, offer only the people working on it.
            assignments = assignments.filter(article__project_id=int(project))
        users = User.objects.filter(Exists(assignments))
        return [(str(user.pk), str(user)) for user in users.order_by("username")]

    def queryset(self, request, queryset):
        if self.value():
            status = request.GET.get(AssignmentStatusFilter.parameter_name)
            return _with_assignment(queryset, status, self.value())
        return queryset


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    formset = ArticleImageFormSet
    extra = 0
    fields = ["file", "url", "caption_start", "caption_end", "caption", "order"]
    readonly_fields = ["caption"]

    @admin.display(description="caption text")
    def caption(self, obj):
        return obj.caption if obj.pk else ""


class AssignmentInline(admin.TabularInline):
    """Existing assignments: status can be changed or the row deleted; new ones come from the
    "Assign to annotators" action or the assignment admin, which check membership."""

    model = Assignment
    extra = 0
    fields = ["annotator", "status", "updated_at"]
    readonly_fields = ["annotator", "updated_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("annotator")


def article_span_count(article) -> int:
    """The annotated count when the article came from the admin's queryset, else a query."""
    count = getattr(article, "span_count", None)
    return count if count is not None else article.spans.count()


TEXT_LOCKED_NOTE = (
    "This article has {count} span(s): its text is read-only because their offsets index it. "
    "To correct the text, import the article again under a new external id."
)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["external_id", "title", "project", "span_count", "text_length"]
    list_display_links = ["external_id", "title"]
    list_select_related = ["project"]
    # Newest first, along the primary key index: a project-name sort would read every row.
    ordering = ["-id"]
    # Title and external id only: a substring search over every full text would scan the corpus.
    search_fields = ["title", "external_id"]
    search_help_text = "Searches titles and external ids."
    show_full_result_count = False
    list_filter = ["project", AssignmentStatusFilter, AssignedToFilter]
    inlines = [ArticleImageInline, AssignmentInline]
    actions = ["assign_round_robin_action"]
    autocomplete_fields = ["project"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                span_count=count_related(Article, "spans"),
                text_length=Length("text"),
            )
        )
        match = request.resolver_match
        if match is not None and match.url_name in ("corpus_article_changelist", "autocomplete"):
            # Lists show lengths computed in SQL; do not ship whole texts to Python.
            queryset = queryset.defer("text", "original_text")
        return queryset

    def get_fieldsets(self, request, obj=None):
        text_section: dict[str, Any] = {"fields": ["text", "text_length", "text_sha256"]}
        if obj is not None:
            if count := article_span_count(obj):
                text_section["description"] = TEXT_LOCKED_NOTE.format(count=count)
            text_section["fields"].append("spans_link")
        return [
            (None, {"fields": ["project", "external_id", "title"]}),
            ("Text", text_section),
            ("Source", {"fields": ["original_text", "source_url", "published", "metadata"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["text_length", "text_sha256", "spans_link"]
        if obj is not None:
            # Moving an article would carry its spans and assignments into another project.
            readonly.append("project")
            if article_span_count(obj):
                readonly.append("text")
        return readonly

    @admin.display(description="spans", ordering="span_count")
    def span_count(self, obj):
        return article_span_count(obj)

    @admin.display(description="text length", ordering="text_length")
    def text_length(self, obj):
        return obj.text_length if obj.pk else ""

    @admin.display(description="spans")
    def spans_link(self, obj):
        url = reverse("admin:annotations_span_changelist") + f"?article__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{} span(s) of this article</a>', url, article_span_count(obj)
        )

    def has_assign_permission(self, request):
        return request.user.has_perm("corpus.add_assignment")

    @admin.action(description="Assign to annotators (round-robin)…", permissions=["assign"])
    def assign_round_robin_action(self, request, queryset):
        project_ids = queryset.order_by().values_list("project_id", flat=True).distinct()
        projects = list(Project.objects.filter(pk__in=list(project_ids[:3])))
        if len(projects) != 1:
            self.message_user(
                request,
                "Select articles of a single project to assign them "
                f"(the selection spans {', '.join(p.slug for p in projects)}"
                f"{', ...' if len(projects) > 2 else ''}).",
                messages.ERROR,
            )
            return None
        project = projects[0]
        form = AssignRoundRobinForm(project, request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                created = assign_round_robin(
                    queryset,
                    list(form.cleaned_data["annotators"]),
                    form.cleaned_data["per_article"],
                )
            except AssignmentError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    f"Created {created} assignment(s) over {queryset.count()} article(s).",
                    messages.SUCCESS,
                )
                return None
        select_across = request.POST.get("select_across") == "1"
        return TemplateResponse(
            request,
            "admin/corpus/article/assign_round_robin.html",
            {
                **self.admin_site.each_context(request),
                "title": "Assign articles to annotators",
                "opts": self.model._meta,
                "form": form,
                "project": project,
                "article_count": queryset.count(),
                "select_across": select_across,
                "selected": [] if select_across else list(queryset.values_list("pk", flat=True)),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media + form.media,
            },
        )


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["article", "annotator", "status"]

    def clean(self):
        data = super().clean() or {}
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
