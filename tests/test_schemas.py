"""Label schemas: presets, hotkeys, idempotent loading, history, retire/merge, export/import,
the load_schema command and the schema admin."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError

from annotator.annotations.models import Span
from annotator.corpus.models import Article, Project
from annotator.schemas.history import Action
from annotator.schemas.keys import HOTKEY_SEQUENCE
from annotator.schemas.models import Label, LabelSchema, SchemaChange
from annotator.schemas.services import (
    LabelInUseError,
    LabelMergeError,
    SchemaError,
    delete_label,
    export_schema,
    import_schema,
    load_schema,
    load_schema_report,
    merge_labels,
    retire_label,
    save_label,
    unretire_label,
)
from annotator.schemas.spec import RESERVED_HOTKEYS, SchemaFileError, UnknownPresetError

pytestmark = pytest.mark.django_db

LABEL_ROW = (
    "key",
    "name",
    "official_label",
    "description",
    "example",
    "color",
    "hotkey",
    "category",
    "order",
    "retired",
    "merged_into__key",
)


def label_rows(schema):
    return list(schema.labels.order_by("key").values_list(*LABEL_ROW))


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # admin_client logs in with a password; the default PBKDF2 costs ~1 s a user on this box.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor")


@pytest.fixture
def annotators(django_user_model):
    return [django_user_model.objects.create_user(f"ann{i}") for i in (1, 2)]


def make_article(schema, text, slug="p"):
    project = Project.objects.create(slug=slug, name=slug, schema=schema)
    return Article.objects.create(project=project, external_id="a1", text=text)


def make_span(article, user, label, phrase):
    start = article.text.index(phrase)
    end = start + len(phrase)
    return Span.objects.create(
        article=article,
        annotator=user,
        label=label,
        start=start,
        end=end,
        text=article.text[start:end],
    )


# --- presets and hotkeys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "count"),
    [("ptc18", 18), ("semeval2020", 14), ("semeval2023", 23), ("manipulation", 4)],
)
def test_preset_loads_with_its_labels(preset, count):
    schema = load_schema(preset)
    labels = list(schema.labels.all())
    assert len(labels) == count
    assert [label.order for label in labels] == list(range(count))
    for label in labels:
        assert label.official_label
        assert label.description
        assert label.category
    hotkeys = [label.hotkey for label in labels]
    assert all(hotkeys)
    assert len(set(hotkeys)) == count
    assert not set(hotkeys) & RESERVED_HOTKEYS
    # 1-9 first, then letters, in label order.
    assert hotkeys == list(HOTKEY_SEQUENCE[:count])
    colours = [label.color for label in labels]
    assert len(set(colours)) == count  # the palette has 24 colours


def test_preset_keeps_official_labels_and_definitions():
    schema = load_schema("semeval2020")
    straw_man = schema.labels.get(key="straw_man")
    assert straw_man.official_label == "Whataboutism,Straw_Men,Red_Herring"
    assert straw_man.category == "Distraction"
    assert straw_man.description.startswith("Replaces the opponent's position")


def test_merged_schema_has_unique_hotkeys_across_sources():
    schema = load_schema(["manipulation", "semeval2020"])
    assert schema.name == "Manipulated-news edits + SemEval-2020 Task 11, 14 techniques"
    labels = list(schema.labels.all())
    assert len(labels) == 18
    assert [label.key for label in labels[:4]] == [
        "inserted_phrase",
        "substituted_phrase",
        "image_miscaption",
        "loaded_framing",
    ]
    hotkeys = [label.hotkey for label in labels]
    assert len(set(hotkeys)) == 18
    assert "" not in hotkeys
    assert hotkeys[:9] == list("123456789")
    assert all(h.isalpha() and h not in RESERVED_HOTKEYS for h in hotkeys[9:])


def test_hotkeys_avoid_those_already_in_the_schema():
    schema = LabelSchema.objects.create(name="custom")
    Label.objects.create(schema=schema, key="mine", name="Mine", hotkey="1", order=0)
    Label.objects.create(schema=schema, key="other", name="Other", hotkey="a", order=1)
    load_schema("manipulation", name="custom")
    hotkeys = dict(schema.labels.values_list("key", "hotkey"))
    assert hotkeys["mine"] == "1"
    assert hotkeys["other"] == "a"
    assert [hotkeys[k] for k in ("inserted_phrase", "substituted_phrase")] == ["2", "3"]
    assert len(set(hotkeys.values())) == len(hotkeys)


def test_file_hotkey_taken_by_another_label_falls_back_with_a_warning(tmp_path):
    schema = LabelSchema.objects.create(name="custom")
    Label.objects.create(schema=schema, key="mine", name="Mine", hotkey="q")
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"labels": [{"key": "new", "name": "New", "hotkey": "q"}]}))
    report = load_schema_report(str(path), name="custom")
    assert schema.labels.get(key="new").hotkey == "1"
    assert "hotkey 'q'" in report.warnings[0]


def test_hotkeys_can_swap_between_labels_on_reload(tmp_path):
    path = tmp_path / "s.json"
    labels = [{"key": "a", "name": "A", "hotkey": "1"}, {"key": "b", "name": "B", "hotkey": "2"}]
    path.write_text(json.dumps({"name": "swap", "labels": labels}))
    schema = load_schema(str(path))
    labels[0]["hotkey"], labels[1]["hotkey"] = "2", "1"
    path.write_text(json.dumps({"name": "swap", "labels": labels}))
    report = load_schema_report(str(path))
    assert dict(schema.labels.values_list("key", "hotkey")) == {"a": "2", "b": "1"}
    assert report.updated["a"] == {"hotkey": {"before": "1", "after": "2"}}


def test_later_sources_override_earlier_ones_for_the_same_key():
    schema = load_schema(["ptc18", "semeval2020"], name="both")
    assert schema.labels.count() == 18  # semeval2020's keys are a subset of ptc18's
    merged = schema.labels.get(key="guilt_by_association")
    assert merged.official_label == "Bandwagon,Reductio_ad_hitlerum"
    assert schema.labels.get(key="red_herring").official_label == "Red_Herring"


def test_labels_beyond_the_hotkey_sequence_get_none(tmp_path):
    count = len(HOTKEY_SEQUENCE) + 3
    labels = [{"key": f"l{i}", "name": f"L{i}"} for i in range(count)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"name": "many", "labels": labels}))
    schema = load_schema(str(path))
    hotkeys = list(schema.labels.values_list("hotkey", flat=True))
    assert hotkeys[: len(HOTKEY_SEQUENCE)] == list(HOTKEY_SEQUENCE)
    assert hotkeys[len(HOTKEY_SEQUENCE) :] == ["", "", ""]
    assert not load_schema_report(str(path)).changed


# --- idempotency and history ---------------------------------------------------------------------


def test_loading_twice_changes_nothing(editor):
    schema = load_schema(["manipulation", "semeval2020"], name="demo", user=editor)
    rows, changes = label_rows(schema), SchemaChange.objects.count()
    updated_at = LabelSchema.objects.get(pk=schema.pk).updated_at
    report = load_schema_report(["manipulation", "semeval2020"], name="demo", user=editor)
    assert report.schema.pk == schema.pk
    assert not report.changed
    assert len(report.unchanged) == 18
    assert label_rows(schema) == rows
    assert SchemaChange.objects.count() == changes
    assert LabelSchema.objects.get(pk=schema.pk).updated_at == updated_at
    assert LabelSchema.objects.count() == 1


def test_load_records_history_with_user(editor):
    schema = load_schema("manipulation", user=editor)
    added = schema.changes.filter(action=Action.LABEL_ADDED)
    assert sorted(added.values_list("label_key", flat=True)) == sorted(
        schema.labels.values_list("key", flat=True)
    )
    assert set(added.values_list("user", flat=True)) == {editor.pk}
    first = added.get(label_key="inserted_phrase")
    assert first.detail["after"]["hotkey"] == "1"
    assert first.detail["source"] == "preset manipulation"
    imported = schema.changes.get(action=Action.SCHEMA_IMPORTED)
    assert imported.user == editor
    assert imported.detail["created"][0] == "inserted_phrase"


def test_reload_restores_edited_fields_and_records_before_after(editor):
    schema = load_schema("manipulation")
    label = schema.labels.get(key="loaded_framing")
    label.name = "Renamed"
    label.save()
    report = load_schema_report("manipulation", user=editor)
    assert report.updated == {
        "loaded_framing": {"name": {"before": "Renamed", "after": "Loaded framing"}}
    }
    change = schema.changes.get(action=Action.LABEL_EDITED)
    assert change.user == editor
    assert change.label_key == "loaded_framing"
    assert change.detail["changes"]["name"] == {"before": "Renamed", "after": "Loaded framing"}


def test_reload_keeps_admin_colour_hotkey_and_retired_flag():
    schema = load_schema("manipulation")
    label = schema.labels.get(key="loaded_framing")
    label.color, label.hotkey, label.retired = "#123456", "x", True
    label.save()
    assert not load_schema_report("manipulation").changed
    label.refresh_from_db()
    assert (label.color, label.hotkey, label.retired) == ("#123456", "x", True)


def test_save_label_assigns_hotkey_and_records_edits(editor):
    schema = load_schema("manipulation")
    label = save_label(Label(schema=schema, key="extra", name="Extra", color=""), user=editor)
    assert label.hotkey == "5"
    assert label.color.startswith("#")
    label.name, label.description = "Extra label", "Something"
    save_label(label, user=editor)
    change = schema.changes.filter(label_key="extra").first()  # newest first
    assert change.action == Action.LABEL_EDITED
    assert change.user == editor
    assert change.detail["changes"] == {
        "name": {"before": "Extra", "after": "Extra label"},
        "description": {"before": "", "after": "Something"},
    }
    assert schema.changes.filter(label_key="extra", action=Action.LABEL_ADDED).exists()


def test_label_key_is_immutable():
    schema = load_schema("manipulation")
    label = schema.labels.get(key="loaded_framing")
    label.key = "renamed"
    with pytest.raises(Exception, match="immutable"):
        label.save()


# --- retire, merge, delete -----------------------------------------------------------------------


def test_retire_keeps_spans_and_records_it(editor, annotators, unicode_sample):
    schema = load_schema("manipulation")
    label = schema.labels.get(key="inserted_phrase")
    article = make_article(schema, unicode_sample)
    span = make_span(article, annotators[0], label, "families flee")
    retire_label(label, user=editor)
    label.refresh_from_db()
    span.refresh_from_db()
    assert label.retired
    assert span.label_id == label.pk
    change = schema.changes.get(action=Action.LABEL_RETIRED)
    assert change.user == editor
    assert change.detail["changes"] == {"retired": {"before": False, "after": True}}
    assert change.detail["spans"] == 1
    retire_label(label, user=editor)  # already retired: no second entry
    assert schema.changes.filter(action=Action.LABEL_RETIRED).count() == 1
    unretire_label(label, user=editor)
    label.refresh_from_db()
    assert not label.retired
    assert schema.changes.filter(action=Action.LABEL_UNRETIRED).count() == 1


def test_merge_moves_every_span_and_records_it(editor, annotators, unicode_sample):
    schema = load_schema("ptc18")
    source = schema.labels.get(key="red_herring")
    target = schema.labels.get(key="straw_man")
    article = make_article(schema, unicode_sample)
    phrases = ["👨‍👩‍👧 families", "e\u0300vil", "عادلة\u00a0تماما", "שקרנים", "💥 catastrophe 𝔘𝔫𝔦"]
    spans = [make_span(article, user, source, p) for p in phrases for user in annotators]
    kept = make_span(article, annotators[0], target, "Price\u00a0rises")

    moved = merge_labels(source, target, user=editor)

    assert moved == len(spans) == 10
    assert not Span.objects.filter(label=source).exists()
    assert Span.objects.filter(label=target).count() == 11
    for span in spans:
        span.refresh_from_db()
        assert span.label_id == target.pk
        assert span.version == 2
        assert article.text[span.start : span.end] == span.text
    kept.refresh_from_db()
    assert kept.version == 1
    source.refresh_from_db()
    assert source.retired
    assert source.merged_into == target
    change = schema.changes.get(action=Action.LABEL_MERGED)
    assert change.user == editor
    assert change.label_key == "red_herring"
    assert change.detail["into"] == "straw_man"
    assert change.detail["spans_moved"] == 10
    assert change.detail["changes"]["merged_into"] == {"before": None, "after": "straw_man"}


def test_merge_makes_twins_one_span_with_both_notes(editor, annotators, unicode_sample):
    """A layer that has the same range under both labels keeps one span (the target's)."""
    schema = load_schema("ptc18")
    source = schema.labels.get(key="red_herring")
    target = schema.labels.get(key="straw_man")
    article = make_article(schema, unicode_sample)
    ann, other = annotators
    phrase = "👨‍👩‍👧 families"
    twins = {}
    for user in (ann, None):  # an annotator's layer and the gold layer
        kept = make_span(article, user, target, phrase)
        twin = make_span(article, user, source, phrase)
        Span.objects.filter(pk=twin.pk).update(note="e\u0300vil, says the reviewer")
        twins[kept.pk] = twin.pk
    elsewhere = make_span(article, other, source, phrase)  # no twin in this layer

    assert merge_labels(source, target, user=editor) == 3

    assert not Span.objects.filter(pk__in=twins.values()).exists()
    for pk in twins:
        kept = Span.objects.get(pk=pk)
        assert kept.note == "e\u0300vil, says the reviewer"
        assert kept.version == 2
    elsewhere.refresh_from_db()
    assert elsewhere.label_id == target.pk
    assert elsewhere.version == 2
    layers = Span.objects.filter(article=article).values_list("annotator_id", "label_id")
    assert sorted(layers, key=str) == sorted(
        [(ann.pk, target.pk), (None, target.pk), (other.pk, target.pk)], key=str
    )


def test_merge_across_schemas_is_refused():
    one = load_schema("manipulation")
    two = load_schema("semeval2020")
    source = one.labels.get(key="loaded_framing")
    with pytest.raises(LabelMergeError, match="same schema"):
        merge_labels(source, two.labels.get(key="loaded_language"))
    with pytest.raises(LabelMergeError, match="into itself"):
        merge_labels(source, source)
    target = one.labels.get(key="inserted_phrase")
    retire_label(target)
    with pytest.raises(LabelMergeError, match="retired"):
        merge_labels(source, target)
    source.refresh_from_db()
    assert not source.retired
    assert source.merged_into is None
    assert not one.changes.filter(action=Action.LABEL_MERGED).exists()


def test_a_label_in_use_cannot_be_deleted(editor, annotators, unicode_sample):
    schema = load_schema("manipulation")
    label = schema.labels.get(key="image_miscaption")
    span = make_span(make_article(schema, unicode_sample), annotators[0], label, "Breaking 🔥")
    with pytest.raises(ProtectedError):
        label.delete()
    with pytest.raises(LabelInUseError, match="retire it, or merge it"):
        delete_label(label, user=editor)
    assert Span.objects.filter(pk=span.pk, label=label).exists()
    unused = schema.labels.get(key="loaded_framing")
    delete_label(unused, user=editor)
    assert not schema.labels.filter(key="loaded_framing").exists()
    change = schema.changes.get(action=Action.LABEL_DELETED)
    assert change.label_key == "loaded_framing"
    assert change.user == editor


# --- export / import -----------------------------------------------------------------------------


def test_export_import_round_trip(editor):
    schema = load_schema(["manipulation", "semeval2020"], name="demo")
    label = schema.labels.get(key="slogans")
    label.color, label.hotkey, label.example = "#abcdef", "y", "Make X great again! 🇺🇸"
    save_label(label)
    merge_labels(schema.labels.get(key="doubt"), schema.labels.get(key="straw_man"))
    retire_label(schema.labels.get(key="repetition"))
    exported = json.loads(json.dumps(export_schema(schema)))
    rows = label_rows(schema)

    schema.delete()  # a fresh database: no schema, no labels
    assert not Label.objects.exists()
    imported = import_schema(exported, user=editor)

    assert imported.name == "demo"
    assert label_rows(imported) == rows
    assert export_schema(imported) == exported
    assert imported.changes.filter(action=Action.LABEL_ADDED).count() == 18
    # Importing the same data again changes nothing.
    changes = SchemaChange.objects.count()
    import_schema(exported, user=editor)
    assert SchemaChange.objects.count() == changes
    assert label_rows(imported) == rows


def test_import_under_another_name_copies_the_schema():
    schema = load_schema("manipulation")
    copy = import_schema(export_schema(schema), name="copy")
    assert copy.pk != schema.pk
    assert [r[1:] for r in label_rows(copy)] == [r[1:] for r in label_rows(schema)]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([{"name": "No key"}], r"labels\[0\]: 'key' is missing"),
        ([{"key": "Bad Key", "name": "x"}], r"labels\[0\] \('Bad Key'\): 'key'"),
        (
            [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}],
            r"labels\[1\] \('a'\): duplicate key",
        ),
        ([{"key": "a"}], r"labels\[0\] \('a'\): 'name' is missing"),
        ([{"key": "a", "name": "A", "color": "red"}], r"'color' 'red' is invalid"),
        ([{"key": "a", "name": "A", "hotkey": "d"}], r"hotkey 'd' is reserved"),
        ([{"key": "a", "name": "A", "hotkey": "!"}], r"'hotkey' '!' is invalid"),
        (
            [{"key": "a", "name": "A", "hotkey": "1"}, {"key": "b", "name": "B", "hotkey": "1"}],
            r"labels\[1\] \('b'\): hotkey '1' is also used by label 'a'",
        ),
        ([{"key": "a", "name": "A", "merged_into": "zz"}], r"'merged_into' names 'zz'"),
        ([{"key": "a", "name": "A", "order": -1}], r"'order' must be a non-negative integer"),
        ([], r"'labels' must be a non-empty list"),
    ],
)
def test_import_rejects_bad_data_and_stores_nothing(labels, message):
    # A valid label follows the bad ones: a half-stored import would leave it behind.
    data = {"name": "bad", "labels": [*labels, {"key": "ok", "name": "OK"}] if labels else []}
    with pytest.raises(SchemaError, match=message):
        import_schema(data)
    assert not LabelSchema.objects.exists()
    assert not Label.objects.exists()


