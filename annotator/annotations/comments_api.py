"""Comment endpoints: an article's discussions (its thread and its spans' threads) and one
comment. The reading rules are in annotator.annotations.comments; comments the caller may not
read answer 404, like the spans they belong to.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.annotations import comments
from annotator.annotations.models import Comment
from annotator.core.queries import only_row
from annotator.core.serializers import ERRORS
from annotator.corpus.permissions import check_article_access, get_article, with_access

OBJECT = OpenApiResponse(OpenApiTypes.OBJECT)


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=comments.MAX_BODY)
    span = serializers.IntegerField(
        required=False, allow_null=True, help_text="A span's id: its thread; none: the article's."
    )


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=comments.MAX_BODY)


def _data(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


def get_comment(user, pk) -> Comment:
    """The comment with its article's ``my_role``; 404 unless the caller may read it."""
    rows = with_access(
        Comment.objects.select_related("article__project", "author"), user, "article"
    )
    comment = only_row(rows.filter(pk=pk))
    if comment is None:
        raise NotFound("No such comment among those you may read.")
    article = comment.article
    article.my_role, article.my_status = comment.my_role, comment.my_status
    try:
        check_article_access(user, article)
    except PermissionDenied:
        raise NotFound("No such comment among those you may read.") from None
    if not comments.visible_comments(user, article).filter(pk=comment.pk).exists():
        raise NotFound("No such comment among those you may read.")
    return comment


class ArticleComments(APIView):
    @extend_schema(
        responses={200: OBJECT, **ERRORS},
        summary="Comments of an article you may read: its thread and its spans' threads",
    )
    def get(self, request, pk):
        article = get_article(request.user, pk)
        rows = comments.visible_comments(request.user, article)
        return Response({"comments": [comments.comment_json(c) for c in rows]})

    @extend_schema(
        request=CommentCreateSerializer,
        responses={201: OBJECT, **ERRORS},
        summary="Comment on an article, or on one of its spans (span: its id)",
    )
    def post(self, request, pk):
        article = get_article(request.user, pk)
        data = _data(request)
        comment = comments.comment_create(
            user=request.user, article=article, body=data.get("body"), span_id=data.get("span")
        )
        return Response(comments.comment_json(comment), status=status.HTTP_201_CREATED)


class CommentDetail(APIView):
    @extend_schema(
        request=CommentUpdateSerializer,
        responses={200: OBJECT, **ERRORS},
        summary="Edit your comment",
    )
    def patch(self, request, pk):
        comment = get_comment(request.user, pk)
        if not comments.may_edit(request.user, comment):
            raise PermissionDenied("Only its author edits a comment.")
        comment = comments.comment_update(comment=comment, body=_data(request).get("body"))
        return Response(comments.comment_json(comment))

    @extend_schema(
        responses={204: None, **ERRORS},
        summary="Delete a comment (its author, a manager or staff)",
    )
    def delete(self, request, pk):
        comment = get_comment(request.user, pk)
        if not comments.may_delete(request.user, comment, comment.article):
            raise PermissionDenied("Only its author, a manager or staff delete a comment.")
        comment.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
