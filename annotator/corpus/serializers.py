from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from annotator.core.markdown import render_markdown
from annotator.corpus.models import (
    ARTICLE_CONTENT_FIELDS,
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    RecommendationsShown,
    Role,
)
from annotator.corpus.selectors import ASSIGNMENT_STATUSES
from annotator.schemas.models import Label
from annotator.schemas.presets import preset_names

User = get_user_model()
ROLE_CHOICES = [*Role.values, "staff"]


class LabelSerializer(serializers.ModelSerializer):
    colour = serializers.CharField(source="color")

    class Meta:
        model = Label
        fields = [
            "key",
            "name",
            "official_label",
            "description",
            "example",
            "colour",
            "hotkey",
            "category",
            "order",
            "retired",
        ]


class StatusCountsSerializer(serializers.Serializer):
    todo = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()
    skipped = serializers.IntegerField()
    total = serializers.IntegerField()


class AnnotatorProgressSerializer(StatusCountsSerializer):
    annotator = serializers.IntegerField()
    username = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    articles = serializers.IntegerField(help_text="Articles in the project.")
    mine = StatusCountsSerializer(help_text="Your own assignments.")
    all = StatusCountsSerializer(
        required=False, help_text="Every assignment (reviewers, managers, researchers)."
    )
    by_annotator = AnnotatorProgressSerializer(
        many=True, required=False, help_text="Per annotator (reviewers and managers)."
    )


class ProjectSerializer(serializers.ModelSerializer):
    my_role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True)
    archived = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "my_role",
            "annotators_per_article",
            "allow_overlap",
            "show_suggestions",
            "recommendations",
            "active_ordering",
            "archived",
            "created_at",
        ]

    def get_archived(self, project) -> bool:
        return project.archived_at is not None


class ProjectDetailSerializer(ProjectSerializer):
    labels = LabelSerializer(many=True, read_only=True, source="schema.labels")
    schema = serializers.CharField(source="schema.name", read_only=True)
    progress = ProgressSerializer(read_only=True)
    guidelines_html = serializers.SerializerMethodField(
        help_text="The guidelines rendered from Markdown and sanitised (safe to insert as HTML)."
    )

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "guidelines",
            "guidelines_html",
            "schema",
            "labels",
            "progress",
        ]

    def get_guidelines_html(self, project) -> str:
        return render_markdown(project.guidelines)


class SchemaSourceSerializer(serializers.Serializer):
    """Exactly one: where the new project's labels come from."""

    presets = serializers.ListField(
        child=serializers.ChoiceField(choices=preset_names()),
        required=False,
        max_length=10,
        help_text="Built-in presets, merged in order into a new schema.",
    )
    schema_file = serializers.JSONField(
        required=False, help_text="A schema file's contents (as the schema export writes it)."
    )
    copy_from = serializers.SlugField(
        required=False, help_text="A project you are in: its schema is copied."
    )
    share_with = serializers.SlugField(
        required=False,
        help_text="A project you manage: the new project uses its very schema (edits change both).",
    )


class ProjectSettingsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=20_000
    )
    guidelines = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=200_000,
        help_text="Markdown.",
    )
    annotators_per_article = serializers.IntegerField(required=False, min_value=1, max_value=50)
    allow_overlap = serializers.BooleanField(required=False)
    show_suggestions = serializers.BooleanField(required=False)
    recommendations = serializers.ChoiceField(
        choices=RecommendationsShown.choices,
        required=False,
        help_text="Whether annotators see recommended spans: off, always, or after_done (once "
        "they marked the article done). Reviewers and managers always see them.",
    )
    active_ordering = serializers.BooleanField(
        required=False,
        help_text="Serve each annotator's next article by the current model's uncertainty.",
    )


class ProjectCreateSerializer(ProjectSettingsSerializer):
    slug = serializers.SlugField(
        max_length=100, required=False, help_text="Default: made from the name."
    )
    schema = SchemaSourceSerializer(help_text="Where the labels come from.")


class ProjectUpdateSerializer(ProjectSettingsSerializer):
    name = serializers.CharField(max_length=200, required=False)
    archived = serializers.BooleanField(
        required=False, help_text="Archive (true) or restore (false) the project."
    )