def test_import_rejects_unknown_format():
    with pytest.raises(SchemaFileError, match="unknown format 'other'"):
        import_schema({"format": "other", "name": "x", "labels": [{"key": "a", "name": "A"}]})


# --- the load_schema command ---------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_schema", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_creates_then_reports_unchanged():
    out, _ = run_command("manipulation", "semeval2020", "--name", "Demo labels")
    assert "Created schema 'Demo labels': 18 label(s) created, 0 updated, 0 unchanged." in out
    assert "  + inserted_phrase (hotkey 1, colour #" in out
    assert LabelSchema.objects.get(name="Demo labels").labels.count() == 18
    out, _ = run_command("manipulation", "semeval2020", "--name", "Demo labels")
    assert "Unchanged schema 'Demo labels': 0 label(s) created, 0 updated, 18 unchanged." in out


def test_command_reports_updates():
    run_command("manipulation")
    Label.objects.filter(key="loaded_framing").update(name="Old")
    out, _ = run_command("manipulation")
    assert "Updated schema 'Manipulated-news edits': 0 label(s) created, 1 updated" in out
    assert "~ loaded_framing: name 'Old' -> 'Loaded framing'" in out


def test_command_loads_an_exported_file(tmp_path):
    schema = load_schema("semeval2023")
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(export_schema(schema)), encoding="utf-8")
    out, _ = run_command(str(path), "--name", "copy")
    assert "Created schema 'copy': 23 label(s) created" in out
    copy = LabelSchema.objects.get(name="copy")
    assert [r[1:] for r in label_rows(copy)] == [r[1:] for r in label_rows(schema)]


