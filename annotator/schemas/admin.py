"""Admin for label schemas: labels inline, history, retire/merge, JSON export and import.

Every save goes through services (save_schema, save_label, delete_label, retire_label,
merge_labels) so admin edits land in the schema history with the request's user.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify

from annotator.core.admin import ReadOnlyAdmin

from .forms import ImportSchemaForm, LabelForm, LabelInlineFormSet, MergeLabelsForm
from .models import Label, LabelSchema, SchemaChange
from .services import (
    SchemaError,
    delete_label,
    export_schema,
    import_schema_report,
    merge_labels,
    retire_label,
    save_label,
    save_schema,
    unretire_label,
)

USAGE_HELP = (
    "A label in use cannot be deleted: retire it (its spans stay) or merge it into another "
    "label (actions on the label list)."
)


def _with_span_count(queryset):
    return queryset.annotate(span_count=Count("spans"))


def _span_count(label) -> int:
    if label is None or label.pk is None:
        return 0
    count = getattr(label, "span_count", None)
    return count if count is not None else label.spans.count()


def _json_download(schema: LabelSchema) -> HttpResponse:
    body = json.dumps(export_schema(schema), ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"{slugify(schema.name) or 'schema'}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class LabelInline(admin.TabularInline):
    model = Label
    fk_name = "schema"
    form = LabelForm
    formset = LabelInlineFormSet
    fields = [*LabelForm.Meta.fields, "spans_in_use"]
    readonly_fields = ["spans_in_use"]
    extra = 0
    show_change_link = True
    verbose_name_plural = "labels (a label in use cannot be deleted: retire it, or merge it)"

    def get_queryset(self, request):
        return _with_span_count(super().get_queryset(request)).order_by("order", "id")

    @admin.display(description="spans")
    def spans_in_use(self, obj):
        return _span_count(obj)


class SchemaChangeInline(admin.TabularInline):
    model = SchemaChange
    fields = ["at", "user", "action", "label_key", "detail_json"]
    readonly_fields = ["at", "user", "action", "label_key", "detail_json"]
    extra = 0
    can_delete = False
    verbose_name = "change"
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="detail")
    def detail_json(self, obj):
        return format_html("<code>{}</code>", json.dumps(obj.detail, ensure_ascii=False))


@admin.register(LabelSchema)
class LabelSchemaAdmin(admin.ModelAdmin):
    list_display = ["name", "label_count", "project_count", "updated_at"]
    search_fields = ["name", "description"]
    inlines = [LabelInline, SchemaChangeInline]
    actions = ["export_json"]
    change_list_template = "admin/schemas/labelschema/change_list.html"
    change_form_template = "admin/schemas/labelschema/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_labels=Count("labels", distinct=True), n_projects=Count("projects", distinct=True)
            )
        )

    @admin.display(description="labels", ordering="n_labels")
    def label_count(self, obj):
        return obj.n_labels

    @admin.display(description="projects", ordering="n_projects")
    def project_count(self, obj):
        return obj.n_projects

    def save_model(self, request, obj, form, change):
        save_schema(obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Label:
            formset.save()
            return
        instances = formset.save(commit=False)
        for label in formset.deleted_objects:
            delete_label(label, user=request.user)
        for label in instances:
            save_label(label, user=request.user)
        formset.save_m2m()

    @admin.action(description="Export selected schema as JSON")
    def export_json(self, request, queryset):
        schemas = list(queryset[:2])
        if len(schemas) != 1:
            self.message_user(request, "Select exactly one schema to export.", messages.WARNING)
            return None
        return _json_download(schemas[0])

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{prefix}_import"),
            path("<path:object_id>/export/", view(self.export_view), name=f"{prefix}_export"),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id):
        schema = get_object_or_404(LabelSchema, pk=object_id)
        if not self.has_view_permission(request, schema):
            raise PermissionDenied
        return _json_download(schema)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportSchemaForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = json.loads(upload.read().decode("utf-8-sig"))
                report = import_schema_report(
                    data,
                    name=form.cleaned_data["name"] or None,
                    user=request.user,
                    where=upload.name,
                )
            except UnicodeDecodeError:
                form.add_error("file", f"{upload.name}: not UTF-8.")
            except json.JSONDecodeError as exc:
                form.add_error(
                    "file", f"{upload.name}: invalid JSON at line {exc.lineno}: {exc.msg}."
                )
            except SchemaError as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(
                    request,
                    f"Imported {report.schema.name!r}: {len(report.created)} label(s) created, "
                    f"{len(report.updated)} updated, {len(report.unchanged)} unchanged.",
                    messages.SUCCESS,
                )
                for warning in report.warnings:
                    self.message_user(request, warning, messages.WARNING)
                return HttpResponseRedirect(
                    reverse("admin:schemas_labelschema_change", args=[report.schema.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a label schema",
            "form": form,
        }
        return TemplateResponse(request, "admin/schemas/labelschema/import.html", context)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    form = LabelForm
    list_display = [
        "key",
        "name",
        "schema",
        "category",
        "hotkey",
        "swatch",
        "order",
        "retired",
        "merged_into",
        "spans_in_use",
    ]
    list_filter = ["schema", "retired", "category"]
    list_select_related = ["schema", "merged_into"]
    search_fields = ["key", "name", "official_label"]
    actions = ["retire_selected", "unretire_selected", "merge_selected"]
    readonly_fields = ["merged_into", "usage"]

    def get_fields(self, request, obj=None):
        return ["schema", *LabelForm.Meta.fields, "merged_into", "usage"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # key and schema are the label's identity once saved.
        return ["schema", "key", *self.readonly_fields]

    def get_queryset(self, request):
        return _with_span_count(super().get_queryset(request))

    @admin.display(description="colour")
    def swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1.5em;height:1em;background:{}"></span> {}',
            obj.color,
            obj.color,
        )

    @admin.display(description="spans")
    def spans_in_use(self, obj):
        return _span_count(obj)

    @admin.display(description="usage")
    def usage(self, obj):
        return f"{_span_count(obj)} span(s). {USAGE_HELP}"

    def save_model(self, request, obj, form, change):
        save_label(obj, user=request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _span_count(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        delete_label(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for label in queryset.select_related("schema"):
            delete_label(label, user=request.user)

    @admin.action(description="Retire selected labels (their spans stay)")
    def retire_selected(self, request, queryset):
        labels = [label for label in queryset if not label.retired]
        for label in labels:
            retire_label(label, user=request.user)
        self.message_user(request, f"Retired {len(labels)} label(s).", messages.SUCCESS)

    @admin.action(description="Unretire selected labels")
    def unretire_selected(self, request, queryset):
        labels = [label for label in queryset if label.retired]
        for label in labels:
            unretire_label(label, user=request.user)
        self.message_user(request, f"Unretired {len(labels)} label(s).", messages.SUCCESS)

    @admin.action(description="Merge selected labels into another label...")
    def merge_selected(self, request, queryset):
        sources = list(queryset.select_related("schema"))
        schema_ids = {label.schema_id for label in sources}
        if len(schema_ids) != 1:
            self.message_user(request, "Select labels of one schema to merge.", messages.ERROR)
            return None
        targets = Label.objects.filter(schema_id=schema_ids.pop(), retired=False).exclude(
            pk__in=[label.pk for label in sources]
        )
        form = MergeLabelsForm(request.POST if "apply" in request.POST else None, targets=targets)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["target"]
            try:
                moved = sum(merge_labels(label, target, user=request.user) for label in sources)
            except SchemaError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                f"Merged {len(sources)} label(s) into {target}: {moved} span(s) moved.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge labels",
            "sources": sources,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/schemas/label/merge_labels.html", context)


@admin.register(SchemaChange)
class SchemaChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "schema", "action", "label_key", "user"]
    list_filter = ["action", "schema"]
    search_fields = ["label_key"]
    list_select_related = ["schema", "user"]
    readonly_fields = ["schema", "user", "at", "action", "label_key", "detail"]
