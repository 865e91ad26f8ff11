from django import forms
from django.core.files.uploadedfile import UploadedFile

from annotator.core.forms import NormalizedTextMixin
from annotator.corpus.assignments import annotator_members
from annotator.corpus.images import HEAD_BYTES, image_problem
from annotator.corpus.models import ARTICLE_CONTENT_FIELDS, Article, ArticleImage, Project


class ArticleForm(NormalizedTextMixin, forms.ModelForm):
    """The admin's article form: text stored like an import's (LF line breaks, no BOM)."""

    normalized_fields = ("text", "original_text")

    class Meta:
        model = Article
        fields = ["project", "external_id", "title", *ARTICLE_CONTENT_FIELDS, "batch"]


class ProjectForm(NormalizedTextMixin, forms.ModelForm):
    normalized_fields = ("description", "guidelines")

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "description",
            "guidelines",
            "schema",
            "annotators_per_article",
            "allow_overlap",
            "show_suggestions",
        ]


class AssignRoundRobinForm(forms.Form):
    """The intermediate page of the article admin's "Assign to annotators" action."""

    annotators: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Articles go to these annotators in turn, least-loaded first.",
    )
    per_article = forms.IntegerField(
        min_value=1, label="Annotators per article", help_text="Distinct annotators per article."
    )

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["annotators"].queryset = annotator_members(project)  # type: ignore[attr-defined]  # a ModelMultipleChoiceField
        self.fields["per_article"].initial = project.annotators_per_article

    def clean(self):
        data = super().clean() or {}
        annotators, per_article = data.get("annotators"), data.get("per_article")
        if annotators is not None and per_article is not None and per_article > len(annotators):
            self.add_error(
                "per_article",
                f"Choose at least {per_article} annotators to give each article {per_article}.",
            )
        return data


class ArticleImageForm(forms.ModelForm):
    """Checks what the database cannot: a source is given, an uploaded file is an image we
    accept (corpus/images.py, as for imported files) and the caption lies inside the text."""

    url = forms.URLField(max_length=2000, required=False, assume_scheme="https")

    class Meta:
        model = ArticleImage
        fields = ["file", "url", "caption_start", "caption_end", "order"]

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):  # a new upload, not the stored file kept
            head = file.read(HEAD_BYTES)
            file.seek(0)
            if problem := image_problem(file.name or "", head):
                raise forms.ValidationError(problem)
        return file

    def clean(self):
        data = super().clean() or {}
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError("Give the image either as a file or as a URL.")
        start, end = data.get("caption_start"), data.get("caption_end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both caption offsets or neither.")
        article = getattr(self, "parent_article", None)
        if end is not None and article is not None and end > len(article.text):
            self.add_error(
                "caption_end",
                f"The caption ends at {end}, past the article's last offset {len(article.text)}.",
            )
        return data


class ArticleImageFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]  # Django's, not in the stubs
        # The article being edited, with the text just entered on an add page; no query per image.
        form.parent_article = self.instance
        return form
