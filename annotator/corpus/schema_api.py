"""The label schema editor's endpoints: a project's schema, its labels, order and history.

Managers (and staff) of the project only; everyone else gets 404 or 403 as for members. Writes
also need the whole schema to be theirs: a schema shared with projects they do not manage
answers 403 saying which (``projects.schema_edit_problem``). Rules and messages come from
``annotator.schemas.editing``; every change lands in the schema's history with the caller.
"""

import json

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.core.pagination import DefaultPagination
from annotator.core.serializers import ERRORS, validated
from annotator.corpus.permissions import get_project, require_manager
from annotator.corpus.projects import projects_sharing, schema_edit_problem
from annotator.schemas import editing
from annotator.schemas.colours import MIN_DELTA_E
from annotator.schemas.models import Label
from annotator.schemas.services import export_schema, retire_label, unretire_label


class EditorLabelSerializer(serializers.ModelSerializer):
    colour = serializers.CharField(source="color")
    merged_into = serializers.CharField(source="merged_into.key", allow_null=True, default=None)
    span_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Label
        fields = [
            "key",
            "name",
            "official_label",
            "category",
            "description",
            "example",
            "colour",
            "hotkey",
            "order",
            "retired",
            "merged_into",
            "span_count",
        ]


class LabelInputSerializer(serializers.Serializer):
    """The fields a label edit may carry; values are checked by the schema's rules."""

    key = serializers.CharField(required=False, max_length=100, help_text="New labels only.")
    name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    official_label = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="The definition."
    )
    example = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    colour = serializers.CharField(required=False, help_text="#rrggbb")
    hotkey = serializers.CharField(required=False, allow_blank=True, max_length=10)


class SchemaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    projects = serializers.ListField(
        child=serializers.DictField(), help_text="Every project using this schema (slug, name)."
    )
    can_edit = serializers.BooleanField()
    edit_problem = serializers.CharField(allow_null=True)
    labels = EditorLabelSerializer(many=True)
    colour_warnings = serializers.ListField(
        child=serializers.DictField(),
        help_text=f"Pairs of active labels closer than CIEDE2000 {MIN_DELTA_E:g}.",
    )


class SchemaEditSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class OrderSerializer(serializers.Serializer):
    keys = serializers.ListField(child=serializers.CharField(max_length=100), max_length=1000)


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(max_length=100, help_text="The key of the label to merge into.")


class MergeResultSerializer(serializers.Serializer):
    spans_moved = serializers.IntegerField()


class SchemaChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(source="user.get_username", allow_null=True, default=None)
    action = serializers.CharField()
    label_key = serializers.CharField()
    detail = serializers.JSONField()


def schema_state(request, project) -> dict:
    """What the editor shows: the schema, who uses it, its labels and colour warnings."""
    schema = project.schema
    labels = list(editing.labels_with_usage(schema))
    names = {label.key: label.name for label in labels}
    problem = schema_edit_problem(request.user, project)
    return {
        "id": schema.pk,
        "name": schema.name,
        "description": schema.description,
        "projects": [{"slug": p.slug, "name": p.name} for p in projects_sharing(schema)],
        "can_edit": problem is None,
        "edit_problem": problem,
        "labels": EditorLabelSerializer(labels, many=True).data,
        "colour_warnings": [
            clash.as_dict() | {"message": clash.message(names)}
            for clash in editing.schema_clashes(schema)
        ],
    }


class _SchemaView(APIView):
    def _project(self, request, slug, *, edit: bool):
        project = get_project(request.user, slug)
        require_manager(project, "edit the label schema" if edit else "open the schema editor")
        if edit and (problem := schema_edit_problem(request.user, project)):
            raise PermissionDenied(problem)
        return project

    def _label(self, project, key: str) -> Label:
        labels = project.schema.labels.select_related("schema", "merged_into")
        label = labels.filter(key=key).first()
        if label is None:
            raise NotFound(f"No label {key!r} in this project's schema.")
        return label


