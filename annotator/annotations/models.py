from django.conf import settings
from django.db import models
from django.db.models.functions import Length


class SpanOrigin(models.TextChoices):
    MANUAL = "manual", "Manual"
    SUGGESTION = "suggestion", "Accepted suggestion"
    IMPORT = "import", "Imported"
    RECOMMENDER = "recommender", "Accepted recommendation"


class Span(models.Model):
    """A labelled range ``[start, end)`` of an article's text, in Unicode code points.

    ``annotator`` is the layer: a user's own spans, or NULL for the project's gold layer.
    ``text`` is a snapshot of ``article.text[start:end]`` that exports verify.
    """

    # The unique (article, annotator, ...) index below serves article lookups; no second index.
    article = models.ForeignKey(
        "corpus.Article", on_delete=models.CASCADE, related_name="spans", db_index=False
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spans",
        help_text="Empty for the gold layer.",
    )
    # PROTECT: a label in use is never deleted; retire or merge it instead.
    label = models.ForeignKey("schemas.Label", on_delete=models.PROTECT, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    note = models.TextField(blank=True)
    client_id = models.UUIDField(null=True, blank=True)
    origin = models.CharField(max_length=20, choices=SpanOrigin.choices, default=SpanOrigin.MANUAL)
    # With origin "recommender": which recommender and model version proposed it
    # ("sequence #3 v2"), so that a model's accepted suggestions can be told apart.
    origin_model = models.CharField(max_length=100, blank=True, default="", db_default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0), name="span_start_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="span_start_before_end"
            ),
            # The snapshot has exactly end - start characters (code points in both SQLite and
            # PostgreSQL): a span whose offsets and text disagree cannot be stored at all.
            models.CheckConstraint(
                condition=models.lookups.Exact(Length("text"), models.F("end") - models.F("start")),
                name="span_text_length_matches_offsets",
            ),
            # No identical span in a layer. Its index also serves every lookup of an article's
            # spans, by layer too (annotator IS NULL included): gold needs its own constraint,
            # NULLs being distinct, but the index of that one only holds gold spans.
            models.UniqueConstraint(
                fields=["article", "annotator", "label", "start", "end"],
                name="span_unique_in_layer",
            ),
            models.UniqueConstraint(
                fields=["article", "label", "start", "end"],
                condition=models.Q(annotator__isnull=True),
                name="span_unique_in_gold",
            ),
            # Partial: imported spans have no client id and cost the index nothing.
            models.UniqueConstraint(
                fields=["client_id"],
                condition=models.Q(client_id__isnull=False),
                name="span_unique_client_id",
            ),
        ]

    def __str__(self):
        return f"{self.label.key} [{self.start}, {self.end})"


class CurationStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Curation(models.Model):
    """A reviewer's progress on an article's gold layer (annotator/annotations/review.py).

    ``rejected`` lists the ``[start, end, label key]`` candidates a reviewer turned down, so the
    review page shows them as decided and auto-accept does not promote them again.
    """

    article = models.OneToOneField(
        "corpus.Article", on_delete=models.CASCADE, related_name="curation"
    )
    status = models.CharField(
        max_length=20, choices=CurationStatus.choices, default=CurationStatus.TODO
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curations",
        help_text="Who last changed the gold layer or the status.",
    )
    rejected = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.article} ({self.status})"


class Comment(models.Model):
    """A message in the discussion of an article, or of one span of it (``span`` set).

    Who reads which comment is decided in :mod:`annotator.annotations.comments`: annotators are
    blind to each other, so they never read another annotator's comments. Deleting a span
    deletes its discussion.
    """

    article = models.ForeignKey(
        "corpus.Article", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    span = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    # PROTECT, as for spans: who said what stays known.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_body_not_empty"),
        ]
        indexes = [models.Index(fields=["article", "created_at"], name="comment_article_time")]

    def __str__(self):
        where = f"span {self.span_id}" if self.span_id else f"article {self.article_id}"
        return f"{self.author} on {where}: {self.body[:40]}"


class WorkloadCount(models.Model):
    """An annotator's workload in a project: assignments by status, spans, last activity.

    Kept by database triggers on the assignment and span tables (migration
    0007_workload_counts, ``annotator/annotations/workload_sql.py``), whatever writes them: the
    API, imports, the admin, bulk updates. The workload table reads these rows instead of
    counting a large project's assignments and spans on every request.
    """

    project = models.ForeignKey("corpus.Project", on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    todo = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    spans = models.IntegerField(default=0)
    # The latest change of one of their assignments or spans (a deleted span counts too).
    last_activity = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "annotator"], name="workload_one_row")
        ]

    def __str__(self):
        return f"{self.annotator_id} in {self.project_id}"
