from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from annotator.core.text import text_checksum


class Role(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    RESEARCHER = "researcher", "Researcher"
    MANAGER = "manager", "Manager"


class RecommendationsShown(models.TextChoices):
    """Whether a project's annotators see recommended spans (annotator.recommenders)."""

    OFF = "off", "Off"
    ALWAYS = "always", "Always"
    AFTER_DONE = "after_done", "After done"


class Project(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown shown to annotators.")
    # PROTECT: editing or deleting a schema never cascades into projects and their spans.
    schema = models.ForeignKey(
        "schemas.LabelSchema", on_delete=models.PROTECT, related_name="projects"
    )
    annotators_per_article = models.PositiveSmallIntegerField(default=2)
    allow_overlap = models.BooleanField(
        default=True, help_text="Allow spans of different labels or ranges to overlap."
    )
    show_suggestions = models.BooleanField(
        default=True,
        db_default=True,  # rows written without it (older code, raw SQL) get it too
        help_text="Show annotators the words an article inserted or substituted relative to its "
        "original (diff suggestions). They can prime annotators; reviewers always see them.",
    )
    # Model-assisted annotation (annotator.recommenders): whether annotators see recommended
    # spans (off by default, so agreement studies are not primed; "after_done": only once they
    # marked the article done), and whether the queue prefers the articles the current model is
    # least certain about.
    recommendations = models.CharField(
        max_length=20,
        choices=RecommendationsShown.choices,
        default=RecommendationsShown.OFF,
        db_default=RecommendationsShown.OFF,
    )
    active_ordering = models.BooleanField(default=False, db_default=False)
    # Set when a manager archives the project: it leaves the working lists, nothing is deleted.
    archived_at = models.DateTimeField(null=True, blank=True)
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not stored: set per request by corpus.permissions (the caller's role, "staff" for
    # superusers) and by the project endpoint (its progress).
    my_role: str | None
    progress: dict

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="one_membership_per_project")
        ]

    def __str__(self):
        return f"{self.user} in {self.project} as {self.role}"


class ArticleTextLocked(ValidationError):
    pass


# An article's text and what is known of its source, as the admin's form and the API's article
# detail list them (after the project, external id and title).
ARTICLE_CONTENT_FIELDS = ("text", "original_text", "source_url", "published", "metadata")


class Article(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="articles")
    external_id = models.CharField(max_length=200)
    title = models.CharField(max_length=1000, blank=True)
    # Stored as imported except CRLF/CR -> LF; offsets index this string in code points.
    text = models.TextField()
    original_text = models.TextField(blank=True, help_text="The unmanipulated source, if known.")
    source_url = models.URLField(max_length=2000, blank=True)
    published = models.DateField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    text_sha256 = models.CharField(max_length=64, editable=False)
    # The import that brought the article in ("import #12", or a name given on the command
    # line); managers assign by batch.
    batch = models.CharField(max_length=200, blank=True, default="", db_default="")
    # How uncertain the project's current sequence model is about the article (0..1), written
    # by batch prediction; active ordering serves the most uncertain first.
    uncertainty = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not stored: set per request by corpus.permissions (the caller's role in the project and
    # own assignment status) and by the curators' article list (every assignment).
    my_role: str | None
    my_status: str | None
    assignment_rows: list

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "external_id"], name="external_id_unique_in_project"
            )
        ]
        indexes = [
            models.Index(fields=["project", "batch"], name="article_project_batch"),
            # Pages of a project's article list are pages of this index (selectors.py); on
            # PostgreSQL, title and external id searches have trigram indexes too
            # (migration 0006_article_search_indexes).
            models.Index(fields=["project", "id"], name="article_project_id"),
        ]

    def __str__(self):
        return self.title or self.external_id

    def save(self, *args, **kwargs):
        checksum = text_checksum(self.text)
        text_changed = self.pk is not None and self.text_sha256 and checksum != self.text_sha256
        if text_changed and self.spans.exists():
            raise ArticleTextLocked(
                {
                    "text": f"Article {self.external_id!r} already has spans; its text is "
                    "immutable so that their offsets stay valid. Import a new article instead."
                }
            )
        self.text_sha256 = checksum
        super().save(*args, **kwargs)


class ArticleImage(models.Model):
    """A picture of an article, with the range of its caption in the text (image miscaption)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="images/%Y/%m/", blank=True)
    url = models.URLField(max_length=2000, blank=True)
    caption_start = models.PositiveIntegerField(null=True, blank=True)
    caption_end = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article", "order", "id"]
        constraints = [
            models.CheckConstraint(
                # Both offsets or neither: "end > NULL" is NULL, which a CHECK lets through.
                condition=models.Q(caption_start__isnull=True, caption_end__isnull=True)
                | models.Q(
                    caption_start__isnull=False,
                    caption_end__isnull=False,
                    caption_end__gt=models.F("caption_start"),
                ),
                name="image_caption_range_valid",
            )
        ]

    def __str__(self):
        return self.url or self.file.name

    @property
    def caption(self) -> str:
        if self.caption_start is None:
            return ""
        return self.article.text[self.caption_start : self.caption_end]


class AssignmentStatus(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class Assignment(models.Model):
    """Who annotates which article, and how far they got (todo -> in progress -> done/skipped)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(
        max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.TODO
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "annotator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "annotator"], name="one_assignment_per_article_and_annotator"
            )
        ]
        # "My next article": an annotator's assignments filtered by status; with the article,
        # the manager's article list filters by annotator and status from the index alone.
        indexes = [
            models.Index(
                fields=["annotator", "status", "article"], name="assignment_mine_by_status"
            )
        ]

    def __str__(self):
        return f"{self.article} -> {self.annotator} ({self.status})"
