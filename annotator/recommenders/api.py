"""Recommender endpoints: configure and train recommenders (managers and staff; members read),
read trained models and their evaluation, and an article's recommendations and rejections
(whoever may read the article; the project's switch decides what annotators see).
"""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core import jobs
from annotator.core.serializers import ERRORS, ErrorSerializer, validated
from annotator.corpus.permissions import (
    articles_with_access,
    get_article,
    get_project,
    require_manager,
)
from annotator.recommenders import recommending, services
from annotator.recommenders.models import Recommender, TrainedModel
from annotator.recommenders.serializers import (
    RecommendationsSerializer,
    RecommenderSerializer,
    RecommenderUpdateSerializer,
    RecommenderWriteSerializer,
    RejectionSerializer,
    RejectSerializer,
    TrainedModelSerializer,
    TrainSerializer,
)


def find_recommender(request, slug: str, pk: int, *, manage: bool = False) -> Recommender:
    project = get_project(request.user, slug)
    if manage:
        require_manager(project, "manage this project's recommenders")
    recommender = Recommender.objects.filter(project=project, pk=pk).first()
    if recommender is None:
        raise NotFound(f"No recommender #{pk} in {slug}.")
    recommender.project = project
    return recommender


def find_model(request, slug: str, pk: int, model_pk: int) -> TrainedModel:
    recommender = find_recommender(request, slug, pk)
    model = recommender.models.filter(pk=model_pk).select_related("project", "requester").first()
    if model is None:
        raise NotFound(f"No model #{model_pk} of recommender #{pk}.")
    model.recommender = recommender
    return model


class RecommenderList(APIView):
    @extend_schema(
        responses={200: RecommenderSerializer(many=True), 404: ErrorSerializer},
        summary="A project's recommenders",
    )
    def get(self, request, slug):
        project = get_project(request.user, slug)
        recommenders = Recommender.objects.filter(project=project).order_by("pk")
        return Response(RecommenderSerializer(recommenders, many=True).data)

    @extend_schema(
        request=RecommenderWriteSerializer,
        responses={201: RecommenderSerializer, **ERRORS},
        summary="Add a recommender (managers)",
    )
    def post(self, request, slug):
        project = get_project(request.user, slug)
        require_manager(project, "manage this project's recommenders")
        recommender = services.recommender_create(
            project, validated(RecommenderWriteSerializer, request.data)
        )
        return Response(RecommenderSerializer(recommender).data, status=status.HTTP_201_CREATED)


class RecommenderDetail(APIView):
    @extend_schema(responses={200: RecommenderSerializer, 404: ErrorSerializer})
    def get(self, request, slug, pk):
        return Response(RecommenderSerializer(find_recommender(request, slug, pk)).data)

    @extend_schema(
        request=RecommenderUpdateSerializer,
        responses={200: RecommenderSerializer, **ERRORS},
        summary="Change a recommender (managers)",
    )
    def patch(self, request, slug, pk):
        recommender = find_recommender(request, slug, pk, manage=True)
        data = validated(RecommenderUpdateSerializer, request.data)
        return Response(RecommenderSerializer(services.recommender_update(recommender, data)).data)

    @extend_schema(
        responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Delete a recommender with its models and their files (managers)",
    )
    def delete(self, request, slug, pk):
        services.recommender_delete(find_recommender(request, slug, pk, manage=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecommenderTrain(APIView):
    @extend_schema(
        request=TrainSerializer,
        responses={201: TrainedModelSerializer, 503: ErrorSerializer, **ERRORS},
        summary="Train now (a worker runs it; poll the model). 400 when there is no data",
    )
    def post(self, request, slug, pk):
        recommender = find_recommender(request, slug, pk, manage=True)
        model = services.request_training(recommender, requester=request.user)
        return Response(TrainedModelSerializer(model).data, status=status.HTTP_201_CREATED)


class ModelList(APIView):
    @extend_schema(
        responses={200: TrainedModelSerializer(many=True), 404: ErrorSerializer},
        summary="A recommender's trained models, newest first",
    )
    def get(self, request, slug, pk):
        recommender = find_recommender(request, slug, pk)
        models = recommender.models.select_related("project", "requester").order_by("-version")
        for model in models:
            model.recommender = recommender
        return Response(TrainedModelSerializer(models, many=True).data)


class ModelDetail(APIView):
    @extend_schema(responses={200: TrainedModelSerializer, 404: ErrorSerializer})
    def get(self, request, slug, pk, model_pk):
        return Response(TrainedModelSerializer(find_model(request, slug, pk, model_pk)).data)


class ModelEvaluation(APIView):
    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT, 404: ErrorSerializer},
        summary="The model's evaluation as a JSON download (404 until it is done)",
    )
    def get(self, request, slug, pk, model_pk):
        model = find_model(request, slug, pk, model_pk)
        if model.status != jobs.JobStatus.DONE:
            raise NotFound(f"Model v{model.version} has no evaluation yet ({model.status}).")
        body = json.dumps(model.evaluation, indent=2, sort_keys=True)
        response = HttpResponse(body, content_type="application/json")
        name = f"{model.project.slug}-recommender-{pk}-v{model.version}-evaluation.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _article(request, pk):
    queryset = articles_with_access(request.user).select_related("project__schema")
    return get_article(request.user, pk, queryset)


class ArticleRecommendations(APIView):
    @extend_schema(
        responses={200: RecommendationsSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Recommended spans for the article (offsets in code points)",
    )
    def get(self, request, pk):
        article = _article(request, pk)
        return Response(recommending.recommendations(article, request.user))


class ArticleRejections(APIView):
    @extend_schema(
        request=RejectSerializer,
        responses={201: RejectionSerializer, 200: RejectionSerializer, **ERRORS},
        summary="Turn down a recommendation: never proposed to you again on this article",
    )
    def post(self, request, pk):
        article = _article(request, pk)
        data = validated(RejectSerializer, request.data)
        rejection, created = recommending.reject(article, request.user, data)
        return Response(
            RejectionSerializer(rejection).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
