"""Every field of ``Span`` is in every representation of a span, or left out on purpose.

What a maintainer adding a field to ``Span`` must not forget. The API's answer and list, the
OpenAPI schema, the admin and the span SQL's INSERT and read take their fields from
``Span._meta``, so a new field reaches them by itself (the cases below pin that). The inputs,
the update statement, the export's reading and the import name their fields by hand: each
fails here until it carries the new field, or the field is added to what it leaves out, with
the reason.
"""

import re

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone

from annotator.annotations import span_sql
from annotator.annotations.models import Span
from annotator.annotations.serializers import (
    SPAN_JSON_KEYS,
    SpanCreateSerializer,
    SpanSerializer,
    SpanUpdateSerializer,
    SyncOperationSerializer,
    span_json,
)
from annotator.exports import selection
from annotator.imports import service as imports
from annotator.schemas.models import Label

FIELDS = {field.name for field in Span._meta.concrete_fields}
SET_BY_SERVER = "set by the server"
FIXED = "fixed when the span is made"
ROW_ONLY = "bookkeeping of the live row, not data of the dataset"


def field_names(names) -> set[str]:
    """The model fields among ``names`` (field names or attnames such as ``article_id``)."""
    by_name = {}
    for field in Span._meta.concrete_fields:
        by_name[field.name] = by_name[field.attname] = field.name
    return {by_name[name] for name in names if name in by_name}


def update_writes() -> set[str]:
    """The columns span_sql.UPDATE sets."""
    sets = span_sql.UPDATE.split("SET", 1)[1].split("WHERE", 1)[0]
    return {column for column in re.findall(r'"?(\w+)"? =', sets)}


def admin_fields() -> set:
    """What the admin's span page (read only) and list show."""
    admin = site.get_model_admin(Span)
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_staff=True, is_superuser=True)
    return set(admin.get_fields(request, example_span())) | set(admin.list_display)


def example_span() -> Span:
    now = timezone.now()
    return Span(
        pk=1,
        article_id=2,
        label=Label(key="doubt"),
        start=0,
        end=1,
        text="x",
        created_at=now,
        updated_at=now,
    )


# name: (what it carries, {field it leaves out: why})
REPRESENTATIONS = {
    "API answer (serializers.span_json)": (lambda: span_json(example_span()), {}),
    "API list (span_sql.layer_rows, serializers.SPAN_JSON_KEYS)": (lambda: SPAN_JSON_KEYS, {}),
    "OpenAPI (serializers.SpanSerializer)": (lambda: SpanSerializer().fields, {}),
    "admin (SpanAdmin)": (admin_fields, {"id": "the page's address"}),
    "create (span_sql.INSERT)": (
        lambda: [field.attname for field in span_sql.INSERTED],
        {"id": "the database's"},
    ),
    "read before an update (span_sql.SPAN_TARGET)": (
        lambda: [field.attname for field in span_sql.FIELDS],
        {},
    ),
    "update (span_sql.UPDATE)": (
        update_writes,
        {
            "id": FIXED,
            "article": FIXED,
            "annotator": FIXED,
            "client_id": FIXED,
            "origin": FIXED,
            "origin_model": FIXED,
            "created_at": FIXED,
        },
    ),
    "create input (SpanCreateSerializer)": (
        lambda: SpanCreateSerializer().fields,
        {
            "id": SET_BY_SERVER,
            "article": "the URL's article",
            "annotator": "the layer parameter",
            "version": SET_BY_SERVER,
            "created_at": SET_BY_SERVER,
            "updated_at": SET_BY_SERVER,
        },
    ),
    "update input (SpanUpdateSerializer)": (
        lambda: SpanUpdateSerializer().fields,
        {
            "id": "the URL's span",
            "article": FIXED,
            "annotator": FIXED,
            "client_id": FIXED,
            "origin": FIXED,
            "origin_model": FIXED,
            "created_at": FIXED,
            "updated_at": SET_BY_SERVER,
        },
    ),
    "sync operation (SyncOperationSerializer)": (
        lambda: SyncOperationSerializer().fields,
        {
            "article": "the URL's article",
            "annotator": "the layer parameter",
            "created_at": SET_BY_SERVER,
            "updated_at": SET_BY_SERVER,
        },
    ),
    "export reading (exports.selection.SPAN_FIELDS)": (
        lambda: selection.SPAN_FIELDS,
        {
            "id": ROW_ONLY,
            "origin_model": "which model proposed a span is the project's bookkeeping; origin "
            "says it was a recommendation",
            "client_id": ROW_ONLY,
            "version": ROW_ONLY,
            "created_at": ROW_ONLY,
            "updated_at": ROW_ONLY,
        },
    ),
    "import (imports.service.SPAN_FIELDS)": (
        lambda: imports.SPAN_FIELDS,
        {
            "id": "the database's",
            "note": "files carry none: the default",
            "origin_model": "imported spans come from no recommender: the default",
            "client_id": "none: imported spans are not the API's",
            "version": "the default",
            "created_at": "bulk_insert's now",
            "updated_at": "bulk_insert's now",
        },
    ),
}


@pytest.mark.parametrize("name", REPRESENTATIONS)
def test_every_span_field_is_carried_or_left_out_on_purpose(name):
    carried, left_out = REPRESENTATIONS[name]
    carried = field_names(carried())
    missing = FIELDS - carried - set(left_out)
    assert not missing, (
        f"{name} does not carry the Span field(s) {sorted(missing)}: add them there, or to "
        "what it leaves out in this test, saying why."
    )
    assert not set(left_out) - FIELDS, f"{name} leaves out fields Span no longer has"
    assert not set(left_out) & carried, f"{name} carries fields it says it leaves out"


def test_the_answer_and_the_list_show_the_same_keys():
    assert tuple(span_json(example_span())) == SPAN_JSON_KEYS
    assert set(SpanSerializer().fields) == set(SPAN_JSON_KEYS)
    assert span_sql.layer_rows.__doc__
    assert "SPAN_JSON_KEYS" in span_sql.layer_rows.__doc__
