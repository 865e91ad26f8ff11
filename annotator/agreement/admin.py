from django.contrib import admin

from annotator.agreement.models import AgreementReport
from annotator.core.admin import JobAdmin

admin.site.register(AgreementReport, JobAdmin)