class ImageSerializer(serializers.ModelSerializer):
    caption = serializers.CharField(read_only=True)
    file = serializers.SerializerMethodField()

    class Meta:
        model = ArticleImage
        fields = ["id", "url", "file", "caption_start", "caption_end", "caption", "order"]

    def get_file(self, image) -> str:
        # Through the API, which checks that the caller may read the article (never /media/).
        return reverse("api-image-file", args=[image.pk]) if image.file else ""


class ArticleListSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    my_status = serializers.ChoiceField(
        choices=AssignmentStatus.choices,
        allow_null=True,
        read_only=True,
        help_text="Your assignment's status (null if the article is not assigned to you).",
    )

    class Meta:
        model = Article
        fields = ["id", "project", "external_id", "title", "my_status", "batch", "created_at"]


class ArticleAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    annotator = serializers.IntegerField(source="annotator_id")
    username = serializers.CharField(source="annotator.get_username")
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)


class CuratorArticleListSerializer(ArticleListSerializer):
    """For reviewers and managers: every assignment of the article."""

    assignments = ArticleAssignmentSerializer(many=True, read_only=True, source="assignment_rows")

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "assignments"]


class ArticleDetailSerializer(ArticleListSerializer):
    images = ImageSerializer(many=True, read_only=True)

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            *ARTICLE_CONTENT_FIELDS,
            "text_sha256",
            "images",
        ]


class ImageInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    caption_start = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    caption_end = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ArticleCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    text = serializers.CharField(trim_whitespace=False)
    original_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    source_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    published = serializers.DateField(required=False, allow_null=True)
    metadata = serializers.DictField(required=False)
    # many=True passes max_length to the ListSerializer, which the stubs do not know.
    images = ImageInputSerializer(many=True, required=False, max_length=100)  # type: ignore[call-arg]


class AssignmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="annotator.get_username", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "article", "annotator", "username", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "article", "annotator", "username", "created_at", "updated_at"]


class AssignmentCreateSerializer(serializers.Serializer):
    annotator = serializers.CharField(help_text="User name of an annotator member.")


class AssignmentUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AssignmentStatus.choices, required=False)
    annotator = serializers.CharField(
        required=False, help_text="Reassign: the user name of another annotator member."
    )


class ArticleFilterSerializer(serializers.Serializer):
    """Which articles: every field narrows the selection (none: all of the project's)."""

    q = serializers.CharField(required=False, allow_blank=True, help_text="Title or external id.")
    assignment_status = serializers.ChoiceField(
        choices=ASSIGNMENT_STATUSES,
        required=False,
        allow_blank=True,
        help_text="Articles with an assignment in this status, or nobody assigned.",
    )
    annotator = serializers.IntegerField(
        required=False, allow_null=True, help_text="With assignment_status: whose assignment."
    )
    batch = serializers.CharField(required=False, allow_null=True, help_text="An import batch.")
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=10_000,
        allow_empty=False,
        error_messages={"empty": "Tick at least one article."},
        help_text="Articles picked by hand.",
    )


class RoundRobinSerializer(serializers.Serializer):
    annotators = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=1000,
        help_text="User names, in turn order; default: every annotator member.",
    )
    per_article = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        help_text="Distinct annotators per article (default: the project's setting).",
    )
    filter = ArticleFilterSerializer(required=False)


class RoundRobinResultSerializer(serializers.Serializer):
    articles = serializers.IntegerField(help_text="Articles selected.")
    created = serializers.IntegerField(help_text="Assignments created.")


class BatchSerializer(serializers.Serializer):
    batch = serializers.CharField()


class WorkloadSerializer(AnnotatorProgressSerializer):
    spans = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role"]
        read_only_fields = ["id", "user", "username"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="A user name or email address.")
    role = serializers.ChoiceField(choices=Role.choices)


class UnlockResultSerializer(serializers.Serializer):
    username = serializers.CharField()
    cleared = serializers.IntegerField(help_text="Failed-login records removed.")


class ActionResultSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    next = serializers.IntegerField(allow_null=True, help_text="Your next article, if any.")
