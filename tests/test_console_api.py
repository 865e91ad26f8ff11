"""The API behind the manager console: projects, the label schema editor, members,
assignments, workload, article filters, suggestions per project (imports: test_import_api.py)."""

import json

import pytest
from api_helpers import World, client_for, make_span, make_user
from django.contrib.auth.models import Permission

from annotator.corpus.models import Article, Assignment, AssignmentStatus, Membership, Project, Role
from annotator.schemas.history import Action
from annotator.schemas.models import LabelSchema

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(db):
    user = make_user("creator", email="creator@example.org")
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    return user


def create(user, **data):
    return client_for(user).post("/api/v1/projects/", data, format="json")


# --- projects -----------------------------------------------------------------------------


def test_a_user_with_the_permission_creates_a_project_with_its_own_schema(creator):
    response = create(
        creator,
        name="Election watch",
        guidelines="\ufeffLine one\r\nLine two\rEnd",
        schema={"presets": ["semeval2020", "manipulation"]},
    )
    assert response.status_code == 201, response.json()
    project = Project.objects.get(slug="election-watch")
    assert project.guidelines == "Line one\nLine two\nEnd"
    assert Membership.objects.get(project=project, user=creator).role == Role.MANAGER
    assert project.schema.labels.count() == 18
    assert response.json()["my_role"] == "manager"
    # A second project from the same preset gets a schema of its own, never the first one's.
    second = create(creator, name="Election watch 2", schema={"presets": ["semeval2020"]})
    assert second.status_code == 201
    other = Project.objects.get(slug="election-watch-2")
    assert other.schema_id != project.schema_id


def test_without_the_permission_creating_a_project_is_403(world: World):
    response = create(world.manager, name="Mine", schema={"presets": ["manipulation"]})
    assert response.status_code == 403
    assert "create project" in response.json()["detail"]


def test_project_from_a_file_a_copy_or_a_shared_schema(creator, world: World):
    Membership.objects.create(user=creator, project=world.project, role=Role.REVIEWER)
    schema_file = {
        "name": "From file",
        "labels": [{"key": "smear", "name": "Smear", "hotkey": "1", "colour": "#4e79a7"}],
    }
    made = create(creator, name="Filed", schema={"schema_file": schema_file})
    assert made.status_code == 201, made.json()
    assert list(Project.objects.get(slug="filed").schema.labels.values_list("key", flat=True)) == [
        "smear"
    ]
    copied = create(creator, name="Copied", schema={"copy_from": "news"})
    assert copied.status_code == 201
    copy = Project.objects.get(slug="copied").schema
    assert copy.pk != world.project.schema_id
    assert sorted(copy.labels.values_list("key", "retired")) == sorted(
        world.project.schema.labels.values_list("key", "retired")
    )
    # Sharing on purpose needs the other project to be one you manage.
    refused = create(creator, name="Shared", schema={"share_with": "news"})
    assert refused.status_code == 400
    assert "you manage" in refused.json()["schema"][0]
    Membership.objects.filter(user=creator, project=world.project).update(role=Role.MANAGER)
    shared = create(creator, name="Shared", schema={"share_with": "news"})
    assert shared.status_code == 201
    assert Project.objects.get(slug="shared").schema_id == world.project.schema_id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "schema": {"presets": ["manipulation"]}}, "name"),
        ({"name": "x", "schema": {}}, "schema"),
        ({"name": "x", "schema": {"presets": ["nope"]}}, "schema"),
        ({"name": "x", "schema": {"presets": ["manipulation"], "copy_from": "news"}}, "schema"),
        ({"name": "x", "schema": {"schema_file": {"labels": "no"}}}, "schema"),
        ({"name": "x", "slug": "news", "schema": {"presets": ["manipulation"]}}, "slug"),
    ],
)
def test_bad_project_requests_name_the_field_and_store_nothing(world, creator, data, field):
    schemas = LabelSchema.objects.count()
    response = create(creator, **data)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert LabelSchema.objects.count() == schemas
    assert not Project.objects.filter(memberships__user=creator).exists()


