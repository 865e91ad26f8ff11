"""Admin pieces shared by the apps' admins."""

from django.contrib import admin


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
