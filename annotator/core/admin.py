"""Admin pieces shared by the apps' admins."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the app's own services (background jobs, schema history): browsable
    here, never added, edited or deleted by hand (an export is an immutable snapshot, deleting
    its row would orphan its published file; a history is a record)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobAdmin(ReadOnlyAdmin):
    """A background job (core.jobs) of a project; subclasses add their own columns."""

    list_display = ["id", "project", "status", "progress", "requester", "created_at"]
    list_display_links = ["id", "project"]
    list_filter = ["status", "project"]
    list_select_related = ["project", "requester"]
    date_hierarchy = "created_at"

    @admin.display(description="progress")
    def progress(self, obj) -> str:
        return f"{obj.progress_done}/{obj.progress_total}" if obj.progress_total else "-"
