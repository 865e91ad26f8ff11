"""The manager console: server-rendered pages for running a project from the browser.

Pages show what the selectors and services give; every change is a form that the page's script
(frontend/src/manage/forms.js) sends to the REST API, so the console, scripts and the API obey
the same rules. Project pages are for the project's managers and staff (404 for anyone else,
as in the API); the article list is for reviewers too; "My articles" for whoever is assigned.
"""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from annotator.annotations.workload import project_workload
from annotator.corpus.assignments import annotator_members
from annotator.corpus.models import Assignment, AssignmentStatus, Membership, Role
from annotator.corpus.permissions import (
    CURATORS,
    MANAGERS,
    articles_with_access,
    effective_role,
    visible_projects,
)
from annotator.corpus.projects import can_create_projects, projects_sharing, schema_edit_problem
from annotator.corpus.selectors import (
    ASSIGNMENT_STATUSES,
    ArticleFilter,
    articles_by_id,
    assignments_of,
    project_batches,
)
from annotator.corpus.selectors import project_articles as select_articles
from annotator.schemas import editing
from annotator.schemas.colours import MIN_DELTA_E
from annotator.schemas.history import describe
from annotator.schemas.presets import get_preset, preset_names

ARTICLES_PER_PAGE = 100


def _project(user, slug, roles):
    project = visible_projects(user).select_related("schema").filter(slug=slug).first()
    if project is not None:
        project.my_role = effective_role(user, project.my_role)
    if project is None or project.my_role not in roles:
        raise Http404("No such project among those you manage.")
    return project


def _page(request, template, project, tab, **context):
    return render(request, template, {"project": project, "tab": tab, **context})


def _projects_with_roles(user) -> list:
    projects = list(visible_projects(user).order_by("name", "pk"))
    for project in projects:
        project.my_role = effective_role(user, project.my_role)
    return projects


@login_required
def console(request):
    """Projects the user manages (all of them for superusers), and New project."""
    projects = [p for p in _projects_with_roles(request.user) if p.my_role in MANAGERS]
    return render(
        request,
        "web/manage/console.html",
        {
            "active": [p for p in projects if p.archived_at is None],
            "archived": [p for p in projects if p.archived_at is not None],
            "can_create": can_create_projects(request.user),
        },
    )


@login_required
def project_new(request):
    if not can_create_projects(request.user):
        raise PermissionDenied("Creating projects needs the 'create project' permission.")
    presets = []
    for name in preset_names():
        preset = get_preset(name) or {}
        labels = len(preset.get("labels", []))
        presets.append({"name": name, "title": preset.get("title", name), "labels": labels})
    visible = _projects_with_roles(request.user)
    return render(
        request,
        "web/manage/project_new.html",
        {
            "presets": presets,
            "copyable": visible,
            "shareable": [p for p in visible if p.my_role in MANAGERS],
        },
    )


@login_required
def project_settings(request, slug):
    project = _project(request.user, slug, MANAGERS)
    return _page(request, "web/manage/settings.html", project, "settings")


@login_required
def project_labels(request, slug):
    project = _project(request.user, slug, MANAGERS)
    labels = list(editing.labels_with_usage(project.schema))
    names = {label.key: label.name for label in labels}
    history = list(project.schema.changes.select_related("user").order_by("-at", "-id")[:100])
    for change in history:  # a line for people, and the record as the API gives it
        change.summary = describe(change.action, change.detail)
        change.recorded = json.dumps(change.detail, ensure_ascii=False, indent=1)
    return _page(
        request,
        "web/manage/labels.html",
        project,
        "labels",
        labels=labels,
        sharing=list(projects_sharing(project.schema)),
        edit_problem=schema_edit_problem(request.user, project),
        clashes=[clash.message(names) for clash in editing.schema_clashes(project.schema)],
        min_delta_e=MIN_DELTA_E,
        history=history,
    )


@login_required
def project_members(request, slug):
    project = _project(request.user, slug, MANAGERS)
    members = project.memberships.select_related("user").order_by("user__username", "pk")
    return _page(
        request, "web/manage/members.html", project, "members", members=members, roles=Role.choices
    )


