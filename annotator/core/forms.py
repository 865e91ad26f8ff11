"""Form helpers every app's admin uses."""

from typing import Any, ClassVar

from django import forms

from annotator.core.text import normalize_text


class NormalizedTextMixin(forms.BaseForm):
    """For ModelForms: the fields named in ``normalized_fields`` are stored the way every path
    stores text (``normalize_text``: no leading BOM, LF line breaks). Browsers send a textarea's
    line breaks as CRLF, so without this an admin edit would store CRs that shift every offset.
    The text is otherwise kept as typed (no stripping)."""

    normalized_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.normalized_fields:
            field = self.fields.get(name)
            if isinstance(field, forms.CharField):
                field.strip = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.normalized_fields:
            if isinstance(data.get(name), str):
                data[name] = normalize_text(data[name])
        return data
