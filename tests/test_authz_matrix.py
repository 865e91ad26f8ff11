"""The authorisation matrix: every /api/v1/ endpoint x method x role x object, one table.

Objects are named from the point of view of the annotator ``ann``: ``own`` is their project,
article, assignment or span; ``other`` is another annotator's in the same project; ``foreign``
is in another project (where ``outsider`` is the annotator). Roles, in column order:

    ann   annotator of the project (session)       out   annotator of the other project
    rev   reviewer                                  res   researcher
    mgr   manager                                   anon  not logged in
    tok   ann through ``Authorization: Token``      su    staff superuser

Every request runs in a savepoint that is rolled back, so each cell starts from the same world.
A route or method that the URL resolver knows but the table lacks fails
``test_table_covers_every_route``.
"""

import io
import uuid

import pytest
from api_helpers import World, client_for
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from annotator.corpus.models import Assignment, Membership

pytestmark = pytest.mark.django_db

ROLES = ("ann", "out", "rev", "res", "mgr", "anon", "tok", "su")


def codes(row: str) -> dict[str, int]:
    values = [int(code) for code in row.split()]
    assert len(values) == len(ROLES), row
    return dict(zip(ROLES, values, strict=True))


MEMBER = "projects/<slug:slug>/members/<id:pk>/"
NEXT = "projects/<slug:slug>/articles/next/"
EXPORTS = "projects/<slug:slug>/exports/"
EXPORT = EXPORTS + "<id:pk>/"
AGREEMENTS = "projects/<slug:slug>/agreement/"
AGREEMENT = AGREEMENTS + "<id:pk>/"
REVIEW = "articles/<id:pk>/review/"
CURATION = "articles/<id:pk>/curation/"
AUTO_ACCEPT = "projects/<slug:slug>/review/auto-accept/"
IMPORTS = "projects/<slug:slug>/imports/"
IMPORT = IMPORTS + "<id:pk>/"
COMMENTS = "articles/<id:pk>/comments/"
COMMENT = "comments/<id:pk>/"
SCHEMA = "projects/<slug:slug>/schema/"
LABEL = SCHEMA + "labels/<slug:key>/"
ROUND_ROBIN = "projects/<slug:slug>/assignments/round-robin/"
RECOMMENDERS = "projects/<slug:slug>/recommenders/"
RECOMMENDER = RECOMMENDERS + "<id:pk>/"
TRAINED = RECOMMENDER + "models/<id:model_pk>/"
RECOMMENDATIONS = "articles/<id:pk>/recommendations/"
# Members of the project read (recommenders, models, evaluations).
MEMBERS_OWN = "200 404 200 200 200 401 200 200"
MEMBERS_FOREIGN = "404 200 404 404 404 401 404 200"
# Manager-only project endpoints: the shape of the members rows.
MANAGERS_OWN = "403 404 403 403 {ok} 401 403 {ok}"
MANAGERS_FOREIGN = "404 403 404 404 404 401 404 {ok}"

