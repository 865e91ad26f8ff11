from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from annotator.corpus.models import Project


@login_required
def home(request):
    projects = Project.objects.all() if request.user.is_superuser else request.user.projects.all()
    return render(request, "web/home.html", {"projects": projects.order_by("name")})