def test_command_rejects_unknown_preset():
    with pytest.raises(CommandError, match="Unknown preset 'ptc19'") as exc:
        run_command("manipulation", "ptc19")
    assert "ptc18, semeval2020, semeval2023, manipulation" in str(exc.value)
    assert exc.value.returncode == 1
    assert not LabelSchema.objects.exists()  # the valid first source was not stored either


def test_command_rejects_malformed_json_file(tmp_path):
    path = tmp_path / "broken.json"
    # a missing comma: Python 3.13 words a trailing comma's error differently from 3.11
    path.write_text('{"name": "x",\n "labels": [\n  {"key": "a" "name": "A"}\n ]\n}')
    with pytest.raises(
        CommandError, match=r"broken\.json: invalid JSON at line 3, column 15: Expecting ','"
    ):
        run_command(str(path))
    missing = tmp_path / "missing.json"
    with pytest.raises(CommandError, match=r"missing\.json: cannot read"):
        run_command(str(missing))
    assert not LabelSchema.objects.exists()


def test_unknown_preset_error_is_a_value_error():
    with pytest.raises(ValueError, match="Unknown preset 'nope'"):
        load_schema("nope")
    assert issubclass(UnknownPresetError, SchemaError)


# --- admin ---------------------------------------------------------------------------------------


