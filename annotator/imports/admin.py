from django.contrib import admin

from annotator.core.admin import JobAdmin
from annotator.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(JobAdmin):
    list_display = ["id", "project", "status", "file_names", "requester", "created_at"]

    @admin.display(description="files")
    def file_names(self, obj) -> str:
        return ", ".join(entry["name"] for entry in obj.files)
