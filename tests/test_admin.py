"""The Django admin: every registered model renders, the article filters and the round-robin
action work through real requests, read-only models refuse writes, changelists do not N+1."""

from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from rest_framework.authtoken.models import Token, TokenProxy

from annotator.agreement.models import AgreementReport
from annotator.annotations.models import Span
from annotator.corpus.models import (
    Article,
    ArticleImage,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    Role,
)
from annotator.exports.models import Export
from annotator.imports.models import ImportJob
from annotator.recommenders.models import Recommender, Rejection, TrainedModel
from annotator.schemas.models import Label, LabelSchema, SchemaChange

pytestmark = pytest.mark.django_db
User = get_user_model()

TEXT = "Protecting\u00a0ISIS 🔥 while U.S.-led coalition protects them."


def shared_schema():
    return LabelSchema.objects.get_or_create(name="Propaganda")[0]


def shared_label():
    return Label.objects.get_or_create(
        schema=shared_schema(), key="loaded_language", defaults={"name": "Loaded language"}
    )[0]


def shared_project():
    return Project.objects.get_or_create(
        slug="news", defaults={"name": "News", "schema": shared_schema()}
    )[0]


def make_article(n, project=None):
    return Article.objects.create(
        project=project or shared_project(), external_id=f"art-{n}", title=f"Article {n}", text=TEXT
    )


def make_annotator(name, project=None):
    user = User.objects.create_user(name)
    Membership.objects.create(user=user, project=project or shared_project(), role=Role.ANNOTATOR)
    return user


def make_token(n):
    token = Token.objects.create(user=User.objects.create_user(f"token{n}"))
    return TokenProxy.objects.get(pk=token.pk)


def make_span(n):
    # Every other span is in the gold layer (annotator NULL).
    annotator = make_annotator(f"spanner{n}") if n % 2 else None
    return Span.objects.create(
        article=make_article(f"s{n}"),
        annotator=annotator,
        label=shared_label(),
        start=0,
        end=15,
        text=TEXT[:15],
    )


def make_recommender(n):
    return Recommender.objects.create(project=shared_project(), name=f"Rec {n}", kind="phrase")


# One object per model, distinct for each n. A model registered in the admin without an entry
# here fails test_every_registered_model_has_a_factory: give it one.
FACTORIES = {
    User: lambda n: User.objects.create_user(f"user{n}", email=f"user{n}@example.org"),
    Group: lambda n: Group.objects.create(name=f"group {n}"),
    TokenProxy: make_token,
    LabelSchema: lambda n: LabelSchema.objects.create(name=f"Schema {n}"),
    Label: lambda n: Label.objects.create(
        schema=shared_schema(), key=f"label_{n}", name=f"Label {n}", hotkey=str(n % 10)
    ),
    SchemaChange: lambda n: SchemaChange.objects.create(
        schema=shared_schema(), action="label_added", label_key=f"label_{n}"
    ),
    Project: lambda n: Project.objects.create(
        slug=f"project-{n}", name=f"Project {n}", schema=shared_schema()
    ),
    Membership: lambda n: make_annotator(f"member{n}").memberships.get(),
    Article: make_article,
    ArticleImage: lambda n: ArticleImage.objects.create(
        article=make_article(f"i{n}"), url=f"https://example.org/{n}.jpg"
    ),
    Assignment: lambda n: Assignment.objects.create(
        article=make_article(f"a{n}"), annotator=make_annotator(f"assignee{n}")
    ),
    Span: make_span,
    Export: lambda n: Export.objects.create(
        project=shared_project(), format="jsonl", status="done", size=2048 + n
    ),
    AgreementReport: lambda n: AgreementReport.objects.create(project=shared_project()),
    ImportJob: lambda n: ImportJob.objects.create(
        project=shared_project(), files=[{"name": f"week{n}.jsonl", "size": 10, "stored": "x"}]
    ),
    Recommender: lambda n: make_recommender(n),
    TrainedModel: lambda n: TrainedModel.objects.create(
        project=shared_project(), recommender=make_recommender(n), version=1, status="done"
    ),
    Rejection: lambda n: Rejection.objects.create(
        article=make_article(f"r{n}"),
        user=make_annotator(f"rejecter{n}"),
        start=0,
        end=4,
        label=shared_label().key,
    ),
    # django-axes: failed-login records (the admin is where staff lift a lockout).
    AccessAttempt: lambda n: AccessAttempt.objects.create(
        username=f"guessed{n}",
        ip_address="10.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=n,
    ),
    AccessLog: lambda n: AccessLog.objects.create(
        username=f"visitor{n}",
        ip_address="10.0.0.2",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
    ),
    AccessFailureLog: lambda n: AccessFailureLog.objects.create(
        username=f"failed{n}",
        ip_address="10.0.0.3",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        locked_out=False,
    ),
}

