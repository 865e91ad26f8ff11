"""``{{ project.guidelines|guidelines_html }}``: the project's Markdown guidelines as the
sanitised HTML of core.markdown (the manager's preview renders the same way)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from annotator.core.markdown import render_markdown

register = template.Library()


@register.filter
def guidelines_html(markdown: str) -> SafeString:
    # Safe: render_markdown's output went through nh3 with a fixed list of tags.
    return mark_safe(render_markdown(markdown or "", heading_offset=2))  # noqa: S308
