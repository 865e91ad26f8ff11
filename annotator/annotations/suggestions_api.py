"""GET /api/v1/articles/<id>/suggestions/: the diff of the article against its original_text.

Whoever may read the article may read its suggestions (the same rules as the article itself),
except that annotators get none when the project turns them off (``show_suggestions``: they can
prime annotators); accepting one is a normal span create with ``origin: "suggestion"``.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.annotations.suggestions import diff
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.models import Role
from annotator.corpus.permissions import articles_with_access, get_article


class ArticleSuggestions(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "SuggestionsResponse",
                {
                    "article": serializers.IntegerField(),
                    "has_original": serializers.BooleanField(),
                    "shown": serializers.BooleanField(
                        help_text="False: the project does not show annotators suggestions."
                    ),
                    "suggestions": serializers.ListField(child=serializers.DictField()),
                    "deletions": serializers.ListField(child=serializers.DictField()),
                },
            ),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Words inserted or substituted relative to the article's original_text",
    )
    def get(self, request, pk):
        queryset = articles_with_access(request.user).only(
            "id", "text", "original_text", "project__id", "project__show_suggestions"
        )
        article = get_article(request.user, pk, queryset)
        shown = article.project.show_suggestions or article.my_role != Role.ANNOTATOR
        result = diff(article.original_text, article.text) if shown else None
        return Response(
            {
                "article": article.pk,
                "has_original": bool(article.original_text),
                "shown": shown,
                "suggestions": [s.as_dict() for s in result.suggestions] if result else [],
                "deletions": [d.as_dict() for d in result.deletions] if result else [],
            }
        )
