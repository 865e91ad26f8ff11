"""Agreement payloads: the request that starts a report and the report the API returns."""

from rest_framework import serializers

from annotator.agreement.models import AgreementReport
from annotator.agreement.services import is_stalled


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


class AgreementReportSerializer(serializers.ModelSerializer):
    """A report's status and progress, without its results (the list)."""

    project = serializers.CharField(source="project.slug")
    requester = serializers.CharField(source="requester.username", default=None)
    progress = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField(
        help_text="Running with no progress for a while: its worker may have died (the report "
        "is taken over when the task is delivered again)."
    )
    articles = serializers.IntegerField(source="progress_total", help_text="Articles covered.")

    class Meta:
        model = AgreementReport
        fields = ["id", "project", "status", "stalled", "progress", "articles", "options",
                  "requester", "error", "created_at", "started_at", "finished_at"]  # fmt: skip

    def get_stalled(self, report) -> bool:
        return is_stalled(report)

    def get_progress(self, report) -> dict:
        return {"done": report.progress_done, "total": report.progress_total}


class AgreementReportDetailSerializer(AgreementReportSerializer):
    """A report with the article ids it covers and its results (docs/agreement.md)."""

    class Meta(AgreementReportSerializer.Meta):
        fields = [*AgreementReportSerializer.Meta.fields, "article_ids", "results"]