def test_settings_and_archive(world: World):
    client = client_for(world.manager)
    response = client.patch(
        "/api/v1/projects/news/",
        {
            "guidelines": "# Be *exact*\r\n<script>x</script>",
            "annotators_per_article": 3,
            "allow_overlap": False,
            "show_suggestions": False,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["guidelines"] == "# Be *exact*\n<script>x</script>"
    assert "<h1>Be <em>exact</em></h1>" in body["guidelines_html"]
    assert "<script>" not in body["guidelines_html"]
    project = Project.objects.get(slug="news")
    assert (project.annotators_per_article, project.allow_overlap) == (3, False)
    # Archived: out of the lists, no next article; restored: back.
    assert client.patch("/api/v1/projects/news/", {"archived": True}, format="json").json()[
        "archived"
    ]
    ann = client_for(world.annotator)
    assert "news" not in [p["slug"] for p in ann.get("/api/v1/projects/").json()["results"]]
    archived = ann.get("/api/v1/projects/?archived=true").json()["results"]
    assert [p["slug"] for p in archived] == ["news"]
    assert ann.get("/api/v1/projects/news/articles/next/").status_code == 204
    client.patch("/api/v1/projects/news/", {"archived": False}, format="json")
    assert ann.get("/api/v1/projects/news/articles/next/").status_code == 200


def test_suggestions_are_hidden_from_annotators_when_the_project_says_so(world: World):
    Article.objects.filter(pk=world.article.pk).update(original_text="The enemy is evil.")
    url = f"/api/v1/articles/{world.article.pk}/suggestions/"
    assert client_for(world.annotator).get(url).json()["suggestions"]
    Project.objects.filter(pk=world.project.pk).update(show_suggestions=False)
    hidden = client_for(world.annotator).get(url).json()
    assert hidden["shown"] is False
    assert hidden["suggestions"] == []
    assert client_for(world.reviewer).get(url).json()["suggestions"]


# --- the label schema editor -----------------------------------------------------------------


@pytest.fixture
def own_schema(world: World):
    """News with a schema of its own (the world's is shared with the other project)."""
    from annotator.schemas.editing import schema_copy

    schema = schema_copy(world.project.schema, name="News labels")
    world.project.schema = schema
    world.project.save()
    return schema


def schema_url(*parts):
    return "/api/v1/projects/news/schema/" + "".join(f"{p}/" for p in parts)


def test_shared_schemas_are_edited_only_by_managers_of_every_project(world: World):
    client = client_for(world.manager)
    state = client.get(schema_url()).json()
    assert [p["slug"] for p in state["projects"]] == ["news", "other"]
    assert state["can_edit"] is False
    assert "Other" in state["edit_problem"]
    response = client.patch(schema_url("labels", "name_calling"), {"name": "X"}, format="json")
    assert response.status_code == 403
    assert "shared with projects you do not manage" in str(response.json())
    Membership.objects.create(user=world.manager, project=world.other_project, role=Role.MANAGER)
    assert (
        client.patch(schema_url("labels", "name_calling"), {"name": "X"}, format="json").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hotkey": "d"}, "hotkey", "reserved"),
        ({"hotkey": "l"}, "hotkey", "already used by Loaded"),
        ({"hotkey": "ab"}, "hotkey", "not a hotkey"),
        ({"colour": "blue"}, "colour", "not a colour"),
        ({"colour": "#12345g"}, "colour", "not a colour"),
        ({"name": "  "}, "name", "needs a name"),
        ({"name": "x" * 201}, "name", "At most 200"),
        ({"key": "other"}, "key", "never changes"),
    ],
)
def test_label_edits_are_checked(world, own_schema, change, field, message):
    before = list(own_schema.labels.values_list("key", "name", "color", "hotkey"))
    response = client_for(world.manager).patch(
        schema_url("labels", "name_calling"), change, format="json"
    )
    assert response.status_code == 400, response.json()
    assert message in response.json()[field][0], response.json()
    assert list(own_schema.labels.values_list("key", "name", "color", "hotkey")) == before


def test_add_edit_reorder_retire_merge_delete_with_history(world, own_schema):
    client = client_for(world.manager)
    added = client.post(
        schema_url("labels"),
        {"key": "smear", "name": "Smear", "description": "Line\r\nbreak"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    smear = own_schema.labels.get(key="smear")
    assert smear.hotkey
    assert smear.color
    assert smear.description == "Line\nbreak"
    assert client.post(
        schema_url("labels"), {"key": "smear", "name": "Again"}, format="json"
    ).json()["key"] == ["The schema already has a label 'smear'."]
    edited = client.patch(
        schema_url("labels", "smear"), {"colour": "#ABCDEF", "hotkey": "q"}, format="json"
    )
    assert edited.status_code == 200
    assert own_schema.labels.filter(key="smear", color="#abcdef", hotkey="q").exists()
    keys = ["smear", "old_label", "name_calling", "loaded_language"]
    assert client.post(schema_url("order"), {"keys": keys}, format="json").status_code == 200
    assert list(own_schema.labels.order_by("order").values_list("key", flat=True)) == keys
    bad_order = client.post(schema_url("order"), {"keys": keys[:2]}, format="json")
    assert bad_order.status_code == 400
    assert "missing" in bad_order.json()["keys"][0]
    # The span of the world's annotator is on loaded_language: it can be merged, not deleted.
    make_span(world.article, world.annotator, own_schema.labels.get(key="loaded_language"), 0, 3)
    refused = client.delete(schema_url("labels", "loaded_language"))
    assert refused.status_code == 400
    assert "retire it" in refused.json()["label"][0]
    merged = client.post(
        schema_url("labels", "loaded_language", "merge"), {"into": "smear"}, format="json"
    )
    assert merged.json() == {"spans_moved": 1}
    assert own_schema.labels.get(key="loaded_language").retired
    assert client.post(schema_url("labels", "smear", "retire")).status_code == 200
    assert client.post(schema_url("labels", "smear", "unretire")).status_code == 200
    assert client.delete(schema_url("labels", "name_calling")).status_code == 200
    actions = [c["action"] for c in client.get(schema_url("history")).json()["results"]]
    for action in (
        Action.LABEL_ADDED,
        Action.LABEL_EDITED,
        Action.LABELS_REORDERED,
        Action.LABEL_MERGED,
        Action.LABEL_RETIRED,
        Action.LABEL_UNRETIRED,
        Action.LABEL_DELETED,
    ):
        assert action in actions
    exported = client.get(schema_url("export"))
    assert exported["Content-Disposition"].startswith("attachment")
    assert "smear" in [label["key"] for label in json.loads(exported.content)["labels"]]


def test_close_colours_are_warned_about(world, own_schema):
    client = client_for(world.manager)
    client.patch(schema_url("labels", "loaded_language"), {"colour": "#76b7b2"}, format="json")
    state = client.patch(
        schema_url("labels", "name_calling"), {"colour": "#86bcb6"}, format="json"
    ).json()
    assert [w["labels"] for w in state["colour_warnings"]] == [["loaded_language", "name_calling"]]
    assert "hard to tell apart" in state["colour_warnings"][0]["message"]


# --- members, assignments, workload, article lists --------------------------------------------


def test_members_are_added_by_user_name_or_email(world: World):
    make_user("alice", email="Alice@Example.org")
    client = client_for(world.manager)
    added = client.post(
        "/api/v1/projects/news/members/",
        {"username": "alice@example.org", "role": "annotator"},
        format="json",
    )
    assert added.status_code == 201
    assert added.json()["username"] == "alice"
    make_user("twin1", email="twin@example.org")
    make_user("twin2", email="twin@example.org")
    twins = client.post(
        "/api/v1/projects/news/members/",
        {"username": "twin@example.org", "role": "annotator"},
        format="json",
    )
    assert twins.status_code == 400
    assert "Several users" in twins.json()["username"][0]


def test_round_robin_by_filter_reassign_reopen_and_workload(world: World):
    client = client_for(world.manager)
    batch = [
        Article.objects.create(project=world.project, external_id=f"b{i}", text="Text.", batch="w1")
        for i in range(4)
    ]
    response = client.post(
        "/api/v1/projects/news/assignments/round-robin/",
        {"per_article": 2, "filter": {"batch": "w1"}},
        format="json",
    )
    assert response.json() == {"articles": 4, "created": 8}, response.json()
    again = client.post(
        "/api/v1/projects/news/assignments/round-robin/",
        {"per_article": 2, "filter": {"batch": "w1"}},
        format="json",
    )
    assert again.json()["created"] == 0
    too_many = client.post(
        "/api/v1/projects/news/assignments/round-robin/", {"per_article": 3}, format="json"
    )
    assert too_many.status_code == 400
    assert "per_article" in too_many.json()
    not_annotator = client.post(
        "/api/v1/projects/news/assignments/round-robin/",
        {"annotators": ["rev"], "per_article": 1, "filter": {"ids": [batch[0].pk]}},
        format="json",
    )
    assert not_annotator.status_code == 400
    assert "not an annotator" in str(not_annotator.json())
    nothing_ticked = client.post(
        "/api/v1/projects/news/assignments/round-robin/", {"filter": {"ids": []}}, format="json"
    )
    assert nothing_ticked.status_code == 400

    # Reassign an assignment to a new annotator; reopen one that was done.
    newbie = make_user("newbie")
    Membership.objects.create(user=newbie, project=world.project, role=Role.ANNOTATOR)
    assignment = Assignment.objects.filter(article=batch[0]).first()
    moved = client.patch(
        f"/api/v1/assignments/{assignment.pk}/", {"annotator": "newbie"}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["username"] == "newbie"
    clash = Assignment.objects.filter(article=batch[0]).exclude(pk=assignment.pk).first()
    refused = client.patch(
        f"/api/v1/assignments/{clash.pk}/", {"annotator": "newbie"}, format="json"
    )
    assert refused.status_code == 400
    assert "already assigned" in refused.json()["annotator"][0]
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.DONE)
    assert (
        client.patch(
            f"/api/v1/assignments/{assignment.pk}/", {"status": "todo"}, format="json"
        ).json()["status"]
        == "todo"
    )

    rows = {row["username"]: row for row in client.get("/api/v1/projects/news/workload/").json()}
    assert set(rows) == {"ann", "ann2", "newbie"}
    assert rows["newbie"]["todo"] == 1
    assert rows["newbie"]["spans"] == 0
    assert rows["ann"]["spans"] == 1
    assert rows["ann"]["last_activity"] is not None
    assert (
        sum(r["total"] for r in rows.values())
        == Assignment.objects.filter(article__project=world.project).count()
    )

    listed = client.get(f"/api/v1/projects/news/articles/?batch=w1&annotator={newbie.pk}").json()
    assert [a["external_id"] for a in listed["results"]] == ["b0"]
    assert listed["results"][0]["assignments"][0]["username"] in {"ann", "ann2", "newbie"}
    unassigned = client.get("/api/v1/projects/news/articles/?assignment_status=unassigned")
    assert unassigned.json()["count"] == 0
    assert client.get("/api/v1/projects/news/batches/").json() == [{"batch": "w1"}]
    bad = client.get("/api/v1/projects/news/articles/?assignment_status=nope")
    assert bad.status_code == 400
    assert "assignment_status" in bad.json()


def test_annotators_reopen_their_own_finished_articles(world: World):
    client = client_for(world.annotator)
    client.post(f"/api/v1/articles/{world.article.pk}/complete/")
    response = client.post(f"/api/v1/articles/{world.article.pk}/reopen/")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert Assignment.objects.get(pk=world.assignment.pk).status == AssignmentStatus.IN_PROGRESS
    mine = client.get("/api/v1/projects/news/articles/?status=in_progress").json()["results"]
    assert [a["id"] for a in mine] == [world.article.pk]


def test_batches_are_listed_once_each_in_order(world: World):
    for n, batch in enumerate(["week 2", "week 1", "", "week 2", "week 10", "week 1"]):
        Article.objects.create(project=world.project, external_id=f"x{n}", text="T", batch=batch)
    Article.objects.create(project=world.other_project, external_id="y", text="T", batch="other")
    response = client_for(world.reviewer).get("/api/v1/projects/news/batches/")
    assert [b["batch"] for b in response.json()] == ["week 1", "week 10", "week 2"]
