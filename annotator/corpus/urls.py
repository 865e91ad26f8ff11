"""/api/v1/ routes of the corpus app: projects, members, articles and assignments."""

from django.urls import path

from annotator.corpus import api as corpus
from annotator.corpus import assignment_api, schema_api

SCHEMA = "projects/<slug:slug>/schema/"
LABEL = SCHEMA + "labels/<slug:key>/"

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
    path("articles/<id:pk>/reopen/", corpus.ReopenArticle.as_view(), name="api-reopen"),
    path(
        "articles/<id:pk>/assignments/",
        corpus.ArticleAssignments.as_view(),
        name="api-assignments",
    ),
    path("assignments/<id:pk>/", corpus.AssignmentDetail.as_view(), name="api-assignment"),
    path(
        "projects/<slug:slug>/assignments/round-robin/",
        assignment_api.RoundRobin.as_view(),
        name="api-round-robin",
    ),
    path("projects/<slug:slug>/batches/", assignment_api.Batches.as_view(), name="api-batches"),
    # The label schema editor
    path(SCHEMA, schema_api.ProjectSchema.as_view(), name="api-schema-detail"),
    path(SCHEMA + "labels/", schema_api.SchemaLabels.as_view(), name="api-schema-labels"),
    path(LABEL, schema_api.SchemaLabel.as_view(), name="api-schema-label"),
    path(LABEL + "retire/", schema_api.SchemaLabelRetire.as_view(), name="api-label-retire"),
    path(LABEL + "unretire/", schema_api.SchemaLabelUnretire.as_view(), name="api-label-unretire"),
    path(LABEL + "merge/", schema_api.SchemaLabelMerge.as_view(), name="api-label-merge"),
    path(SCHEMA + "order/", schema_api.SchemaOrder.as_view(), name="api-schema-order"),
    path(SCHEMA + "history/", schema_api.SchemaHistory.as_view(), name="api-schema-history"),
    path(SCHEMA + "export/", schema_api.SchemaExport.as_view(), name="api-schema-export"),
]
