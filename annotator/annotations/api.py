"""Span endpoints: a layer of an article (list/create/sync) and one span (read/update/delete).

The views only resolve access (annotator.corpus.permissions and annotations.permissions) and
translate between HTTP and the span service (annotator.annotations.spans), which holds every
rule about spans; its errors are answered by annotator.core.exceptions.
"""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.annotations import span_sql
from annotator.annotations import spans as service
from annotator.annotations.models import Span
from annotator.annotations.permissions import (
    check_layer_write,
    check_span_access,
    get_span,
    layer_for,
)
from annotator.annotations.serializers import (
    SpanCreateSerializer,
    SpanSerializer,
    SpanUpdateSerializer,
    SyncFailureSerializer,
    SyncOperationSerializer,
    SyncRequestSerializer,
    SyncResponseSerializer,
    layer_json,
    span_json,
)
from annotator.core.params import parse_id
from annotator.core.renderers import PLAIN_JSON_RENDERERS
from annotator.core.serializers import ErrorSerializer
from annotator.corpus.permissions import check_article_access, get_article

LAYER_PARAM = OpenApiParameter(
    "layer",
    OpenApiTypes.STR,
    description="mine (default), gold, all, or an annotator's user id (reviewers, managers).",
)
WRITE_LAYER_PARAM = OpenApiParameter(
    "layer",
    OpenApiTypes.STR,
    enum=["mine", "gold"],
    description="mine (default) or gold (reviewers and managers write the gold layer).",
)
ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Text mismatch or stale version."),
    412: OpenApiResponse(OpenApiTypes.OBJECT, description="If-Match does not match."),
    413: ErrorSerializer,
}


def span_response(span: Span, code: int) -> Response:
    return Response(span_json(span), status=code, headers={"ETag": service.etag(span)})


def _write_layer(request, article):
    """The layer a write goes to: the caller's own, or the gold layer for curators."""
    layer = request.query_params.get("layer", "mine")
    if layer not in {"mine", "gold"}:
        raise ValidationError({"layer": ["Writes go to layer=mine or layer=gold."]})
    annotator_id = request.user.pk if layer == "mine" else None
    check_layer_write(request.user, article, annotator_id)
    return annotator_id