def inline_post_data(schema, edits=None, delete=()):
    """The change form's POST body for ``schema`` with its label rows, edited as given."""
    labels = list(schema.labels.order_by("order", "id"))
    data = {
        "name": schema.name,
        "description": schema.description,
        "labels-TOTAL_FORMS": len(labels),
        "labels-INITIAL_FORMS": len(labels),
        "labels-MIN_NUM_FORMS": 0,
        "labels-MAX_NUM_FORMS": 1000,
        "changes-TOTAL_FORMS": 0,
        "changes-INITIAL_FORMS": 0,
        "changes-MIN_NUM_FORMS": 0,
        "changes-MAX_NUM_FORMS": 0,
    }
    for i, label in enumerate(labels):
        row = {
            "id": label.pk,
            "schema": schema.pk,
            "name": label.name,
            "official_label": label.official_label,
            "color": label.color,
            "hotkey": label.hotkey,
            "category": label.category,
            "description": label.description,
            "example": label.example,
            "order": label.order,
        }
        if label.retired:
            row["retired"] = "on"
        row.update((edits or {}).get(label.key, {}))
        if label.key in delete:
            row["DELETE"] = "on"
        data.update({f"labels-{i}-{k}": v for k, v in row.items()})
    return data


def test_admin_inline_edit_is_recorded_with_the_request_user(admin_client, admin_user):
    schema = load_schema("manipulation")
    url = f"/admin/schemas/labelschema/{schema.pk}/change/"
    assert admin_client.get(url).status_code == 200
    data = inline_post_data(schema, {"loaded_framing": {"name": "Framing", "hotkey": "q"}})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    label = schema.labels.get(key="loaded_framing")
    assert (label.name, label.hotkey) == ("Framing", "q")
    change = schema.changes.get(action=Action.LABEL_EDITED)
    assert change.user == admin_user
    assert change.detail["changes"] == {
        "name": {"before": "Loaded framing", "after": "Framing"},
        "hotkey": {"before": "4", "after": "q"},
    }


