"""Every /api/v1/ route. tests/test_authz_matrix.py compares this list with its table."""

from django.urls import path, re_path

from annotator.agreement import api as agreement
from annotator.agreement import stats_api
from annotator.annotations import api as spans
from annotator.annotations import review_api as review
from annotator.annotations import suggestions_api
from annotator.core import api as core
from annotator.corpus import api as corpus
from annotator.exports import api as exports

urlpatterns = [
    path("token/", core.MyToken.as_view(), name="api-token"),
    path("projects/", corpus.ProjectList.as_view(), name="api-projects"),
    path("projects/<slug:slug>/", corpus.ProjectDetail.as_view(), name="api-project"),
    path("projects/<slug:slug>/members/", corpus.MemberList.as_view(), name="api-members"),
    path(
        "projects/<slug:slug>/members/<int:pk>/", corpus.MemberDetail.as_view(), name="api-member"
    ),
    path("projects/<slug:slug>/articles/", corpus.ArticleList.as_view(), name="api-articles"),
    path(
        "projects/<slug:slug>/articles/next/", corpus.NextArticle.as_view(), name="api-next-article"
    ),
    path("articles/<int:pk>/", corpus.ArticleDetail.as_view(), name="api-article"),
    path("articles/<int:pk>/complete/", corpus.CompleteArticle.as_view(), name="api-complete"),
    path("articles/<int:pk>/skip/", corpus.SkipArticle.as_view(), name="api-skip"),
    path(
        "articles/<int:pk>/assignments/",
        corpus.ArticleAssignments.as_view(),
        name="api-assignments",
    ),
    path("assignments/<int:pk>/", corpus.AssignmentDetail.as_view(), name="api-assignment"),
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
    path("projects/<slug:slug>/exports/", exports.ExportList.as_view(), name="api-exports"),
    path(
        "projects/<slug:slug>/exports/<int:pk>/", exports.ExportDetail.as_view(), name="api-export"
    ),
    path(
        "projects/<slug:slug>/exports/<int:pk>/download/",
        exports.ExportDownload.as_view(),
        name="api-export-download",
    ),
    path(
        "projects/<slug:slug>/agreement/", agreement.AgreementList.as_view(), name="api-agreements"
    ),
    path(
        "projects/<slug:slug>/agreement/<int:pk>/",
        agreement.AgreementDetail.as_view(),
        name="api-agreement",
    ),
    path("projects/<slug:slug>/stats/", stats_api.ProjectStats.as_view(), name="api-stats"),
    # Last: anything else under /api/v1/ is a JSON 404 (not an endpoint, not in the matrix).
    re_path(r"", core.api_not_found, name="api-not-found"),
]
