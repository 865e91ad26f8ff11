"""A faster JSONRenderer for views that return large plain payloads (a layer of spans)."""

from typing import cast

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings

from annotator.core import jsonbytes


class PlainJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer (compact, UTF-8, line separators escaped) written by orjson.

    Only for views whose payloads are strings, integers, booleans, null, lists and dicts
    (orjson writes floats and datetimes its own way); anything else orjson does not know goes
    through DRF's encoder. An ``indent`` asked for in the Accept header takes DRF's path."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return jsonbytes.dumps(data, default=self.encoder_class().default)


# The default renderers with JSON written by PlainJSONRenderer (the browsable API stays). DRF
# has imported the classes its setting names.
_DEFAULTS = cast(list[type[BaseRenderer]], api_settings.DEFAULT_RENDERER_CLASSES)
PLAIN_JSON_RENDERERS: list[type[BaseRenderer]] = [
    PlainJSONRenderer,
    *(renderer for renderer in _DEFAULTS if renderer is not JSONRenderer),
]