# (route, method, object): expected status per role --------------------------------------------
#                                                    ann out rev res mgr anon tok su
TABLE = {
    ("token/", "GET", "-"): codes("200 200 200 200 200 401 200 200"),
    ("token/", "POST", "-"): codes("201 201 201 201 201 401 201 201"),
    ("token/", "DELETE", "-"): codes("204 204 204 204 204 401 204 204"),
    ("projects/", "GET", "-"): codes("200 200 200 200 200 401 200 200"),
    # Creating projects: staff, or the corpus.add_project permission (nobody here but root).
    ("projects/", "POST", "-"): codes("403 403 403 403 403 401 403 201"),
    ("markdown/", "POST", "-"): codes("200 200 200 200 200 401 200 200"),
    ("projects/<slug:slug>/", "GET", "own"): codes("200 404 200 200 200 401 200 200"),
    ("projects/<slug:slug>/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("projects/<slug:slug>/", "PATCH", "own"): codes(MANAGERS_OWN.format(ok=200)),
    ("projects/<slug:slug>/", "PATCH", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    ("projects/<slug:slug>/members/", "GET", "own"): codes("403 404 403 403 200 401 403 200"),
    ("projects/<slug:slug>/members/", "GET", "foreign"): codes("404 403 404 404 404 401 404 200"),
    ("projects/<slug:slug>/members/", "POST", "own"): codes("403 404 403 403 201 401 403 201"),
    ("projects/<slug:slug>/members/", "POST", "foreign"): codes("404 403 404 404 404 401 404 201"),
    (MEMBER, "PATCH", "own"): codes("403 404 403 403 200 401 403 200"),
    (MEMBER, "PATCH", "foreign"): codes("404 403 404 404 404 401 404 200"),
    (MEMBER, "DELETE", "own"): codes("403 404 403 403 204 401 403 204"),
    (MEMBER, "DELETE", "foreign"): codes("404 403 404 404 404 401 404 204"),
    (MEMBER + "unlock/", "POST", "own"): codes("403 404 403 403 200 401 403 200"),
    (MEMBER + "unlock/", "POST", "foreign"): codes("404 403 404 404 404 401 404 200"),
    ("projects/<slug:slug>/articles/", "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    ("projects/<slug:slug>/articles/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("projects/<slug:slug>/articles/", "POST", "own"): codes("403 404 403 403 201 401 403 201"),
    ("projects/<slug:slug>/articles/", "POST", "foreign"): codes("404 403 404 404 404 401 404 201"),
    # Imports (background jobs): managers upload and follow them.
    (IMPORTS, "GET", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (IMPORTS, "GET", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (IMPORTS, "POST", "own"): codes(MANAGERS_OWN.format(ok=201)),
    (IMPORTS, "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=201)),
    (IMPORT, "GET", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (IMPORT, "GET", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    # 204: nothing assigned to you.
    (NEXT, "GET", "own"): codes("200 404 204 403 204 401 200 204"),
    (NEXT, "GET", "foreign"): codes("404 200 404 404 404 401 404 204"),
    ("images/<id:pk>/file/", "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    ("images/<id:pk>/file/", "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    ("images/<id:pk>/file/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("articles/<id:pk>/", "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    ("articles/<id:pk>/", "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    ("articles/<id:pk>/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    # Completing/skipping needs your own assignment: 404 for curators without one.
    ("articles/<id:pk>/complete/", "POST", "own"): codes("200 404 404 403 404 401 200 404"),
    ("articles/<id:pk>/complete/", "POST", "other"): codes("404 404 404 403 404 401 404 404"),
    ("articles/<id:pk>/complete/", "POST", "foreign"): codes("404 200 404 404 404 401 404 404"),
    ("articles/<id:pk>/skip/", "POST", "own"): codes("200 404 404 403 404 401 200 404"),
    ("articles/<id:pk>/skip/", "POST", "other"): codes("404 404 404 403 404 401 404 404"),
    ("articles/<id:pk>/skip/", "POST", "foreign"): codes("404 200 404 404 404 401 404 404"),
    ("articles/<id:pk>/reopen/", "POST", "own"): codes("200 404 404 403 404 401 200 404"),
    ("articles/<id:pk>/reopen/", "POST", "other"): codes("404 404 404 403 404 401 404 404"),
    ("articles/<id:pk>/reopen/", "POST", "foreign"): codes("404 200 404 404 404 401 404 404"),
    # Assigning many articles: managers; batches and workload: reviewers too.
    (ROUND_ROBIN, "POST", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (ROUND_ROBIN, "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    ("projects/<slug:slug>/batches/", "GET", "own"): codes("403 404 200 403 200 401 403 200"),
    ("projects/<slug:slug>/batches/", "GET", "foreign"): codes("404 403 404 404 404 401 404 200"),
    ("projects/<slug:slug>/workload/", "GET", "own"): codes("403 404 200 403 200 401 403 200"),
    ("projects/<slug:slug>/workload/", "GET", "foreign"): codes("404 403 404 404 404 401 404 200"),
    # The label schema editor: managers of the project (of every project sharing the schema).
    (SCHEMA, "GET", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (SCHEMA, "GET", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (SCHEMA, "PATCH", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (SCHEMA, "PATCH", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (SCHEMA + "labels/", "POST", "own"): codes(MANAGERS_OWN.format(ok=201)),
    (SCHEMA + "labels/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=201)),
    (LABEL, "PATCH", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (LABEL, "PATCH", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (LABEL, "DELETE", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (LABEL, "DELETE", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (LABEL + "retire/", "POST", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (LABEL + "retire/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (LABEL + "unretire/", "POST", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (LABEL + "unretire/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (LABEL + "merge/", "POST", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (LABEL + "merge/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (SCHEMA + "order/", "POST", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (SCHEMA + "order/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (SCHEMA + "history/", "GET", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (SCHEMA + "history/", "GET", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (SCHEMA + "export/", "GET", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (SCHEMA + "export/", "GET", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    ("articles/<id:pk>/assignments/", "GET", "own"): codes("403 404 403 403 200 401 403 200"),
    ("articles/<id:pk>/assignments/", "GET", "other"): codes("404 404 403 403 200 401 404 200"),
    ("articles/<id:pk>/assignments/", "GET", "foreign"): codes("404 403 404 404 404 401 404 200"),
    ("articles/<id:pk>/assignments/", "POST", "own"): codes("403 404 403 403 201 401 403 201"),
    ("articles/<id:pk>/assignments/", "POST", "other"): codes("404 404 403 403 201 401 404 201"),
    ("articles/<id:pk>/assignments/", "POST", "foreign"): codes("404 403 404 404 404 401 404 201"),
    # An annotator's own assignment is theirs to work on, not to change: 403.
    ("assignments/<id:pk>/", "PATCH", "own"): codes("403 404 403 403 200 401 403 200"),
    ("assignments/<id:pk>/", "PATCH", "other"): codes("404 404 403 403 200 401 404 200"),
    ("assignments/<id:pk>/", "PATCH", "foreign"): codes("404 403 404 404 404 401 404 200"),
    ("assignments/<id:pk>/", "DELETE", "own"): codes("403 404 403 403 204 401 403 204"),
    ("assignments/<id:pk>/", "DELETE", "other"): codes("404 404 403 403 204 401 404 204"),
    ("assignments/<id:pk>/", "DELETE", "foreign"): codes("404 403 404 404 404 401 404 204"),
    # Everyone who may read an article writes spans in their own layer of it.
    ("articles/<id:pk>/spans/", "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    ("articles/<id:pk>/spans/", "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    ("articles/<id:pk>/spans/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("articles/<id:pk>/spans/", "POST", "own"): codes("201 404 201 403 201 401 201 201"),
    ("articles/<id:pk>/spans/", "POST", "other"): codes("404 404 201 403 201 401 404 201"),
    ("articles/<id:pk>/spans/", "POST", "foreign"): codes("404 201 404 404 404 401 404 201"),
    ("articles/<id:pk>/spans/sync/", "POST", "own"): codes("200 404 200 403 200 401 200 200"),
    ("articles/<id:pk>/spans/sync/", "POST", "other"): codes("404 404 200 403 200 401 404 200"),
    ("articles/<id:pk>/spans/sync/", "POST", "foreign"): codes("404 200 404 404 404 401 404 200"),
    # Diff suggestions: whoever may read the article.
    ("articles/<id:pk>/suggestions/", "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    ("articles/<id:pk>/suggestions/", "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    ("articles/<id:pk>/suggestions/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    # Reviewers read every layer but change none but gold; managers may fix any span.
    ("spans/<id:pk>/", "GET", "own"): codes("200 404 200 404 200 401 200 200"),
    ("spans/<id:pk>/", "GET", "other"): codes("404 404 200 404 200 401 404 200"),
    ("spans/<id:pk>/", "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("spans/<id:pk>/", "PATCH", "own"): codes("200 404 403 404 200 401 200 200"),
    ("spans/<id:pk>/", "PATCH", "other"): codes("404 404 403 404 200 401 404 200"),
    ("spans/<id:pk>/", "PATCH", "foreign"): codes("404 200 404 404 404 401 404 200"),
    ("spans/<id:pk>/", "DELETE", "own"): codes("204 404 403 404 204 401 204 204"),
    ("spans/<id:pk>/", "DELETE", "other"): codes("404 404 403 404 204 401 404 204"),
    ("spans/<id:pk>/", "DELETE", "foreign"): codes("404 204 404 404 404 401 404 204"),
    # Exports: researchers, reviewers, managers, staff; annotators (blind to others) get 404.
    (EXPORTS, "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    (EXPORTS, "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (EXPORTS, "POST", "own"): codes("404 404 201 201 201 401 404 201"),
    (EXPORTS, "POST", "foreign"): codes("404 404 404 404 404 401 404 201"),
    (EXPORT, "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    (EXPORT, "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (EXPORT + "download/", "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    (EXPORT + "download/", "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    # Agreement: the same readers as exports; annotators (blind to others) get 404.
    (AGREEMENTS, "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    (AGREEMENTS, "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (AGREEMENTS, "POST", "own"): codes("404 404 201 201 201 401 404 201"),
    (AGREEMENTS, "POST", "foreign"): codes("404 404 404 404 404 401 404 201"),
    (AGREEMENT, "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    (AGREEMENT, "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    # Dashboard statistics: the agreement readers (no article text in them).
    ("projects/<slug:slug>/stats/", "GET", "own"): codes("404 404 200 200 200 401 404 200"),
    ("projects/<slug:slug>/stats/", "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    # Review (gold curation): reviewers, managers, staff; everyone else gets 404.
    (REVIEW, "GET", "own"): codes("404 404 200 404 200 401 404 200"),
    (REVIEW, "GET", "other"): codes("404 404 200 404 200 401 404 200"),
    (REVIEW, "GET", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (REVIEW + "accept/", "POST", "own"): codes("404 404 201 404 201 401 404 201"),
    (REVIEW + "accept/", "POST", "other"): codes("404 404 201 404 201 401 404 201"),
    (REVIEW + "accept/", "POST", "foreign"): codes("404 404 404 404 404 401 404 201"),
    (REVIEW + "reject/", "POST", "own"): codes("404 404 200 404 200 401 404 200"),
    (REVIEW + "reject/", "POST", "other"): codes("404 404 200 404 200 401 404 200"),
    (REVIEW + "reject/", "POST", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (CURATION, "PATCH", "own"): codes("404 404 200 404 200 401 404 200"),
    (CURATION, "PATCH", "other"): codes("404 404 200 404 200 401 404 200"),
    (CURATION, "PATCH", "foreign"): codes("404 404 404 404 404 401 404 200"),
    (AUTO_ACCEPT, "POST", "own"): codes("404 404 200 404 200 401 404 200"),
    (AUTO_ACCEPT, "POST", "foreign"): codes("404 404 404 404 404 401 404 200"),
    # Comments: whoever reads the article discusses it (blind: see test_comments.py); a comment
    # is edited by its author only, deleted by its author, managers and staff. `own` is ann's
    # comment on their article, `other` ann2's on theirs, `foreign` outsider's on theirs.
    (COMMENTS, "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    (COMMENTS, "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    (COMMENTS, "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    (COMMENTS, "POST", "own"): codes("201 404 201 403 201 401 201 201"),
    (COMMENTS, "POST", "other"): codes("404 404 201 403 201 401 404 201"),
    (COMMENTS, "POST", "foreign"): codes("404 201 404 404 404 401 404 201"),
    (COMMENT, "PATCH", "own"): codes("200 404 403 404 403 401 200 403"),
    (COMMENT, "PATCH", "other"): codes("404 404 403 404 403 401 404 403"),
    (COMMENT, "PATCH", "foreign"): codes("404 200 404 404 404 401 404 403"),
    (COMMENT, "DELETE", "own"): codes("204 404 403 404 204 401 204 204"),
    (COMMENT, "DELETE", "other"): codes("404 404 403 404 204 401 404 204"),
    (COMMENT, "DELETE", "foreign"): codes("404 204 404 404 404 401 404 204"),
    # Recommenders: managers and staff configure and train them, members read them. Training
    # the other project's recommender is a 400: it has no gold or agreed spans to learn from.
    (RECOMMENDERS, "GET", "own"): codes(MEMBERS_OWN),
    (RECOMMENDERS, "GET", "foreign"): codes(MEMBERS_FOREIGN),
    (RECOMMENDERS, "POST", "own"): codes(MANAGERS_OWN.format(ok=201)),
    (RECOMMENDERS, "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=201)),
    (RECOMMENDER, "GET", "own"): codes(MEMBERS_OWN),
    (RECOMMENDER, "GET", "foreign"): codes(MEMBERS_FOREIGN),
    (RECOMMENDER, "PATCH", "own"): codes(MANAGERS_OWN.format(ok=200)),
    (RECOMMENDER, "PATCH", "foreign"): codes(MANAGERS_FOREIGN.format(ok=200)),
    (RECOMMENDER, "DELETE", "own"): codes(MANAGERS_OWN.format(ok=204)),
    (RECOMMENDER, "DELETE", "foreign"): codes(MANAGERS_FOREIGN.format(ok=204)),
    (RECOMMENDER + "train/", "POST", "own"): codes(MANAGERS_OWN.format(ok=201)),
    (RECOMMENDER + "train/", "POST", "foreign"): codes(MANAGERS_FOREIGN.format(ok=400)),
    (RECOMMENDER + "models/", "GET", "own"): codes(MEMBERS_OWN),
    (RECOMMENDER + "models/", "GET", "foreign"): codes(MEMBERS_FOREIGN),
    (TRAINED, "GET", "own"): codes(MEMBERS_OWN),
    (TRAINED, "GET", "foreign"): codes(MEMBERS_FOREIGN),
    (TRAINED + "evaluation/", "GET", "own"): codes(MEMBERS_OWN),
    (TRAINED + "evaluation/", "GET", "foreign"): codes(MEMBERS_FOREIGN),
    # An article's recommendations: whoever may read the article.
    (RECOMMENDATIONS, "GET", "own"): codes("200 404 200 403 200 401 200 200"),
    (RECOMMENDATIONS, "GET", "other"): codes("404 404 200 403 200 401 404 200"),
    (RECOMMENDATIONS, "GET", "foreign"): codes("404 200 404 404 404 401 404 200"),
    (RECOMMENDATIONS + "reject/", "POST", "own"): codes("201 404 201 403 201 401 201 201"),
    (RECOMMENDATIONS + "reject/", "POST", "other"): codes("404 404 201 403 201 401 404 201"),
    (RECOMMENDATIONS + "reject/", "POST", "foreign"): codes("404 201 404 404 404 401 404 201"),
}


# How to address each object, and a valid body for each write ----------------------------------


def _project(w: World, obj):
    return w.project if obj == "own" else w.other_project


def _article(w: World, obj):
    return {"own": w.article, "other": w.other_article, "foreign": w.foreign_article}[obj]


def _span(w: World, obj):
    return {"own": w.span, "other": w.other_span, "foreign": w.foreign_span}[obj]


def _assignment(w: World, obj):
    return Assignment.objects.get(article=_article(w, obj))


def _membership(w: World, obj):
    user = w.annotator2 if obj == "own" else w.outsider
    return Membership.objects.get(user=user, project=_project(w, obj))


def _export(w: World, obj):
    from annotator.exports.services import export_now

    return export_now(_project(w, obj), "jsonl")  # a finished export, file included


def _agreement(w: World, obj):
    from annotator.agreement.models import AgreementReport

    return AgreementReport.objects.create(project=_project(w, obj))


def _import(w: World, obj):
    from annotator.imports.models import ImportJob

    return ImportJob.objects.create(project=_project(w, obj))


def _image(w: World, obj):
    from django.core.files.base import ContentFile

    from annotator.corpus.models import ArticleImage

    image = ArticleImage(article=_article(w, obj), caption_start=0, caption_end=4)
    image.file.save("picture.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    return image


def _comment(w: World, obj):
    from annotator.annotations.models import Comment

    author = {"own": w.annotator, "other": w.annotator2, "foreign": w.outsider}[obj]
    return Comment.objects.create(article=_article(w, obj), author=author, body="A remark.")


def _recommender(w: World, obj):
    from annotator.recommenders.models import Recommender

    return Recommender.objects.create(project=_project(w, obj), name="Phrases", kind="phrase")


def _trained(w: World, recommender):
    from annotator.recommenders.models import TrainedModel

    return TrainedModel.objects.create(
        project=recommender.project,
        recommender=recommender,
        version=1,
        status="done",
        evaluation={"labelled": {"precision": 1, "recall": 1, "f1": 1}},
    )


def _own_schema(w: World) -> None:
    """The two projects share the world's schema; a schema edit needs every project using it,
    so here the other project gets a copy (inside the cell's rolled-back transaction)."""
    from annotator.corpus.models import Project
    from annotator.schemas.editing import schema_copy

    Project.objects.filter(pk=w.other_project.pk).update(
        schema=schema_copy(w.project.schema, name="Matrix copy")
    )


def url_kwargs(route: str, w: World, obj) -> dict:
    if route.startswith(SCHEMA):
        _own_schema(w)
        kwargs = {"slug": _project(w, obj).slug}
        return kwargs | ({"key": "name_calling"} if route.startswith(LABEL) else {})
    if route.startswith(AGREEMENT):
        return {"slug": _project(w, obj).slug, "pk": _agreement(w, obj).pk}
    if route.startswith(EXPORT):
        return {"slug": _project(w, obj).slug, "pk": _export(w, obj).pk}
    if route.startswith(IMPORT):
        return {"slug": _project(w, obj).slug, "pk": _import(w, obj).pk}
    if route.startswith(RECOMMENDER):
        recommender = _recommender(w, obj)
        kwargs = {"slug": _project(w, obj).slug, "pk": recommender.pk}
        return kwargs | ({"model_pk": _trained(w, recommender).pk} if "model_pk" in route else {})
    if route.startswith("projects/<slug:slug>/members/<id:pk>"):
        return {"slug": _project(w, obj).slug, "pk": _membership(w, obj).pk}
    if route.startswith("projects/<slug:slug>"):
        return {"slug": _project(w, obj).slug}
    for prefix, make in OBJECT_ROUTES.items():
        if route.startswith(prefix):
            return {"pk": make(w, obj).pk}
    return {}


# Routes of one object by its id: the prefix and how a cell makes that object.
OBJECT_ROUTES = {
    "articles/": _article,
    "images/": _image,
    "assignments/": _assignment,
    "spans/": _span,
    "comments/": _comment,
}


# The body each route's write takes, where it does not depend on the cell.
SPAN_AT_24 = {"label": "name_calling", "start": 24, "end": 28}
BODIES = {
    "projects/": {"name": "Matrix", "schema": {"presets": ["manipulation"]}},
    "markdown/": {"markdown": "**matrix**"},
    "projects/<slug:slug>/": {"guidelines": "Read *this*.", "show_suggestions": False},
    ROUND_ROBIN: {"per_article": 1},
    SCHEMA: {"description": "Matrix"},
    SCHEMA + "labels/": {"key": "matrix_label", "name": "Matrix"},
    LABEL: {"name": "Renamed", "colour": "#123456"},
    LABEL + "merge/": {"into": "loaded_language"},
    SCHEMA + "order/": {"keys": ["old_label", "name_calling", "loaded_language"]},
    EXPORTS: {"format": "jsonl"},
    AGREEMENTS: {},
    CURATION: {"status": "done"},
    COMMENTS: {"body": "Is this loaded language?"},
    COMMENT: {"body": "Is this loaded language?"},
    AUTO_ACCEPT: {"k": 1},
    RECOMMENDERS: {"name": "Phrases", "kind": "phrase"},
    RECOMMENDER: {"enabled": False},
    RECOMMENDER + "train/": {},
    RECOMMENDATIONS + "reject/": SPAN_AT_24,
}
NO_BODY_SUFFIXES = ("complete/", "skip/", "reopen/", "retire/", "unretire/", "unlock/")


def body(route: str, method: str, w: World, obj):
    if method in {"GET", "DELETE"} or route == "token/" or route.endswith(NO_BODY_SUFFIXES):
        return None
    if route in BODIES:
        return BODIES[route]
    if route.startswith(REVIEW):
        return SPAN_AT_24
    if route.endswith("members/"):
        # Someone not yet in that project.
        return {"username": "rev" if obj == "foreign" else "outsider", "role": "annotator"}
    if route.endswith("members/<id:pk>/"):
        return {"role": "reviewer"}
    if route == IMPORTS:
        upload = io.BytesIO(b'{"id": "matrix-upload", "text": "Fresh text."}\n')
        upload.name = "matrix.jsonl"
        return {"file": upload}
    if method == "POST" and route.endswith("articles/"):
        return {"external_id": "matrix-new", "text": "Fresh text."}
    if method == "POST" and route.endswith("assignments/"):
        # An annotator member of that project not yet on that article.
        return {"annotator": {"foreign": "newcomer", "own": "ann2"}.get(obj, "ann")}
    return _span_body(route, method)


def _span_body(route: str, method: str):
    if route.startswith("assignments/"):
        return {"status": "done"}
    if route.endswith("spans/sync/"):
        op = {"op": "create", "client_id": str(uuid.uuid4()), "label": "name_calling"}
        return {"operations": [{**op, "start": 24, "end": 28}]}
    if route.endswith("spans/"):
        return SPAN_AT_24
    if route.startswith("spans/"):
        return {"note": "matrix", "version": 1}
    raise AssertionError(f"no body for {method} {route}")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # export files of the export rows, uploaded import files


def client_as(role: str, w: World):
    users = {
        "ann": w.annotator,
        "out": w.outsider,
        "rev": w.reviewer,
        "res": w.researcher,
        "mgr": w.manager,
        "su": w.staff,
    }
    if role == "anon":
        return client_for()
    if role == "tok":
        return client_for(token=w.token)
    return client_for(users[role])


def fill(route: str, kwargs: dict) -> str:
    path = route
    for name, value in kwargs.items():
        path = path.replace(f"<slug:{name}>", str(value)).replace(f"<id:{name}>", str(value))
    return "/api/v1/" + path


class _Rollback(Exception):
    pass


@pytest.mark.parametrize(
    ("route", "method", "obj"), sorted(TABLE), ids=lambda v: v if isinstance(v, str) else None
)
def test_matrix(world: World, route, method, obj):
    from api_helpers import make_user

    # A second annotator of the other project, for assigning foreign articles.
    Membership.objects.create(user=make_user("newcomer"), project=world.other_project)
    got = {}
    for role in ROLES:
        cache.clear()  # throttling counters
        try:
            with transaction.atomic():
                path = fill(route, url_kwargs(route, world, obj))
                client = client_as(role, world)
                response = getattr(client, method.lower())(
                    path,
                    body(route, method, world, obj),
                    format="multipart" if route == IMPORTS else "json",
                )
                got[role] = response.status_code
                raise _Rollback
        except _Rollback:
            pass
    assert got == TABLE[(route, method, obj)], f"{method} {route} on {obj}"


# The table is complete: every route and method the resolver knows has rows ----------------------


def api_routes() -> set[tuple[str, str]]:
    """(route, METHOD) for every view under /api/v1/, from Django's URL resolver."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif pattern.name == "api-not-found":
                continue  # the JSON 404 for unknown paths
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                view = pattern.callback.view_class
                for method in ("get", "post", "put", "patch", "delete"):
                    if hasattr(view, method):
                        found.add((route.removeprefix("api/v1/"), method.upper()))

    walk(get_resolver().url_patterns, "")
    return found


def test_table_covers_every_route():
    routes = api_routes()
    assert routes, "no /api/v1/ routes found"
    in_table = {(route, method) for route, method, _ in TABLE}
    assert routes - in_table == set(), "endpoints without a row in the authorisation matrix"
    assert in_table - routes == set(), "rows for endpoints that do not exist"


def test_every_object_kind_is_covered():
    """Each object-scoped endpoint is tried on own, other (where it applies) and foreign."""
    for route, method in api_routes():
        objects = {obj for r, m, obj in TABLE if (r, m) == (route, method)}
        if "<" not in route:
            assert objects == {"-"}, route
        elif route.startswith("projects/"):
            assert objects == {"own", "foreign"}, (route, method)
        else:
            assert objects == {"own", "other", "foreign"}, (route, method)
