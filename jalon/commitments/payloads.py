"""What an event of a record stores: a typed payload, one frozen dataclass per event kind.

A domain method builds the payload; the event stores :meth:`Payload.as_json` and readers get it
back typed with :meth:`Payload.of`, never by reading keys of a dict. Tickets, orders, meetings
and deliverables each declare their payloads on a base of their own (``EventData`` in their
``events.py``) that subclasses :class:`Payload` and says, in class variables, what it keeps of
the differences it was written with:

- ``omit_when_none``: fields left out of the stored JSON when they are None (a ticket's
  opening writes its requester only when someone declared it on their behalf);
- ``read_back``: the types read back from their text (a meeting's payloads read datetimes and
  leave any date as text; a deliverable's read dates only; an order's also read ``Decimal``).

What is stored does not depend on them: dates and datetimes are written in ISO 8601, a
``Decimal`` as its text, a tuple as a list, everything else as it is, in the fields' order. The
stored JSON of every payload is that of the four copies this replaced, byte for byte
(``jalon/commitments/tests/test_payloads.py``): a ticket's is part of the hash chain of its
history.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

READERS: dict[type, Callable[[str], Any]] = {
    date: date.fromisoformat,
    datetime: datetime.fromisoformat,
    Decimal: Decimal,
}
"""How a value of each type that ``read_back`` may name is read from its text."""


def plain(value: Any) -> Any:
    """``value`` as JSON holds it: ISO 8601 dates, ``Decimal`` as text, sequences as lists."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True)
class Payload:
    """The payload of one event kind of a record."""

    kind: ClassVar[Any]
    omit_when_none: ClassVar[tuple[str, ...]] = ()
    """Fields left out of the stored JSON when they are None."""
    read_back: ClassVar[tuple[type, ...]] = (date, datetime)
    """The field types :meth:`of` reads back from their text (among :data:`READERS`)."""

    def as_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None and field.name in self.omit_when_none:
                continue
            stored[field.name] = plain(value)
        return stored

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Self:
        """The payload from its stored JSON; unknown keys are ignored, missing ones defaulted."""
        values: dict[str, Any] = {}
        for name, kind in field_types(cls).items():
            if name not in stored:
                continue
            value = stored[name]
            if kind in cls.read_back and isinstance(value, str):
                value = READERS[kind](value)
            values[name] = value
        return cls(**values)


_FIELD_TYPES: dict[type[Payload], dict[str, Any]] = {}


def field_types(cls: type[Payload]) -> dict[str, Any]:
    """Each field's type, None left out of optional ones (read once per class)."""
    if cls in _FIELD_TYPES:
        return _FIELD_TYPES[cls]
    hints = typing.get_type_hints(cls)
    found: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        found[field.name] = hint
    _FIELD_TYPES[cls] = found
    return found