@login_required
def project_import(request, slug):
    project = _project(request.user, slug, MANAGERS)
    members = project.memberships.select_related("user").order_by("user__username")
    return _page(
        request,
        "web/manage/import.html",
        project,
        "import",
        members=members,
        labels=project.schema.labels.filter(retired=False).order_by("order", "id"),
        max_upload_mb=settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
    )


@login_required
def project_assign(request, slug):
    project = _project(request.user, slug, MANAGERS)
    return _page(
        request,
        "web/manage/assign.html",
        project,
        "assign",
        annotators=annotator_members(project),
        batches=project_batches(project),
        statuses=ASSIGNMENT_STATUSES,
        workload=project_workload(project),
    )


@login_required
def project_recommenders(request, slug):
    """Recommenders of the project: drawn by manage/recommenders.js from the recommenders API
    (list, edit, train, model history and evaluation); the project's switches are a form."""
    project = _project(request.user, slug, MANAGERS)
    return _page(request, "web/manage/recommenders.html", project, "recommenders")


@login_required
def project_articles(request, slug):
    """Reviewers and managers: the articles, searchable and filtered, with every assignment;
    managers tick articles and assign them."""
    project = _project(request.user, slug, CURATORS)
    try:
        filters = ArticleFilter.from_params(request.GET)
    except ValidationError:  # a hand-edited URL: show everything rather than fail
        filters = ArticleFilter()
    articles = select_articles(project, filters)
    # Pages of ids, then the page's rows (a deferred join, as in the API).
    page = Paginator(articles.values_list("pk", flat=True), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    rows = assignments_of(ids)
    entries = [
        (article, rows[article.pk])
        for article in articles_by_id(ids, articles.select_related("curation"))
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "web/manage/articles.html",
        project,
        "articles",
        page=page,
        entries=entries,
        filters=filters,
        query=query.urlencode(),
        statuses=ASSIGNMENT_STATUSES,
        annotators=annotator_members(project),
        batches=project_batches(project),
        can_manage=project.my_role in MANAGERS,
    )


@login_required
def article_detail(request, slug, pk):
    """An article with its assignments: managers add, reassign, reopen or remove them."""
    project = _project(request.user, slug, CURATORS)
    article = (
        project.articles.defer("original_text").filter(pk=pk).select_related("project").first()
    )
    if article is None:
        raise Http404("No such article in this project.")
    assignments = article.assignments.select_related("annotator").order_by("annotator__username")
    return _page(
        request,
        "web/manage/article.html",
        project,
        "articles",
        article=article,
        excerpt=article.text[:1000],
        assignments=assignments,
        annotators=annotator_members(project),
        statuses=AssignmentStatus.choices,
        can_manage=project.my_role in MANAGERS,
    )


@login_required
def my_articles(request, slug):
    """The articles assigned to the user, with status filter and search; done or skipped ones
    can be reopened."""
    project = visible_projects(request.user).filter(slug=slug).first()
    if project is None or not Membership.objects.filter(user=request.user, project=project):
        raise Http404("No such project among yours.")
    wanted = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    mine = (
        articles_with_access(request.user)
        .filter(project=project, assignments__annotator_id=request.user.pk)
        .defer("text", "original_text", "metadata")
        .order_by("pk")
    )
    if wanted in AssignmentStatus.values:
        mine = mine.filter(assignments__status=wanted)
    if query:
        mine = ArticleFilter(q=query).apply(mine)
    page = Paginator(mine, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(AssignmentStatus.choices)
    for article in page:
        article.status_label = labels.get(article.my_status, "")
    counts = dict(
        Assignment.objects.filter(article__project=project, annotator=request.user)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/manage/my_articles.html",
        {
            "project": project,
            "page": page,
            "status": wanted,
            "q": query,
            "query": params.urlencode(),
            "statuses": AssignmentStatus.choices,
            "reopenable": {AssignmentStatus.DONE, AssignmentStatus.SKIPPED},
            "status_counts": [
                (value, label, counts.get(value, 0)) for value, label in AssignmentStatus.choices
            ],
        },
    )
