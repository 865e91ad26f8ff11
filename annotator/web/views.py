"""Server-rendered pages. They only place the user, the project and the article in the page;
the annotation page's script reads and writes everything else through the REST API."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from annotator.core.markdown import render_markdown
from annotator.corpus.assignments import next_article_id
from annotator.corpus.models import Role
from annotator.corpus.permissions import (
    CURATORS,
    DATA_READERS,
    MANAGERS,
    articles_with_access,
    effective_role,
    visible_projects,
)
from annotator.corpus.progress import project_progress
from annotator.exports.formats import FORMATS
from annotator.exports.options import LAYER_HELP, LAYERS, default_layer


def _project(user, slug):
    project = visible_projects(user).filter(slug=slug).first()
    if project is None:
        raise Http404("No such project among yours.")
    project.my_role = effective_role(user, project.my_role)
    return project


@login_required
def home(request):
    """My projects: role, progress bar and the links the role allows."""
    projects = []
    projects_in_use = visible_projects(request.user).filter(archived_at__isnull=True)
    for project in projects_in_use.order_by("name", "pk"):
        project.my_role = effective_role(request.user, project.my_role)
        curator = project.my_role in CURATORS
        progress = project_progress(project, request.user, everyone=curator, per_annotator=False)
        counts = progress["all"] if curator else progress["mine"]
        project.counts = counts
        # Done and skipped apart: a skipped article is not finished work (#14).
        project.percent = round(100 * counts["done"] / counts["total"]) if counts["total"] else 0
        project.can_list = curator
        project.can_export = project.my_role in DATA_READERS
        project.can_annotate = progress["mine"]["total"] > 0
        project.can_manage = project.my_role in MANAGERS
        projects.append(project)
    return render(request, "web/home.html", {"projects": projects})


@login_required
def annotate_next(request, slug):
    project = _project(request.user, slug)
    article_id = next_article_id(project, request.user)
    if article_id is None:
        return render(request, "web/all_done.html", {"project": project})
    return redirect("annotate", pk=article_id)


@login_required
def annotate(request, pk):
    article = articles_with_access(request.user).filter(pk=pk).first()
    role = effective_role(request.user, article.my_role) if article else None
    # Annotators open their assigned articles; reviewers and managers any article of theirs.
    assigned = article is not None and article.my_status is not None
    if not (role in CURATORS or (role == Role.ANNOTATOR and assigned)):
        raise Http404("No such article among those assigned to you.")
    return render(request, "web/annotate.html", {"article": article, "project": article.project})


@login_required
def datasets(request, slug):
    """Researchers, reviewers, managers: request exports and follow them; the list, progress
    and downloads come from the exports API (datasets.js)."""
    project = _project(request.user, slug)
    if project.my_role not in DATA_READERS:
        raise Http404("Only researchers, reviewers and managers see the datasets.")
    context = {
        "project": project,
        # plain values: a template would call a format class
        "formats": [
            {
                "name": name,
                "description": FORMATS[name].description,
                "carries_annotator": FORMATS[name].carries_annotator,
            }
            for name in sorted(FORMATS)
        ],
        "layers": [(layer, LAYER_HELP[layer]) for layer in ("", *LAYERS)],
        "default_layer": default_layer(project),
        "labels": project.schema.labels.order_by("order", "id"),
    }
    return render(request, "web/datasets.html", context)


# docs/ pages shown in the app (the Datasets page links to them), by name
HELP_PAGES = {"formats": "formats.md", "exports": "exports.md"}


@login_required
def help_page(request, name):
    """A page of the documentation (docs/NAME.md), rendered and sanitised like guidelines."""
    if name not in HELP_PAGES:
        raise Http404("No such help page.")
    source = (settings.BASE_DIR / "docs" / HELP_PAGES[name]).read_text(encoding="utf-8")
    context = {"name": HELP_PAGES[name], "body": render_markdown(source)}
    return render(request, "web/help.html", context)


@login_required
def dashboard(request, slug):
    """Managers, reviewers, researchers: progress, spans per label and agreement charts drawn
    by dashboard.js from the stats and agreement APIs (ids and titles, never article text)."""
    project = _project(request.user, slug)
    if project.my_role not in DATA_READERS:
        raise Http404("Only researchers, reviewers and managers see the dashboard.")
    context = {
        "project": project,
        "can_review": project.my_role in CURATORS,
        "can_manage": project.my_role in MANAGERS,
    }
    return render(request, "web/dashboard.html", context)
