from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.markdown import render_markdown
from annotator.core.serializers import validated
from annotator.core.tokens import create_token, revoke_token, token_status


class TokenSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    created = serializers.DateTimeField(allow_null=True)
    key = serializers.CharField(required=False, help_text="Only in the answer to a create.")


class MyToken(APIView):
    """Your personal API token."""

    @extend_schema(responses={200: TokenSerializer}, summary="Whether you have a token")
    def get(self, request):
        return Response(TokenSerializer(token_status(request.user)).data)

    @extend_schema(
        request=None,
        responses={201: TokenSerializer},
        summary="Create a token (replaces the old one); the key is shown only now",
    )
    def post(self, request):
        token = create_token(request.user)
        body = {"exists": True, "created": token.created, "key": token.key}
        response = Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)  # a secret: no browser or proxy may keep a copy
        return response

    @extend_schema(request=None, responses={204: None}, summary="Revoke your token")
    def delete(self, request):
        revoke_token(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkdownSerializer(serializers.Serializer):
    markdown = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=200_000)


class MarkdownHtmlSerializer(serializers.Serializer):
    html = serializers.CharField(help_text="Sanitised HTML, safe to insert into a page.")


class MarkdownPreview(APIView):
    """Markdown as the app shows it (guidelines): rendered and sanitised on the server."""

    @extend_schema(
        request=MarkdownSerializer,
        responses={200: MarkdownHtmlSerializer},
        summary="Render Markdown to sanitised HTML (the guidelines preview)",
    )
    def post(self, request):
        markdown = validated(MarkdownSerializer, request.data)["markdown"]
        return Response({"html": render_markdown(markdown)})


@csrf_exempt  # answers every method with 404; there is nothing to protect
def api_not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a JSON 404 like every other API error, not an HTML page."""
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)


def server_error(request):
    """The project's handler500: under /api/ a JSON body as every other API answer (a script
    parses it), elsewhere the 500.html page."""
    if request.path.startswith("/api/"):
        message = "Server error: the request failed on the server (it has been logged)."
        return JsonResponse({"detail": message}, status=500)
    return defaults.server_error(request)
