"""``{{ value|md }}``: user-provided text (project, label and user names) shown as itself in
Markdown, never as markup: line breaks become spaces, and what could start emphasis, code,
a link, a table cell or HTML (``\\ ` * _ [ ] < > | ~ &``) is backslash-escaped, which both
CommonMark and GitHub's renderer honour. Not for text inside code spans, where a backslash
is shown as is."""

import re

from django import template

register = template.Library()

_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")


@register.filter
def md(value: object) -> str:
    return _MARKUP.sub(r"\\\1", " ".join(str(value).splitlines()))
