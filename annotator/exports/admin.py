from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from annotator.exports.models import Export


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by background tasks: browsable here, never edited or deleted by hand (an
    export is an immutable snapshot, and deleting a row would orphan its published file)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description="progress")
def progress(obj) -> str:
    if not obj.progress_total:
        return "-"
    return f"{obj.progress_done}/{obj.progress_total}"


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
