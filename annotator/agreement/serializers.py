"""Agreement payloads: the request that starts a report and the report the API returns."""

from rest_framework import serializers

from annotator.agreement.models import AgreementReport
from annotator.core.jobs_api import JobSerializer


class AgreementCreateSerializer(serializers.Serializer):
    article_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        help_text="The articles to compare (default: every article of the project).",
    )
    done_only = serializers.BooleanField(
        default=False, help_text="Compare only layers whose assignment is done."
    )
    gamma = serializers.BooleanField(
        default=False,
        help_text="Also compute gamma per article (pygamma-agreement; about 1 s per article).",
    )


class AgreementReportSerializer(JobSerializer):
    """A report's status and progress, without its results (the list)."""

    articles = serializers.IntegerField(source="progress_total", help_text="Articles covered.")

    class Meta:
        model = AgreementReport
        fields = [*JobSerializer.Meta.fields, "articles", "options"]


class AgreementReportDetailSerializer(AgreementReportSerializer):
    """A report with the article ids it covers and its results (docs/agreement.md)."""

    class Meta(AgreementReportSerializer.Meta):
        fields = [*AgreementReportSerializer.Meta.fields, "article_ids", "results"]
