"""Review endpoints: an article's candidate groups, accept/reject into gold, curation status,
and the project-wide auto-accept. Reviewers, managers and staff only; to anyone else (annotators
are blind to other layers, researchers see statistics only) these answer 404.

The rules live in annotator.annotations.review; the views resolve access and translate.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.annotations import review
from annotator.annotations.models import CurationStatus
from annotator.annotations.serializers import iso_utc, span_json
from annotator.core.fields import StrictIntegerField
from annotator.core.serializers import ErrorSerializer, validated
from annotator.corpus.permissions import CURATORS, get_article, get_project

ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}
OBJECT = OpenApiResponse(OpenApiTypes.OBJECT)


def curated_article(user, pk):
    """The article if the caller curates its project; 404 otherwise (never 403: see above)."""
    try:
        article = get_article(user, pk)
    except PermissionDenied:
        article = None
    if article is None or article.my_role not in CURATORS:
        raise NotFound("No such article among those you review.")
    return article


def curation_json(curation) -> dict:
    return {
        "status": curation.status,
        "reviewer": curation.reviewer.username if curation.reviewer_id else None,
        "rejected": curation.rejected,
        "updated_at": iso_utc(curation.updated_at) if curation.updated_at else None,
    }


class CandidateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]  # DRF's Field.label
    start = StrictIntegerField(min_value=0)
    end = StrictIntegerField(min_value=1)


class CurationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CurationStatus.choices)


class AutoAcceptSerializer(serializers.Serializer):
    k = StrictIntegerField(min_value=1, help_text="Minimum number of identical marks.")
    article_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        required=False,
        allow_empty=False,
        help_text="Only these articles of the project (default: all of them).",
    )


class ArticleReview(APIView):
    @extend_schema(
        responses={200: OBJECT, **ERRORS},
        summary="Candidate groups of an article: identical spans, who marked them, gold or not",
    )
    def get(self, request, pk):
        article = curated_article(request.user, pk)
        return Response(
            {
                "article": article.pk,
                "project": article.project.slug,
                "annotators": review.annotators_of(article),
                "groups": review.group_spans(article),
                "curation": curation_json(review.curation_of(article)),
            }
        )


class ReviewAccept(APIView):
    @extend_schema(
        request=CandidateSerializer,
        responses={201: OBJECT, 200: OBJECT, **ERRORS},
        summary="Accept a span into the gold layer (idempotent; other offsets or label = edit)",
    )
    def post(self, request, pk):
        article = curated_article(request.user, pk)
        data = validated(CandidateSerializer, request.data)
        span, created = review.accept(article, reviewer=request.user, **data)
        return Response(
            span_json(span), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ReviewReject(APIView):
    @extend_schema(
        request=CandidateSerializer,
        responses={200: OBJECT, **ERRORS},
        summary="Reject a candidate: remove it from gold and keep auto-accept from adding it",
    )
    def post(self, request, pk):
        article = curated_article(request.user, pk)
        data = validated(CandidateSerializer, request.data)
        removed = review.reject(article, reviewer=request.user, **data)
        return Response({"removed_from_gold": removed})


class CurationDetail(APIView):
    @extend_schema(
        request=CurationSerializer,
        responses={200: OBJECT, **ERRORS},
        summary="Set an article's curation status (todo, in_progress, done)",
    )
    def patch(self, request, pk):
        article = curated_article(request.user, pk)
        data = validated(CurationSerializer, request.data)
        return Response(curation_json(review.set_status(article, data["status"], request.user)))


class ProjectAutoAccept(APIView):
    @extend_schema(
        request=AutoAcceptSerializer,
        responses={200: OBJECT, **ERRORS},
        summary="Accept into gold every span that at least k annotators marked identically",
    )
    def post(self, request, slug):
        project = get_project(request.user, slug)
        if project.my_role not in CURATORS:
            raise NotFound(f"No project {slug!r} among those you review.")
        data = validated(AutoAcceptSerializer, request.data)
        articles = project.articles.all()
        if "article_ids" in data:
            wanted = set(data["article_ids"])
            found = set(articles.filter(pk__in=wanted).values_list("pk", flat=True))
            if found != wanted:
                missing = ", ".join(map(str, sorted(wanted - found)))
                return Response(
                    {"article_ids": [f"Not articles of this project: {missing}."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            ids = sorted(found)
        else:
            ids = list(articles.values_list("pk", flat=True))
        result = review.auto_accept(ids, data["k"], reviewer=request.user)
        return Response({"promoted": result.promoted, "skipped": result.skipped, "k": data["k"]})
