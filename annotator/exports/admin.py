from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from annotator.core.admin import ReadOnlyAdmin, progress
from annotator.exports.models import Export


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "format", "status", progress, "size_display", "created_at"]
    list_display_links = ["id", "project"]
    list_filter = ["status", "format", "project"]
    list_select_related = ["project", "requester"]
    search_fields = ["project__slug", "sha256"]
    date_hierarchy = "created_at"

    @admin.display(description="size", ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.size is not None else "-"