def test_admin_refuses_reserved_and_duplicate_hotkeys(admin_client):
    schema = load_schema("manipulation")
    url = f"/admin/schemas/labelschema/{schema.pk}/change/"
    for hotkey, error in [("z", "reserved"), ("1", "already used by Inserted phrase")]:
        data = inline_post_data(schema, {"loaded_framing": {"hotkey": hotkey}})
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert error in response.content.decode()
    # Two rows taking the same free key in one submit.
    data = inline_post_data(
        schema, {"loaded_framing": {"hotkey": "q"}, "image_miscaption": {"hotkey": "q"}}
    )
    response = admin_client.post(url, data)
    assert "Hotkey &#x27;q&#x27; is also used by label" in response.content.decode()
    assert schema.labels.get(key="loaded_framing").hotkey == "4"
    assert not schema.changes.filter(action=Action.LABEL_EDITED).exists()


def test_admin_refuses_to_delete_a_label_in_use(admin_client, annotators, unicode_sample):
    schema = load_schema("manipulation")
    label = schema.labels.get(key="inserted_phrase")
    make_span(make_article(schema, unicode_sample), annotators[0], label, "news")
    url = f"/admin/schemas/labelschema/{schema.pk}/change/"
    response = admin_client.post(url, inline_post_data(schema, delete=["inserted_phrase"]))
    # The delete box of a label in use is disabled: the label survives.
    assert Label.objects.filter(pk=label.pk).exists()
    assert response.status_code == 302
    page = admin_client.get(f"/admin/schemas/label/{label.pk}/change/").content.decode()
    assert "retire it (its spans stay) or merge it" in page
    assert f"/admin/schemas/label/{label.pk}/delete/" not in page
    assert admin_client.get(f"/admin/schemas/label/{label.pk}/delete/").status_code == 403
    # An unused label can be deleted from the inline, and that is recorded.
    response = admin_client.post(url, inline_post_data(schema, delete=["loaded_framing"]))
    assert response.status_code == 302
    assert not schema.labels.filter(key="loaded_framing").exists()
    assert schema.changes.filter(action=Action.LABEL_DELETED, label_key="loaded_framing").exists()


