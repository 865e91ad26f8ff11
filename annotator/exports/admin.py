from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from annotator.core.admin import JobAdmin
from annotator.exports.models import Export


@admin.register(Export)
class ExportAdmin(JobAdmin):
    list_display = ["id", "project", "format", "status", "progress", "size_display", "created_at"]
    list_filter = ["status", "format", "project"]
    search_fields = ["project__slug", "sha256"]

    @admin.display(description="size", ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.size is not None else "-"
