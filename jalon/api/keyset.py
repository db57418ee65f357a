"""Keyset pages in a stable order, shared by every list of the API.

A page is the rows after a ``(value, id)`` pair in ``sort`` order, ties broken by the id in the
same direction; ``next_cursor`` carries that pair (and the sort it was read with), so a row
written meanwhile never shifts a page nor repeats a row, as an offset would. The sorted field
must be a column that is never null; its type (date-time, date, integer, text) is read from the
model to read the cursor back.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

_M = TypeVar("_M", bound=models.Model)


def page(rows: QuerySet[_M], sort: str, cursor: str | None, limit: int, *, ordered: bool = False
         ) -> tuple[list[_M], str | None]:
    """One page of ``rows`` in ``sort`` order (``-field`` descending; ties by id) after
    ``cursor``, and the next cursor (None on the last page). ``ordered``: ``rows`` already come
    in that order (a queryset's own ``ordered_by``)."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if not ordered:
        rows = rows.order_by(sort, "-pk" if descending else "pk")
    if cursor:
        value, pk = read_cursor(cursor, sort, rows.model)
        after = "lt" if descending else "gt"
        rows = rows.filter(Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"pk__{after}": pk}))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], write_cursor(sort, getattr(last, field), last.pk)


def write_cursor(sort: str, value: Any, pk: int) -> str:
    shown = value.isoformat() if isinstance(value, date | datetime) else value
    raw = json.dumps([sort, shown, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str, sort: str, model: type[models.Model]) -> tuple[Any, int]:
    """The ``(value, id)`` of ``cursor``, its value typed as ``model``'s sorted field; a located
    message (field ``cursor``) if it is unreadable or was read with another sort."""
    column = model._meta.get_field(sort.lstrip("-"))
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, pk = json.loads(raw)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(cursor)
        value = _typed(column, value)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError({"cursor": [_("Curseur illisible : reprenez la liste depuis le "
                                            "début.")]}) from None
    if cursor_sort != sort:
        raise ValidationError({"cursor": [_("Ce curseur a été obtenu avec un autre tri "
                                            "(« %(sort)s ») : reprenez la liste depuis le début.")
                                          % {"sort": cursor_sort}]})
    return value, pk


def _typed(column: Any, value: Any) -> Any:
    if isinstance(column, models.DateTimeField):
        if not isinstance(value, str):
            raise ValueError(value)
        return datetime.fromisoformat(value)
    if isinstance(column, models.DateField):
        if not isinstance(value, str):
            raise ValueError(value)
        return date.fromisoformat(value)
    if isinstance(column, models.IntegerField):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(value)
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    return value
