"""/api/v1/ routes of the recommenders app."""

from django.urls import path

from annotator.recommenders import api

PREFIX = "projects/<slug:slug>/recommenders/"

urlpatterns = [
    path(PREFIX, api.RecommenderList.as_view(), name="api-recommenders"),
    path(f"{PREFIX}<id:pk>/", api.RecommenderDetail.as_view(), name="api-recommender"),
    path(f"{PREFIX}<id:pk>/train/", api.RecommenderTrain.as_view(), name="api-recommender-train"),
    path(f"{PREFIX}<id:pk>/models/", api.ModelList.as_view(), name="api-recommender-models"),
    path(
        f"{PREFIX}<id:pk>/models/<id:model_pk>/",
        api.ModelDetail.as_view(),
        name="api-recommender-model",
    ),
    path(
        f"{PREFIX}<id:pk>/models/<id:model_pk>/evaluation/",
        api.ModelEvaluation.as_view(),
        name="api-recommender-model-evaluation",
    ),
    path(
        "articles/<id:pk>/recommendations/",
        api.ArticleRecommendations.as_view(),
        name="api-article-recommendations",
    ),
    path(
        "articles/<id:pk>/recommendations/reject/",
        api.ArticleRejections.as_view(),
        name="api-article-recommendations-reject",
    ),
]
