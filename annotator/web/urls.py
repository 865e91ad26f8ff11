from django.urls import path

from annotator.web import manage_views, review_views, views

urlpatterns = [
    path("projects/<slug:slug>/annotate/", views.annotate_next, name="annotate-next"),
    path("projects/<slug:slug>/articles/", manage_views.project_articles, name="project-articles"),
    path(
        "projects/<slug:slug>/articles/<id:pk>/",
        manage_views.article_detail,
        name="manage-article",
    ),
    path("projects/<slug:slug>/mine/", manage_views.my_articles, name="my-articles"),
    path("projects/<slug:slug>/datasets/", views.datasets, name="project-datasets"),
    path("projects/<slug:slug>/dashboard/", views.dashboard, name="project-dashboard"),
    path("annotate/<id:pk>/", views.annotate, name="annotate"),
    path("help/<slug:name>/", views.help_page, name="help"),
    path("review/<id:pk>/", review_views.review, name="review"),
    # The manager console
    path("manage/", manage_views.console, name="manage-console"),
    path("manage/new/", manage_views.project_new, name="manage-new"),
    path("projects/<slug:slug>/settings/", manage_views.project_settings, name="manage-settings"),
    path("projects/<slug:slug>/labels/", manage_views.project_labels, name="manage-labels"),
    path("projects/<slug:slug>/members/", manage_views.project_members, name="manage-members"),
    path("projects/<slug:slug>/import/", manage_views.project_import, name="manage-import"),
    path("projects/<slug:slug>/assign/", manage_views.project_assign, name="manage-assign"),
    path(
        "projects/<slug:slug>/recommenders/",
        manage_views.project_recommenders,
        name="manage-recommenders",
    ),
]
