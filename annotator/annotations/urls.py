"""/api/v1/ routes of the annotations app: spans, suggestions, comments and review."""

from django.urls import path

from annotator.annotations import api as spans
from annotator.annotations import comments_api, suggestions_api, workload_api
from annotator.annotations import review_api as review

urlpatterns = [
    path("articles/<id:pk>/spans/", spans.ArticleSpans.as_view(), name="api-spans"),
    path("articles/<id:pk>/spans/sync/", spans.ArticleSpansSync.as_view(), name="api-spans-sync"),
    path("spans/<id:pk>/", spans.SpanDetail.as_view(), name="api-span"),
    path(
        "articles/<id:pk>/suggestions/",
        suggestions_api.ArticleSuggestions.as_view(),
        name="api-suggestions",
    ),
    path("articles/<id:pk>/comments/", comments_api.ArticleComments.as_view(), name="api-comments"),
    path("comments/<id:pk>/", comments_api.CommentDetail.as_view(), name="api-comment"),
    path("articles/<id:pk>/review/", review.ArticleReview.as_view(), name="api-review"),
    path(
        "articles/<id:pk>/review/accept/", review.ReviewAccept.as_view(), name="api-review-accept"
    ),
    path(
        "articles/<id:pk>/review/reject/", review.ReviewReject.as_view(), name="api-review-reject"
    ),
    path("articles/<id:pk>/curation/", review.CurationDetail.as_view(), name="api-curation"),
    path(
        "projects/<slug:slug>/review/auto-accept/",
        review.ProjectAutoAccept.as_view(),
        name="api-auto-accept",
    ),
    path(
        "projects/<slug:slug>/workload/",
        workload_api.ProjectWorkload.as_view(),
        name="api-workload",
    ),
]
