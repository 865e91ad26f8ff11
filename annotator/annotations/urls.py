"""/api/v1/ routes of the annotations app: spans, suggestions and review."""

from django.urls import path

from annotator.annotations import api as spans
from annotator.annotations import review_api as review
from annotator.annotations import suggestions_api

urlpatterns = [
    path("articles/<int:pk>/spans/", spans.ArticleSpans.as_view(), name="api-spans"),
    path("articles/<int:pk>/spans/sync/", spans.ArticleSpansSync.as_view(), name="api-spans-sync"),
    path("spans/<int:pk>/", spans.SpanDetail.as_view(), name="api-span"),
    path(
        "articles/<int:pk>/suggestions/",
        suggestions_api.ArticleSuggestions.as_view(),
        name="api-suggestions",
    ),
    path("articles/<int:pk>/review/", review.ArticleReview.as_view(), name="api-review"),
    path(
        "articles/<int:pk>/review/accept/", review.ReviewAccept.as_view(), name="api-review-accept"
    ),
    path(
        "articles/<int:pk>/review/reject/", review.ReviewReject.as_view(), name="api-review-reject"
    ),
    path("articles/<int:pk>/curation/", review.CurationDetail.as_view(), name="api-curation"),
    path(
        "projects/<slug:slug>/review/auto-accept/",
        review.ProjectAutoAccept.as_view(),
        name="api-auto-accept",
    ),
]