REGISTERED = [model for model in apps.get_models() if admin.site.is_registered(model)]


def model_id(model):
    return model._meta.label


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make(model, n=1):
    if model not in FACTORIES:
        pytest.fail(
            f"{model._meta.label} is registered in the admin but tests/test_admin.py has "
            "no factory for it: add one to FACTORIES."
        )
    return FACTORIES[model](n)


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("root", "root@example.org", None)
    client.force_login(user)
    return user


def test_every_registered_model_has_a_factory():
    missing = [model._meta.label for model in REGISTERED if model not in FACTORIES]
    assert not missing, f"no factory in tests/test_admin.py for: {missing}"
    # The admins this project ships are all there.
    for model in (Project, Article, Assignment, Span, Export, AgreementReport, ImportJob):
        assert model in REGISTERED


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_changelist_add_and_change_pages_render(client, superuser, rf, model):
    obj = make(model)
    model_admin = admin.site.get_model_admin(model)
    change_url = admin_url(model, "change", obj.pk)

    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert change_url in response.content.decode()

    # Searching exercises search_fields (a bad field name only fails at query time).
    if model_admin.search_fields:
        assert client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200

    response = client.get(change_url)
    assert response.status_code == 200
    assert escape(str(obj))[:40] in response.content.decode()

    request = rf.get("/")
    request.user = superuser
    response = client.get(admin_url(model, "add"))
    if model_admin.has_add_permission(request):
        assert response.status_code == 200
        assert "<form" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_changelist_queries_do_not_grow_with_rows(client, superuser, model):
    make(model, 1)
    url = admin_url(model, "changelist")
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(url).status_code == 200
    for n in range(2, 6):
        make(model, n)
    with CaptureQueriesContext(connection) as five_rows:
        assert client.get(url).status_code == 200
    assert len(five_rows) == len(one_row), [q["sql"] for q in five_rows.captured_queries]


class FormFields(HTMLParser):
    """What a browser submits for the page's model form: inputs, checked boxes, selects,
    textareas (enough of the HTML form rules for the admin's widgets)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.append((name, a.get("value", "on" if "checked" in a else "")))
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": [], "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["first"] = (
                self._select["first"] if self._select["first"] is not None else value
            )
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = select["chosen"] or ([] if select["multiple"] else [select["first"] or ""])
            self.data.extend((select["name"], value) for value in chosen)
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the one newline that follows <textarea>.
            self.data.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def resubmit(client, url, model):
    page = client.get(url)
    parser = FormFields(f"{model._meta.model_name}_form")
    parser.feed(page.content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return client.post(url, data)


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_saving_an_unchanged_change_form_works(client, superuser, rf, model):
    """Open an object's page and press Save, as a user would: no error, nothing changes."""
    obj = make(model)
    request = rf.get("/")
    request.user = superuser
    stored = model.objects.filter(pk=getattr(obj, model._meta.pk.attname))  # TokenProxy.pk lies
    before = stored.values().get()
    if not admin.site.get_model_admin(model).has_change_permission(request, obj):
        # Read-only in the admin on purpose: a save is refused and changes nothing.
        response = client.post(admin_url(model, "change", obj.pk), {})
        assert response.status_code == 403
        assert stored.values().get() == before
        return
    response = resubmit(client, admin_url(model, "change", obj.pk), model)
    errors = response.context and response.context.get("errors")
    assert response.status_code == 302, errors
    after = stored.values().get()
    changed = {
        name
        for name, value in before.items()
        if value != after[name]
        # Forms show times to the second; auto_now fields move on every save.
        and not (hasattr(value, "microsecond") and value.replace(microsecond=0) == after[name])
        and name != "updated_at"
    }
    assert not changed, changed


