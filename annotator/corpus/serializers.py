from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    Role,
)
from annotator.schemas.models import Label

User = get_user_model()
ROLE_CHOICES = [*Role.values, "staff"]


class LabelSerializer(serializers.ModelSerializer):
    colour = serializers.CharField(source="color")

    class Meta:
        model = Label
        fields = [
            "key", "name", "official_label", "description", "example", "colour", "hotkey",
            "category", "order", "retired",
        ]  # fmt: skip


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

    class Meta:
        model = Project
        fields = ["id", "slug", "name", "description", "my_role", "annotators_per_article",
                  "allow_overlap", "created_at"]  # fmt: skip


class ProjectDetailSerializer(ProjectSerializer):
    labels = LabelSerializer(many=True, read_only=True, source="schema.labels")
    schema = serializers.CharField(source="schema.name", read_only=True)
    progress = ProgressSerializer(read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "guidelines", "schema", "labels", "progress"]


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
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    my_status = serializers.ChoiceField(
        choices=AssignmentStatus.choices,
        allow_null=True,
        read_only=True,
        help_text="Your assignment's status (null if the article is not assigned to you).",
    )  # fmt: skip

    class Meta:
        model = Article
        fields = ["id", "project", "external_id", "title", "my_status", "created_at"]


class ArticleDetailSerializer(ArticleListSerializer):
    images = ImageSerializer(many=True, read_only=True)

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            "text", "original_text", "source_url", "published", "metadata", "text_sha256",
            "images",
        ]  # fmt: skip


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
    images = ImageInputSerializer(many=True, required=False, max_length=100)


class AssignmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="annotator.get_username", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "article", "annotator", "username", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "article", "annotator", "username", "created_at", "updated_at"]


class AssignmentCreateSerializer(serializers.Serializer):
    annotator = serializers.CharField(help_text="User name of an annotator member.")


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role"]
        read_only_fields = ["id", "user", "username"]


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class UnlockResultSerializer(serializers.Serializer):
    username = serializers.CharField()
    cleared = serializers.IntegerField(help_text="Failed-login records removed.")


class ActionResultSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    next = serializers.IntegerField(allow_null=True, help_text="Your next article, if any.")
