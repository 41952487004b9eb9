"""A JSONField that encodes and decodes with orjson: a transcript's words are megabytes of JSON.

A 3-hour call holds about 30,000 timed words (2.6 MB as JSON). Saving one correction reads them
and writes them back; with the standard library's `json` that encoding and decoding was over half
the time of a save (bench part 7). orjson does the same work several times faster and gives the
same Python values back. Anything orjson refuses (integers beyond 64 bits, keys that are not
strings) falls back to the standard library, so every value the plain field stored still works.

The field deconstructs as Django's own JSONField: migrations do not see a new field class, so no
table is remade (on SQLite remaking the transcript table would also drop the search triggers).
"""

from __future__ import annotations

import json

import orjson
from django.db import models
from django.db.models.fields.json import KeyTransform


class _Encoder(json.JSONEncoder):
    """What Django hands to `json.dumps(..., cls=...)` on every database: orjson first."""

    def encode(self, o):
        try:
            return orjson.dumps(o).decode()
        except (orjson.JSONEncodeError, TypeError):
            return super().encode(o)


class FastJSONField(models.JSONField):
    """models.JSONField, with orjson on the way in and out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.encoder is None:
            self.encoder = _Encoder

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        if kwargs.get("encoder") is _Encoder:
            del kwargs["encoder"]
        return name, "django.db.models.JSONField", args, kwargs

    def from_db_value(self, value, expression, connection):
        ours = self.decoder is None and not isinstance(expression, KeyTransform)
        if ours and isinstance(value, (str, bytes)):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass  # e.g. NaN, which the standard library reads: let it
        return super().from_db_value(value, expression, connection)