# --- articles -------------------------------------------------------------------------------


@pytest.fixture
def assigned_articles():
    """a1: ann done. a2: ann todo, bob done. a3: nobody."""
    ann, bob = make_annotator("ann"), make_annotator("bob")
    a1, a2, a3 = (make_article(n) for n in (1, 2, 3))
    Assignment.objects.create(article=a1, annotator=ann, status=AssignmentStatus.DONE)
    Assignment.objects.create(article=a2, annotator=ann, status=AssignmentStatus.TODO)
    Assignment.objects.create(article=a2, annotator=bob, status=AssignmentStatus.DONE)
    return {"ann": ann, "bob": bob, "a1": a1, "a2": a2, "a3": a3}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"assignment_status": "done"}, ["a1", "a2"]),
        ({"assignment_status": "todo"}, ["a2"]),
        ({"assignment_status": "unassigned"}, ["a3"]),
        ({"assigned_to": "ann"}, ["a1", "a2"]),
        ({"assigned_to": "bob"}, ["a2"]),
        # Both filters apply to the same assignment: ann's own assignment is done only on a1.
        ({"assigned_to": "ann", "assignment_status": "done"}, ["a1"]),
        ({"assigned_to": "bob", "assignment_status": "todo"}, []),
    ],
)
def test_article_filters_by_assignment_status_and_annotator(
    client, superuser, assigned_articles, params, expected
):
    query = dict(params)
    if "assigned_to" in query:
        query["assigned_to"] = assigned_articles[query["assigned_to"]].pk
    response = client.get(admin_url(Article, "changelist"), query)
    assert response.status_code == 200
    shown = {article.pk for article in response.context["cl"].result_list}
    assert shown == {assigned_articles[name].pk for name in expected}


def test_article_filter_facet_counts_follow_the_other_filter(client, superuser, assigned_articles):
    query = {"_facets": "1", "assigned_to": assigned_articles["ann"].pk}
    content = client.get(admin_url(Article, "changelist"), query).content.decode()
    # ann: done on a1, to do on a2; bob's "done" on a2 is not hers.
    assert "Done (1)" in content
    assert "To do (1)" in content
    assert "In progress (0)" in content
    content = client.get(admin_url(Article, "changelist"), {"_facets": "1"}).content.decode()
    assert "Done (2)" in content
    assert "Not assigned (1)" in content


def test_article_filter_lists_the_annotators_with_assignments(client, superuser, assigned_articles):
    make_annotator("idle")
    content = client.get(admin_url(Article, "changelist")).content.decode()
    assert f"assigned_to={assigned_articles['ann'].pk}" in content
    assert f"assigned_to={assigned_articles['bob'].pk}" in content
    assert "idle" not in content

    # With another project chosen, only that project's people are offered.
    other = Project.objects.create(slug="other", name="Other", schema=shared_schema())
    carl = make_annotator("carl", project=other)
    Assignment.objects.create(article=make_article(9, project=other), annotator=carl)
    content = client.get(admin_url(Article, "changelist"), {"project__id__exact": other.pk})
    content = content.content.decode()
    assert f"assigned_to={carl.pk}" in content
    assert f"assigned_to={assigned_articles['ann'].pk}" not in content