class ProjectSchema(_SchemaView):
    @extend_schema(responses={200: SchemaSerializer, **ERRORS}, summary="The label schema")
    def get(self, request, slug):
        return Response(schema_state(request, self._project(request, slug, edit=False)))

    @extend_schema(
        request=SchemaEditSerializer,
        responses={200: SchemaSerializer, **ERRORS},
        summary="Rename the schema or change its description",
    )
    def patch(self, request, slug):
        project = self._project(request, slug, edit=True)
        data = validated(SchemaEditSerializer, request.data)
        editing.schema_update(schema=project.schema, data=data, user=request.user)
        return Response(schema_state(request, project))


class SchemaLabels(_SchemaView):
    @extend_schema(
        request=LabelInputSerializer,
        responses={201: SchemaSerializer, **ERRORS},
        summary="Add a label (key and name; hotkey and colour default to the next free ones)",
    )
    def post(self, request, slug):
        project = self._project(request, slug, edit=True)
        data = validated(LabelInputSerializer, request.data)
        editing.label_create(schema=project.schema, data=data, user=request.user)
        return Response(schema_state(request, project), status=status.HTTP_201_CREATED)


class SchemaLabel(_SchemaView):
    @extend_schema(
        request=LabelInputSerializer,
        responses={200: SchemaSerializer, **ERRORS},
        summary="Edit a label (name, category, colour, hotkey, definition, example)",
    )
    def patch(self, request, slug, key):
        project = self._project(request, slug, edit=True)
        data = validated(LabelInputSerializer, request.data)
        editing.label_update(label=self._label(project, key), data=data, user=request.user)
        return Response(schema_state(request, project))

    @extend_schema(
        responses={200: SchemaSerializer, **ERRORS},
        summary="Delete a label no span uses (one in use: retire or merge it)",
    )
    def delete(self, request, slug, key):
        project = self._project(request, slug, edit=True)
        editing.label_delete(label=self._label(project, key), user=request.user)
        return Response(schema_state(request, project))


class SchemaLabelRetire(_SchemaView):
    retire = True

    @extend_schema(request=None, responses={200: SchemaSerializer, **ERRORS})
    def post(self, request, slug, key):
        """Retire a label (annotators no longer see it; its spans stay), or bring it back."""
        project = self._project(request, slug, edit=True)
        label = self._label(project, key)
        (retire_label if self.retire else unretire_label)(label, user=request.user)
        return Response(schema_state(request, project))


class SchemaLabelUnretire(SchemaLabelRetire):
    retire = False


class SchemaLabelMerge(_SchemaView):
    @extend_schema(
        request=MergeSerializer,
        responses={200: MergeResultSerializer, **ERRORS},
        summary="Merge a label into another: its spans move there and it is retired",
    )
    def post(self, request, slug, key):
        project = self._project(request, slug, edit=True)
        into = validated(MergeSerializer, request.data)["into"]
        moved = editing.label_merge(source=self._label(project, key), into=into, user=request.user)
        return Response({"spans_moved": moved})


class SchemaOrder(_SchemaView):
    @extend_schema(
        request=OrderSerializer,
        responses={200: SchemaSerializer, **ERRORS},
        summary="Reorder the labels: every key once, in the new order",
    )
    def post(self, request, slug):
        project = self._project(request, slug, edit=True)
        keys = validated(OrderSerializer, request.data)["keys"]
        editing.labels_reorder(schema=project.schema, keys=keys, user=request.user)
        return Response(schema_state(request, project))


class SchemaHistory(_SchemaView):
    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(
        responses={200: SchemaChangeSerializer(many=True), **ERRORS},
        summary="The schema's recorded changes, newest first",
    )
    def get(self, request, slug):
        project = self._project(request, slug, edit=False)
        changes = project.schema.changes.select_related("user").order_by("-at", "-id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(changes, request, view=self)
        return paginator.get_paginated_response(SchemaChangeSerializer(page, many=True).data)


class SchemaExport(_SchemaView):
    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, "The schema file (load_schema and new projects read it)."
            ),
            **ERRORS,
        },
        summary="Download the schema as JSON",
    )
    def get(self, request, slug):
        project = self._project(request, slug, edit=False)
        body = json.dumps(export_schema(project.schema), ensure_ascii=False, indent=2) + "\n"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = slugify(project.schema.name) or "schema"
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
