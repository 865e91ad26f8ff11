"""Admin forms for labels: immutable keys, reserved hotkeys, no deletion of labels in use."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from annotator.core.forms import NormalizedTextMixin

from .models import Label
from .spec import RESERVED_HOTKEYS, reserved_message

IN_USE_HELP = "In use by spans: cannot be deleted. Retire it, or merge it into another label."


class LabelForm(NormalizedTextMixin, forms.ModelForm):
    normalized_fields = ("description", "example")

    class Meta:
        model = Label
        fields = [
            "key",
            "name",
            "official_label",
            "color",
            "hotkey",
            "category",
            "description",
            "example",
            "order",
            "retired",
        ]
        widgets = {
            # Narrow inputs so that a schema's label rows fit on one screen in the inline.
            "key": forms.TextInput(attrs={"size": 18}),
            "name": forms.TextInput(attrs={"size": 20}),
            "official_label": forms.TextInput(attrs={"size": 18}),
            "hotkey": forms.TextInput(attrs={"size": 2, "maxlength": 1}),
            "category": forms.TextInput(attrs={"size": 14}),
            "order": forms.NumberInput(attrs={"style": "width: 4em"}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "example": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            "color": forms.TextInput(attrs={"type": "color"}),
        }
        help_texts = {
            "hotkey": "Left empty on a new label: the next free key (1-9, then letters). "
            f"Reserved by the annotation page: {', '.join(sorted(RESERVED_HOTKEYS))}.",
            "color": "Left empty on a new label: the next palette colour.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            if "key" in self.fields:  # the Label admin shows it read-only instead
                # The key is the label's identity in the API, imports and exports.
                self.fields["key"].disabled = True
                self.fields["key"].help_text = "A label's key never changes."
        elif "color" in self.fields:
            self.fields["color"].required = False
            self.fields["color"].widget = forms.TextInput(
                attrs={"placeholder": "#rrggbb", "size": 8}
            )
            self.initial.setdefault("color", "")

    def clean_hotkey(self):
        hotkey = (self.cleaned_data.get("hotkey") or "").lower()
        if hotkey in RESERVED_HOTKEYS:
            raise ValidationError(reserved_message(hotkey))
        return hotkey

    def clean(self):
        cleaned = super().clean()
        # The DB constraint would only fail at save time (the schema is not a field of every
        # form): check here, so the admin shows an error instead of a server error.
        hotkey = cleaned.get("hotkey")
        schema = cleaned.get("schema") or (
            self.instance.schema if self.instance.schema_id else None
        )
        if hotkey and schema is not None:
            clash = (
                Label.objects.filter(schema=schema, hotkey=hotkey)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash is not None:
                self.add_error("hotkey", f"Hotkey {hotkey!r} is already used by {clash}.")
        return cleaned


class LabelInlineFormSet(BaseInlineFormSet):
    """Checks keys and hotkeys across the rows and refuses to delete labels in use."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and _in_use(form.instance):
            form.fields["DELETE"].disabled = True
            form.fields["DELETE"].help_text = IN_USE_HELP

    def clean(self):
        super().clean()
        hotkeys: dict[str, str] = {}
        keys: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]  # Django's, not in the stubs
                if _in_use(form.instance):
                    raise ValidationError(
                        f"Label {form.instance.key!r} is used by spans and cannot be deleted; "
                        "retire it, or merge it into another label."
                    )
                continue
            key = form.cleaned_data.get("key")
            if key in keys:
                form.add_error("key", f"Another row also uses the key {key!r}.")
            keys.add(key)
            hotkey = form.cleaned_data.get("hotkey")
            if hotkey:
                if hotkey in hotkeys:
                    form.add_error(
                        "hotkey", f"Hotkey {hotkey!r} is also used by label {hotkeys[hotkey]!r}."
                    )
                hotkeys[hotkey] = key


def _in_use(label: Label) -> bool:
    if label.pk is None:
        return False
    count = getattr(label, "span_count", None)
    return bool(count) if count is not None else label.spans.exists()


class MergeLabelsForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Label.objects.none(), help_text="Every span of the selected labels moves here."
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]  # a ModelChoiceField


class ImportSchemaForm(forms.Form):
    file = forms.FileField(help_text="A schema JSON file, as written by 'Export as JSON'.")
    name = forms.CharField(
        required=False,
        max_length=200,
        help_text="Schema name; empty: the file's name. An existing schema is updated.",
    )