def test_article_changelist_shows_span_counts_and_text_length(client, superuser):
    article = make_article(1)
    Span.objects.create(article=article, label=shared_label(), start=0, end=4, text=TEXT[:4])
    Span.objects.create(article=article, label=shared_label(), start=5, end=15, text=TEXT[5:15])
    response = client.get(admin_url(Article, "changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.span_count, row.text_length) == (2, len(TEXT))
    assert f'<td class="field-text_length">{len(TEXT)}</td>' in response.content.decode()


def test_article_text_is_editable_until_it_has_spans(client, superuser):
    article = make_article(1)
    url = admin_url(Article, "change", article.pk)
    assert 'name="text"' in client.get(url).content.decode()

    Span.objects.create(article=article, label=shared_label(), start=0, end=4, text=TEXT[:4])
    content = client.get(url).content.decode()
    assert 'name="text"' not in content
    assert "its text is read-only because their offsets index it" in content
    assert escape(TEXT) in content


def test_article_with_spans_keeps_its_text_when_the_change_form_is_posted(client, superuser):
    article = make_article(1)
    Span.objects.create(article=article, label=shared_label(), start=0, end=4, text=TEXT[:4])
    response = client.post(
        admin_url(Article, "change", article.pk),
        {
            "external_id": "art-1",
            "title": "Renamed",
            "text": "A different text",
            "metadata": "{}",
            **empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.title, article.text) == ("Renamed", TEXT)


def empty_inlines():
    data = {}
    for prefix in ("images", "assignments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def post_one_image(client, article, **image):
    """The change form of ``article`` (as make_article made it) posted with one image row."""
    fields = {f"images-0-{name}": value for name, value in {**image, "order": "0"}.items()}
    data = {"external_id": "art-1", "title": "Article 1", "text": TEXT, "metadata": "{}"}
    data |= {**empty_inlines(), "images-TOTAL_FORMS": "1", **fields}
    return client.post(admin_url(Article, "change", article.pk), data)


def test_image_caption_beyond_the_text_is_refused_with_the_offset(client, superuser):
    article = make_article(1)
    response = post_one_image(
        client,
        article,
        url="https://example.org/a.jpg",
        caption_start="3",
        caption_end=str(len(TEXT) + 1),
    )
    assert response.status_code == 200
    assert f"past the article&#x27;s last offset {len(TEXT)}" in response.content.decode()
    assert not ArticleImage.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        ("page.png", b"<html><script>alert(1)</script></html>", "the file is not a PNG image"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not an image type"),
        ("clown.png", b"\x89PNG\r\n\x1a\n pixels", None),
    ],
)
def test_an_uploaded_image_file_must_be_an_image_we_accept(
    client, superuser, settings, tmp_path, name, content, refusal
):
    """The rule imported image files follow too (corpus/images.py, tests/test_import_images.py):
    the file is served back with a type guessed from its name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    article = make_article(1)
    response = post_one_image(client, article, file=SimpleUploadedFile(name, content))
    if refusal:
        assert response.status_code == 200
        assert escape(refusal) in response.content.decode()
        assert not ArticleImage.objects.exists()
    else:
        assert response.status_code == 302
        assert ArticleImage.objects.get().file.read() == content


# --- the round-robin action -----------------------------------------------------------------


def run_action(client, articles, **extra):
    data = {
        "action": "assign_round_robin_action",
        ACTION_CHECKBOX_NAME: [article.pk for article in articles],
        **extra,
    }
    return client.post(admin_url(Article, "changelist"), data)


def test_round_robin_action_asks_then_assigns(client, superuser):
    articles = [make_article(n) for n in range(5)]
    ann, bob, cyd = (make_annotator(name) for name in ("ann", "bob", "cyd"))
    researcher = User.objects.create_user("rita")
    Membership.objects.create(user=researcher, project=shared_project(), role=Role.RESEARCHER)

    page = run_action(client, articles)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Assign <strong>5</strong> articles of project" in content
    form = page.context["form"]
    assert set(form.fields["annotators"].queryset) == {ann, bob, cyd}
    assert form.fields["per_article"].initial == shared_project().annotators_per_article
    assert not Assignment.objects.exists()

    done = run_action(
        client, articles, apply="Assign", annotators=[ann.pk, bob.pk, cyd.pk], per_article="2"
    )
    assert done.status_code == 302
    assert Assignment.objects.count() == 10
    per_annotator = sorted(
        Assignment.objects.filter(annotator=user).count() for user in (ann, bob, cyd)
    )
    assert per_annotator == [3, 3, 4]
    for article in articles:
        assert article.assignments.values("annotator").distinct().count() == 2
    messages = [str(m) for m in client.get(done.url).context["messages"]]
    assert "Created 10 assignment(s) over 5 article(s)." in messages


def test_round_robin_action_refuses_more_per_article_than_chosen(client, superuser):
    articles = [make_article(n) for n in range(2)]
    ann = make_annotator("ann")
    response = run_action(client, articles, apply="Assign", annotators=[ann.pk], per_article="2")
    assert response.status_code == 200
    assert "Choose at least 2 annotators" in response.content.decode()
    assert not Assignment.objects.exists()


def test_round_robin_action_refuses_articles_of_several_projects(client, superuser):
    other = Project.objects.create(slug="other", name="Other", schema=shared_schema())
    articles = [make_article(1), make_article(2, project=other)]
    response = run_action(client, articles)
    assert response.status_code == 302
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert any("single project" in m and "news" in m and "other" in m for m in messages)
    assert not Assignment.objects.exists()


def test_round_robin_action_refuses_non_members(client, superuser):
    article = make_article(1)
    outsider = User.objects.create_user("outsider")
    response = run_action(
        client, [article], apply="Assign", annotators=[outsider.pk], per_article="1"
    )
    assert response.status_code == 200
    assert "annotators" in response.context["form"].errors
    assert not Assignment.objects.exists()


# --- assignments, spans ---------------------------------------------------------------------


def test_assignment_admin_refuses_an_annotator_outside_the_project(client, superuser):
    article = make_article(1)
    outsider = User.objects.create_user("outsider")
    response = client.post(
        admin_url(Assignment, "add"),
        {"article": article.pk, "annotator": outsider.pk, "status": "todo"},
    )
    assert response.status_code == 200
    assert "outsider is not a member of project &#x27;news&#x27;" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assignment_admin_filters_by_status(client, superuser, assigned_articles):
    response = client.get(admin_url(Assignment, "changelist"), {"status__exact": "done"})
    shown = {(a.article_id, a.annotator_id) for a in response.context["cl"].result_list}
    expected = {
        (assigned_articles["a1"].pk, assigned_articles["ann"].pk),
        (assigned_articles["a2"].pk, assigned_articles["bob"].pk),
    }
    assert shown == expected


def test_span_admin_refuses_add_and_change(client, superuser):
    span = make_span(1)
    assert client.get(admin_url(Span, "add")).status_code == 403
    response = client.post(
        admin_url(Span, "change", span.pk),
        {"start": "1", "end": "5", "text": TEXT[1:5], "label": span.label_id},
    )
    assert response.status_code == 403
    span.refresh_from_db()
    assert (span.start, span.end) == (0, 15)
    # The page is a read-only view.
    content = client.get(admin_url(Span, "change", span.pk)).content.decode()
    assert "View span" in content
    assert 'name="start"' not in content


def test_span_admin_filters_gold_layer_and_annotator(client, superuser):
    gold, mine = make_span(2), make_span(1)
    url = admin_url(Span, "changelist")
    assert list(client.get(url, {"layer": "gold"}).context["cl"].result_list) == [gold]
    assert list(client.get(url, {"layer": "annotators"}).context["cl"].result_list) == [mine]
    by_user = client.get(url, {"annotator__id__exact": mine.annotator_id})
    assert list(by_user.context["cl"].result_list) == [mine]


def test_only_superusers_may_delete_spans(client):
    staff = User.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_span"))
    client.force_login(staff)
    span = make_span(1)
    assert client.get(admin_url(Span, "change", span.pk)).status_code == 200
    assert client.post(admin_url(Span, "delete", span.pk), {"post": "yes"}).status_code == 403
    assert Span.objects.filter(pk=span.pk).exists()


@pytest.mark.parametrize("model", [Export, AgreementReport, ImportJob, TrainedModel], ids=model_id)
def test_background_job_rows_are_read_only(client, superuser, model):
    obj = make(model)
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_export_changelist_shows_size_and_status(client, superuser):
    make(Export)
    content = client.get(admin_url(Export, "changelist")).content.decode()
    assert "2.0\xa0KB" in content
    assert "Done" in content


# --- projects -------------------------------------------------------------------------------


def test_project_add_with_members_inline(client, superuser):
    schema = shared_schema()
    ann = User.objects.create_user("ann")
    response = client.post(
        admin_url(Project, "add"),
        {
            "slug": "election-2024",
            "name": "Election 2024",
            "schema": schema.pk,
            "annotators_per_article": "3",
            "allow_overlap": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": ann.pk,
            "memberships-0-role": "annotator",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(slug="election-2024")
    assert list(project.memberships.values_list("user__username", "role")) == [("ann", "annotator")]
    content = client.get(admin_url(Project, "changelist")).content.decode()
    assert '<td class="field-member_count">1</td>' in content


def test_article_lists_do_not_load_texts(client, superuser):
    make_article(1)
    autocomplete = {"app_label": "corpus", "model_name": "assignment", "field_name": "article"}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(admin_url(Article, "changelist")).status_code == 200
        response = client.get(reverse("admin:autocomplete"), autocomplete)
        assert [r["text"] for r in response.json()["results"]] == ["Article 1"]
    # The queries that fetch article rows (they select the title).
    selects = [q["sql"] for q in queries.captured_queries if '"corpus_article"."title"' in q["sql"]]
    assert len(selects) >= 2
    for sql in selects:
        # Only the SQL length of the text is selected, never the text itself.
        sql = sql.replace('LENGTH("corpus_article"."text")', "")
        assert '"corpus_article"."text"' not in sql
        assert '"corpus_article"."original_text"' not in sql


def test_saving_an_article_page_with_inline_rows_keeps_them(client, superuser):
    article = make_article(1)
    ArticleImage.objects.create(
        article=article, url="https://example.org/a.jpg", caption_start=0, caption_end=15
    )
    Assignment.objects.create(
        article=article, annotator=make_annotator("ann"), status=AssignmentStatus.DONE
    )
    Span.objects.create(article=article, label=shared_label(), start=0, end=4, text=TEXT[:4])
    page = client.get(admin_url(Article, "change", article.pk)).content.decode()
    assert "Protecting\xa0ISIS" in page  # the caption text, shown read-only

    response = resubmit(client, admin_url(Article, "change", article.pk), Article)

    assert response.status_code == 302
    assert list(article.images.values_list("caption_start", "caption_end")) == [(0, 15)]
    assert list(article.assignments.values_list("status", flat=True)) == ["done"]
    assert Article.objects.get(pk=article.pk).text == TEXT


def test_round_robin_action_needs_the_add_assignment_permission(client):
    staff = User.objects.create_user("staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    client.force_login(staff)
    make_article(1)
    url = admin_url(Article, "changelist")
    assert "assign_round_robin_action" not in client.get(url).content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="add_assignment"))
    assert "assign_round_robin_action" in client.get(url).content.decode()


def test_project_schema_is_locked_once_the_project_has_spans(client, superuser):
    project = shared_project()
    url = admin_url(Project, "change", project.pk)
    assert 'name="schema"' in client.get(url).content.decode()
    Span.objects.create(
        article=make_article(1), label=shared_label(), start=0, end=4, text=TEXT[:4]
    )
    assert 'name="schema"' not in client.get(url).content.decode()


def test_project_list_shows_assignment_progress(client, superuser, assigned_articles):
    content = client.get(admin_url(Project, "changelist")).content.decode()
    assert '<td class="field-assignments_done">2 / 3</td>' in content


@pytest.mark.parametrize(("action", "status"), [("reopen", "todo"), ("mark_skipped", "skipped")])
def test_assignment_status_actions(client, superuser, assigned_articles, action, status):
    done = Assignment.objects.filter(status=AssignmentStatus.DONE)
    ids = list(done.values_list("pk", flat=True))
    before = {a.pk: a.updated_at for a in done}
    response = client.post(
        admin_url(Assignment, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: ids}
    )
    assert response.status_code == 302
    changed = Assignment.objects.filter(pk__in=ids)
    assert set(changed.values_list("status", flat=True)) == {status}
    assert all(a.updated_at > before[a.pk] for a in changed)
    # The unselected assignment is untouched.
    assert Assignment.objects.exclude(pk__in=ids).get().status == "todo"