def test_admin_merge_action(admin_client, admin_user, annotators, unicode_sample):
    schema = load_schema("ptc18")
    source = schema.labels.get(key="whataboutism")
    target = schema.labels.get(key="straw_man")
    make_span(make_article(schema, unicode_sample), annotators[0], source, "שקרנים")
    base = {"action": "merge_selected", "_selected_action": [source.pk]}
    page = admin_client.post("/admin/schemas/label/", base)
    assert page.status_code == 200
    assert "Every span of these labels moves" in page.content.decode()
    response = admin_client.post(
        "/admin/schemas/label/", {**base, "apply": "1", "target": target.pk}
    )
    assert response.status_code == 302
    assert Span.objects.get().label == target
    change = schema.changes.get(action=Action.LABEL_MERGED)
    assert change.user == admin_user
    assert change.detail["spans_moved"] == 1


def test_admin_retire_action(admin_client, admin_user):
    schema = load_schema("manipulation")
    label = schema.labels.get(key="loaded_framing")
    response = admin_client.post(
        "/admin/schemas/label/", {"action": "retire_selected", "_selected_action": [label.pk]}
    )
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.retired
    assert schema.changes.get(action=Action.LABEL_RETIRED).user == admin_user


def test_admin_export_and_import(admin_client, admin_user):
    schema = load_schema("manipulation")
    response = admin_client.post(
        "/admin/schemas/labelschema/", {"action": "export_json", "_selected_action": [schema.pk]}
    )
    assert response["Content-Disposition"] == 'attachment; filename="manipulated-news-edits.json"'
    exported = json.loads(response.content)
    assert exported == export_schema(schema)
    response = admin_client.get(f"/admin/schemas/labelschema/{schema.pk}/export/")
    assert json.loads(response.content) == exported

    upload = io.BytesIO(json.dumps(exported).encode())
    upload.name = "manipulation.json"
    response = admin_client.post(
        "/admin/schemas/labelschema/import/", {"file": upload, "name": "Imported copy"}
    )
    assert response.status_code == 302
    copy = LabelSchema.objects.get(name="Imported copy")
    assert copy.labels.count() == 4
    assert copy.changes.get(action=Action.SCHEMA_IMPORTED).user == admin_user

    bad = io.BytesIO(b'{"labels": [{"key": "x"}]}')
    bad.name = "bad.json"
    response = admin_client.post("/admin/schemas/labelschema/import/", {"file": bad})
    assert response.status_code == 200
    assert (
        "bad.json: labels[0] (&#x27;x&#x27;): &#x27;name&#x27; is missing"
        in response.content.decode()
    )
