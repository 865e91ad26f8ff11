"""/api/v1/ routes of the corpus app: projects, members, articles and assignments."""

from django.urls import path

from annotator.corpus import api as corpus

urlpatterns = [
    path("projects/", corpus.ProjectList.as_view(), name="api-projects"),
    path("projects/<slug:slug>/", corpus.ProjectDetail.as_view(), name="api-project"),
    path("projects/<slug:slug>/members/", corpus.MemberList.as_view(), name="api-members"),
    path("projects/<slug:slug>/members/<id:pk>/", corpus.MemberDetail.as_view(), name="api-member"),
    path(
        "projects/<slug:slug>/members/<id:pk>/unlock/",
        corpus.MemberUnlock.as_view(),
        name="api-member-unlock",
    ),
    path("projects/<slug:slug>/articles/", corpus.ArticleList.as_view(), name="api-articles"),
    path(
        "projects/<slug:slug>/articles/next/", corpus.NextArticle.as_view(), name="api-next-article"
    ),
    path("articles/<id:pk>/", corpus.ArticleDetail.as_view(), name="api-article"),
    path("images/<id:pk>/file/", corpus.ImageFile.as_view(), name="api-image-file"),
    path("articles/<id:pk>/complete/", corpus.CompleteArticle.as_view(), name="api-complete"),
    path("articles/<id:pk>/skip/", corpus.SkipArticle.as_view(), name="api-skip"),
    path(
        "articles/<id:pk>/assignments/",
        corpus.ArticleAssignments.as_view(),
        name="api-assignments",
    ),
    path("assignments/<id:pk>/", corpus.AssignmentDetail.as_view(), name="api-assignment"),
]
