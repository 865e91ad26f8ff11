"""Who may see and change which spans: the layer rules on top of the project and article
access of :mod:`annotator.corpus.permissions` (404 for spans the caller must not know about)."""

from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from annotator.annotations.models import Span
from annotator.core.params import parse_id
from annotator.core.queries import only_row
from annotator.corpus.models import Article
from annotator.corpus.permissions import CURATORS, MANAGERS, check_article_access, with_access


def layer_for(user, article: Article, layer: str | None):
    """Resolve a ``layer`` request parameter to a span filter value for ``article``.

    ``mine`` (the default) is the caller's own spans, ``gold`` the project's gold layer,
    ``all`` every layer, a number one annotator's layer. Only curators (reviewers, managers,
    staff) read layers other than their own. Returns ``("all", None)`` or ``("user", id|None)``.
    """
    layer = (layer or "mine").strip()
    if layer == "mine":
        return ("user", user.pk)
    if article.my_role not in CURATORS:
        raise PermissionDenied("Annotators see only their own spans (layer=mine).")
    if layer == "all":
        return ("all", None)
    if layer == "gold":
        return ("user", None)
    if (annotator_id := parse_id(layer)) is not None:
        return ("user", annotator_id)
    raise ValidationError({"layer": ["Use mine, gold, all or an annotator's user id."]})


def check_layer_write(user, article: Article, annotator_id) -> None:
    """Writes go to the caller's own layer; the gold layer is for curators; managers may fix any."""
    if annotator_id == user.pk:
        return
    if annotator_id is None and article.my_role in CURATORS:
        return
    if article.my_role in MANAGERS:
        return
    raise PermissionDenied("You may change only your own spans.")


def get_span(user, span_id):
    """A span with its article's access annotations; 404 unless the caller may read it."""
    spans = Span.objects.select_related("label", "article__project").filter(pk=span_id)
    span = only_row(with_access(spans, user, "article"))
    if span is not None:
        span.article.my_role, span.article.my_status = span.my_role, span.my_status
    return check_span_access(user, span)


def check_span_access(user, span):
    """Apply the read rules to a span (or None) whose article has ``my_role``/``my_status``."""
    if span is None:
        raise NotFound("No such span in your layers.")
    article = span.article
    try:
        check_article_access(user, article)
    except PermissionDenied:
        raise NotFound("No such span in your layers.") from None
    if span.annotator_id != user.pk and article.my_role not in CURATORS:
        raise NotFound("No such span in your layers.")
    return span
