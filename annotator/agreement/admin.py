from django.contrib import admin

from annotator.agreement.models import AgreementReport
from annotator.core.admin import ReadOnlyAdmin, progress


@admin.register(AgreementReport)
class AgreementReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "status", progress, "requester", "created_at", "finished_at"]
    list_display_links = ["id", "project"]
    list_filter = ["status", "project"]
    list_select_related = ["project", "requester"]
    date_hierarchy = "created_at"
