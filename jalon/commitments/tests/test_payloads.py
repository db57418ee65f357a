"""The event payloads of tickets, orders, meetings and deliverables share one base
(``jalon.commitments.payloads``); what each stores is what its own copy stored before, byte for
byte (a ticket's payload is hashed into its history's chain), and reads back as it did.

``data/event_payloads.json`` was written by the four copies before they were merged: for every
payload class, a sample with every field set and one with its defaults, as the JSON text the
event stores (fields in order) and the ``repr`` of what ``of`` reads back from it."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

from jalon.commitments.payloads import Payload
from jalon.deliverables import events as deliverables
from jalon.governance import events as governance
from jalon.orders import events as orders
from jalon.tickets import events as tickets
from jalon.tickets.history import canonical

GOLDEN = json.loads((Path(__file__).parent / "data" / "event_payloads.json").read_text("utf-8"))
MODULES = {"tickets": tickets, "orders": orders, "governance": governance,
           "deliverables": deliverables}

SAMPLES: dict[Any, Any] = {
    str: 'Écran 24" cassé', int: 7, bool: False, Decimal: Decimal("12.50"),
    date: date(2026, 3, 31), datetime: datetime(2026, 3, 31, 17, 45, tzinfo=timezone(timedelta(hours=2))),
}


def sample(hint: Any) -> Any:
    """A value of the type ``hint`` (the first of a union's), two items for a list."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)))
    if origin is list:
        return [sample(args[0]), sample(args[0])]
    if origin is tuple:
        items = tuple(sample(a) for a in args if a is not Ellipsis)
        return items * 2 if Ellipsis in args else items
    if origin is dict:
        return {"priority": "P2", "title": "avant"}
    return SAMPLES[hint]


def cases() -> list[tuple[str, type[Payload], str]]:
    found = []
    for name, module in MODULES.items():
        for cls in module.PAYLOADS.values():
            for label in ("full", "empty"):
                found.append((f"{name}.{cls.__name__}.{label}", cls, label))
    return found


@pytest.mark.parametrize(("key", "cls", "label"), cases(), ids=[c[0] for c in cases()])
def test_every_payload_stores_the_bytes_its_module_stored_and_reads_back_the_same(
        key: str, cls: type[Payload], label: str) -> None:
    hints = typing.get_type_hints(cls)
    payload = (cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)})
               if label == "full" else cls())
    text = json.dumps(payload.as_json(), ensure_ascii=False)
    assert [text, repr(cls.of(json.loads(text)))] == GOLDEN[key]


def test_every_payload_class_has_its_golden_bytes() -> None:
    assert sorted(GOLDEN) == sorted(key for key, _cls, _label in cases())


def test_a_ticket_payload_hashes_as_before() -> None:
    """The canonical form the history's chain hashes, for an opening on someone's behalf and one
    without (the requester is then left out, not written as null)."""
    on_behalf = tickets.Opened(type="anomalie", title='Écran 24" cassé', priority="P2", requester=12)
    assert canonical(on_behalf.as_json()) == (
        '{"impact":"","is_urgent":false,"priority":"P2","requester":12,"title":"Écran 24\\" cassé",'
        '"type":"anomalie","urgency":""}').encode()
    assert "requester" not in tickets.Opened(title="x").as_json()


def test_the_module_bases_keep_their_reading_of_text() -> None:
    """An order reads back amounts; a meeting leaves what is not a datetime as JSON holds it; a
    deliverable reads dates."""
    assert orders.Admitted.of({"refaction": "0.10"}).refaction == Decimal("0.10")
    assert governance.Attendance.of({"present": ["A", "B"]}).present == ["A", "B"]
    moved = governance.Moved.of({"starts_at": "2026-03-31T09:00:00+00:00"})
    assert moved.starts_at == datetime(2026, 3, 31, 9, tzinfo=UTC)
    assert deliverables.Expected.of({"due_on": "2026-03-31"}).due_on == date(2026, 3, 31)
    assert tickets.TimeLogged.of({"spent_on": "2026-03-31", "unknown": 1}).spent_on == date(2026, 3, 31)


@dataclasses.dataclass(frozen=True)
class _Sample(Payload):
    kind: ClassVar[str] = "sample"
    omit_when_none: ClassVar[tuple[str, ...]] = ("note",)
    read_back: ClassVar[tuple[type, ...]] = (Decimal,)
    amount: Decimal | None = None
    due: date | None = None
    rows: tuple[tuple[str, date], ...] = ()
    note: str | None = None


def test_the_base_writes_plain_json_and_reads_back_only_the_named_types() -> None:
    payload = _Sample(Decimal("1.5"), date(2026, 1, 2), (("a", date(2026, 1, 3)),))
    assert payload.as_json() == {"amount": "1.5", "due": "2026-01-02",
                                 "rows": [["a", "2026-01-03"]]}
    back = _Sample.of({**payload.as_json(), "other": True})
    assert back.amount == Decimal("1.5")
    assert back.due == "2026-01-02"  # not among read_back: left as text
    assert _Sample.of({}) == _Sample()
