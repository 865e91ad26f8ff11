"""Discussions: a thread of comments per article and per span.

Who reads what (annotators are blind to each other, DESIGN "Roles"):

- reviewers, managers and staff (the curators) read every comment of the articles they curate;
- an annotator reads the article threads' comments written by themselves or by a curator of
  the project, and the threads of their own spans (where only they and curators can write);
- nobody else reads any (researchers read exports and statistics, not articles).

So an annotator never sees what another annotator wrote, in a thread or through a span. Anyone
who may read an article's spans writes in the threads they read; a comment is edited only by
its author, and deleted by its author, a manager or staff (moderation).

The functions take an article already resolved with the caller's ``my_role`` (see
:mod:`annotator.corpus.permissions`); errors are Django ``ValidationError`` naming the field.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from annotator.annotations.models import Comment, Span
from annotator.annotations.serializers import iso_utc
from annotator.corpus.models import Article, Membership, Role
from annotator.corpus.permissions import CURATORS, MANAGERS

MAX_BODY = 10_000  # characters of one comment
CURATOR_ROLES = (Role.REVIEWER, Role.MANAGER)


def is_curator(article: Article) -> bool:
    return getattr(article, "my_role", None) in CURATORS


def _curator_author(article: Article) -> Q:
    """Comments whose author curates the article's project (a superuser always does)."""
    membership = Membership.objects.filter(
        user_id=OuterRef("author_id"), project_id=article.project_id, role__in=CURATOR_ROLES
    )
    return Q(author__is_superuser=True) | Q(Exists(membership))


def visible_comments(user, article: Article) -> QuerySet:
    """The comments of ``article`` that ``user`` may read, oldest first."""
    comments = Comment.objects.filter(article_id=article.pk).select_related("author")
    if is_curator(article):
        return comments.order_by("created_at", "id")
    thread = Q(span__isnull=True) & (Q(author_id=user.pk) | _curator_author(article))
    own_spans = Q(span__annotator_id=user.pk)
    return comments.filter(thread | own_spans).order_by("created_at", "id")


def _clean_body(body) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ValidationError({"body": ["Write something: the comment is empty."]})
    body = body.strip()
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": [f"At most {MAX_BODY:,} characters; this one has {len(body):,}."]}
        )
    return body


def _span_for(user, article: Article, span_id) -> Span | None:
    """The span a new comment belongs to: one of the article's spans that the caller sees."""
    if span_id is None:
        return None
    if isinstance(span_id, bool) or not isinstance(span_id, int):
        raise ValidationError({"span": [f"A span id (a whole number) or null, got {span_id!r}."]})
    spans = Span.objects.filter(pk=span_id, article_id=article.pk)
    if not is_curator(article):
        spans = spans.filter(annotator_id=user.pk)
    span = spans.first()
    if span is None:
        raise ValidationError({"span": [f"No span {span_id} in this article among yours."]})
    return span


def comment_create(*, user, article: Article, body, span_id=None) -> Comment:
    """Add a comment to the article's thread, or to the thread of span ``span_id``."""
    text = _clean_body(body)
    span = _span_for(user, article, span_id)
    return Comment.objects.create(article_id=article.pk, span=span, author=user, body=text)


def comment_update(*, comment: Comment, body) -> Comment:
    comment.body = _clean_body(body)
    comment.save(update_fields=["body", "updated_at"])
    return comment


def may_edit(user, comment: Comment) -> bool:
    return comment.author_id == user.pk


def may_delete(user, comment: Comment, article: Article) -> bool:
    return may_edit(user, comment) or getattr(article, "my_role", None) in MANAGERS


def comment_json(comment: Comment) -> dict:
    edited = (comment.updated_at - comment.created_at).total_seconds() > 1
    return {
        "id": comment.pk,
        "article": comment.article_id,
        "span": comment.span_id,
        "author": comment.author.username,
        "body": comment.body,
        "created_at": iso_utc(comment.created_at),
        "updated_at": iso_utc(comment.updated_at),
        "edited": edited,
    }