class ArticleSpans(APIView):
    renderer_classes = PLAIN_JSON_RENDERERS

    @extend_schema(
        parameters=[LAYER_PARAM],
        responses={200: SpanSerializer(many=True), **ERRORS},
        summary="Spans of an article (your own layer unless you are a reviewer or manager)",
    )
    def get(self, request, pk):
        article, _ = span_sql.load_article_access(request.user.pk, pk)
        if article is None:
            raise NotFound("No such article among those assigned to you.")
        check_article_access(request.user, article)
        kind, annotator_id = layer_for(request.user, article, request.query_params.get("layer"))
        rows = span_sql.layer_rows(article.pk, annotator_id, every_layer=kind == "all")
        return Response(layer_json(rows))

    @extend_schema(
        parameters=[WRITE_LAYER_PARAM],
        request=SpanCreateSerializer,
        responses={201: SpanSerializer, 200: SpanSerializer, **ERRORS},
        summary="Create a span (idempotent on client_id: a replay answers 200 with the span)",
    )
    def post(self, request, pk):
        # Read and check the body before taking the lock; its errors are answered after the
        # access checks, as for any other request (a 404 says nothing about the body).
        serializer = SpanCreateSerializer(data=request.data)
        valid = serializer.is_valid()
        data = serializer.validated_data if valid else {}
        with transaction.atomic():
            # One query finds the article, the caller's role and assignment, the label of the
            # project's schema, and takes the article's write lock.
            article, labels = span_sql.load_article_access(
                request.user.pk, pk, data.get("label"), lock=True
            )
            if article is None:
                raise NotFound("No such article among those assigned to you.")
            check_article_access(request.user, article)
            annotator_id = _write_layer(request, article)
            if not valid:
                raise ValidationError(serializer.errors)
            # A service error leaves the atomic block, rolling back anything half-done.
            span, created = service.create_span(
                article, annotator_id, locked=True, labels=labels, **data
            )
        return span_response(span, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ArticleSpansSync(APIView):
    renderer_classes = PLAIN_JSON_RENDERERS

    @extend_schema(
        parameters=[WRITE_LAYER_PARAM],
        request=SyncRequestSerializer,
        responses={
            200: SyncResponseSerializer,
            # A batch that failed at one operation, or a body that is no batch at all.
            400: PolymorphicProxySerializer(
                component_name="SyncError",
                serializers=[SyncFailureSerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
            409: SyncFailureSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            413: ErrorSerializer,
        },
        summary="Apply a batch of span operations in one transaction (all or nothing)",
    )
    def post(self, request, pk):
        article = get_article(request.user, pk)
        annotator_id = _write_layer(request, article)
        operations = request.data.get("operations") if isinstance(request.data, dict) else None
        if not isinstance(operations, list):
            raise ValidationError({"operations": ['Send {"operations": [...]}.']})
        if not operations or len(operations) > service.MAX_SYNC_OPERATIONS:
            raise ValidationError(
                {"operations": [f"Send 1 to {service.MAX_SYNC_OPERATIONS} operations."]}
            )
        checked = []
        for index, operation in enumerate(operations):
            serializer = SyncOperationSerializer(data=operation)
            if not serializer.is_valid():
                kind = operation.get("op") if isinstance(operation, dict) else None
                raise service.SyncFailed(index, kind, service.SpanError(serializer.errors))
            checked.append(serializer.validated_data)
        results = service.sync_spans(article, annotator_id, checked)
        return Response({"results": [_result_json(result) for result in results]})


def _result_json(result: dict) -> dict:
    if "span" in result:
        return {**result, "span": span_json(result["span"])}
    return result


class SpanDetail(APIView):
    renderer_classes = PLAIN_JSON_RENDERERS

    @extend_schema(responses={200: SpanSerializer, **ERRORS}, summary="One span")
    def get(self, request, pk):
        return span_response(get_span(request.user, pk), status.HTTP_200_OK)

    @extend_schema(
        request=SpanUpdateSerializer,
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)
        ],
        responses={200: SpanSerializer, **ERRORS},
        summary="Change a span; needs its current version (body) or ETag (If-Match)",
    )
    def patch(self, request, pk):
        serializer = SpanUpdateSerializer(data=request.data)
        valid = serializer.is_valid()
        data = dict(serializer.validated_data) if valid else {}
        with transaction.atomic():
            # One query finds the span, its article, the caller's access, the new label (if
            # any) and takes the article's write lock; errors as for create.
            span, labels = span_sql.load_span_target(request.user.pk, pk, data.get("label"))
            check_span_access(request.user, span)
            check_layer_write(request.user, span.article, span.annotator_id)
            if not valid:
                raise ValidationError(serializer.errors)
            version = data.pop("version", None)
            span = service.update_span(
                span,
                version=version,
                if_match=request.headers.get("If-Match"),
                changes=data,
                labels=labels,
                locked=True,
            )
        return span_response(span, status.HTTP_200_OK)

    @extend_schema(
        parameters=[
            OpenApiParameter("version", OpenApiTypes.INT, required=False),
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False),
        ],
        responses={204: None, **ERRORS},
        summary="Delete a span (optionally only if still at ?version= or If-Match)",
    )
    def delete(self, request, pk):
        span = get_span(request.user, pk)
        check_layer_write(request.user, span.article, span.annotator_id)
        version = request.query_params.get("version")
        if version is not None:
            version = parse_id(version)
            if version is None:
                raise ValidationError({"version": ["Must be a whole number (ASCII digits)."]})
        service.delete_span(span, version=version, if_match=request.headers.get("If-Match"))
        return Response(status=status.HTTP_204_NO_CONTENT)
