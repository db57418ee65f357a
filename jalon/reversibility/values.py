"""A field's value in the export's JSON and CSV, and back."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models
from django.utils.duration import duration_iso_string

from jalon.reversibility.discovery import Column


def to_json(column: Column, value: Any) -> Any:
    """``value`` (as the model holds it) in JSON: instants in ISO 8601 with their offset (UTC),
    decimals and ids as text, durations in ISO 8601, bytes in base64, files by their name."""
    if column.many:
        return sorted(value)
    if value is None:
        return None
    if isinstance(column.field, models.JSONField):
        return value
    if isinstance(column.field, models.FileField):
        return value.name or ""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def to_csv(column: Column, value: Any) -> str:
    """The JSON value as a CSV cell: empty for null, ``true``/``false``, JSON for structures."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)) or isinstance(column.field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def from_json(column: Column, value: Any) -> Any:
    """The model's value of a JSON value written by :func:`to_json`."""
    if column.many or value is None or isinstance(column.field, models.JSONField):
        return value
    if isinstance(column.field, models.FileField):
        return value
    return column.field.to_python(value)


def type_name(column: Column) -> str:
    """The column's type, in words, for the README."""
    f = column.field
    if column.many:
        return f"list of ids of {column.target}"
    if f.is_relation:
        return f"id of {column.target}" + (" or empty" if f.null else "")
    kinds = [
        (models.DateTimeField, "instant, ISO 8601 with offset"),
        (models.DateField, "date, ISO 8601"),
        (models.TimeField, "time, ISO 8601"),
        (models.DurationField, "duration, ISO 8601"),
        (models.BooleanField, "true / false"),
        (models.AutoField, "id (integer)"),
        (models.BigAutoField, "id (integer)"),
        (models.IntegerField, "integer"),
        (models.DecimalField, "decimal number (text)"),
        (models.FloatField, "number"),
        (models.JSONField, "JSON"),
        (models.FileField, "file: path of the member under files/"),
        (models.BinaryField, "bytes, base64"),
        (models.UUIDField, "UUID"),
    ]
    name = next((words for kind, words in kinds if isinstance(f, kind)), "text")
    if f.choices:
        name += ", a code (its values are listed under the meaning)"
    if f.null and not f.is_relation:
        name += ", or empty"
    return name
