from django.urls import path

from annotator.web import review_views, views

urlpatterns = [
    path("projects/<slug:slug>/annotate/", views.annotate_next, name="annotate-next"),
    path("projects/<slug:slug>/articles/", views.project_articles, name="project-articles"),
    path("projects/<slug:slug>/datasets/", views.datasets, name="project-datasets"),
    path("projects/<slug:slug>/dashboard/", views.dashboard, name="project-dashboard"),
    path("annotate/<id:pk>/", views.annotate, name="annotate"),
    path("review/<id:pk>/", review_views.review, name="review"),
]
