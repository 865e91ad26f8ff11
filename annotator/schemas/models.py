from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

label_key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_\-]*$", "Use lower-case letters, digits, '_' and '-' (e.g. loaded_language)."
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is #rrggbb.")
hotkey_validator = RegexValidator(r"^[0-9a-z]$", "A hotkey is one digit or lower-case letter.")


class LabelSchema(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Label(models.Model):
    schema = models.ForeignKey(LabelSchema, on_delete=models.CASCADE, related_name="labels")
    # The key is the label's identity everywhere (API, imports, exports) and never changes.
    key = models.CharField(max_length=100, validators=[label_key_validator])
    name = models.CharField(max_length=200)
    official_label = models.CharField(
        max_length=200, blank=True, help_text="Name used in SemEval-style exports and imports."
    )
    description = models.TextField(blank=True)
    example = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#888888", validators=[colour_validator])
    hotkey = models.CharField(max_length=1, blank=True, validators=[hotkey_validator])
    category = models.CharField(max_length=100, blank=True)
    order = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["schema", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schema", "key"], name="label_key_unique_in_schema"),
            models.UniqueConstraint(
                "schema",
                Lower("hotkey"),
                condition=~models.Q(hotkey=""),
                name="label_hotkey_unique_in_schema",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored_key = Label.objects.filter(pk=self.pk).values_list("key", flat=True).first()
            if stored_key is not None and stored_key != self.key:
                raise ValidationError({"key": f"A label's key is immutable (was {stored_key!r})."})
        super().save(*args, **kwargs)


class SchemaChange(models.Model):
    """The recorded history of a schema: who changed what, when."""

    schema = models.ForeignKey(LabelSchema, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=50)
    label_key = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["schema", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.label_key}".strip()
