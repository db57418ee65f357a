"""The orders API's shapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from jalon.api.schemas import WriteSchema
from jalon.orders.models import Order, OrderClock, OrderEvent


class LineOut(Schema):
    unit: str
    label: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class OrderClockOut(Schema):
    kind: str
    label: str
    target_seconds: int
    started_at: datetime | None
    stopped_at: datetime | None
    due_at: datetime | None
    elapsed_seconds: int
    at_risk: bool
    breached: bool

    @classmethod
    def of(cls, clock: OrderClock) -> OrderClockOut:
        return cls(kind=clock.kind, label=clock.label, target_seconds=clock.target_seconds,
                   started_at=clock.started_at, stopped_at=clock.stopped_at, due_at=clock.due_at,
                   elapsed_seconds=clock.elapsed_seconds, at_risk=clock.at_risk, breached=clock.breached)


class OrderFileOut(Schema):
    id: int
    name: str
    sha256: str
    size: int
    uploaded_at: datetime


class OrderOut(Schema):
    number: int
    reference: str
    title: str
    type: str
    status: str
    requester: str
    service: str | None
    commitment_number: str
    execution_days: int | None
    amount: Decimal
    refaction: Decimal | None
    deferrals: int
    deferred_until: date | None
    requested_at: datetime
    signed_at: datetime | None
    delivered_at: datetime | None
    due_at: datetime | None
    lines: list[LineOut]
    clocks: list[OrderClockOut]
    deliverables: list[OrderFileOut]
    tickets: list[int]
    audit: int | None

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        lines = list(order.lines.all())
        return cls(
            number=order.number, reference=order.reference, title=order.title, type=order.type.code,
            status=order.state, requester=order.requester.username,
            service=order.service.name if order.service else None, commitment_number=order.commitment_number,
            execution_days=order.execution_days, amount=sum((li.amount for li in lines), Decimal("0")),
            refaction=order.refaction, deferrals=order.deferrals, deferred_until=order.deferred_until,
            requested_at=order.requested_at, signed_at=order.signed_at, delivered_at=order.delivered_at,
            due_at=order.due_at,
            lines=[LineOut(unit=li.work_unit.code, label=li.work_unit.label, quantity=li.quantity,
                           unit_price=li.unit_price, amount=li.amount) for li in lines],
            clocks=[OrderClockOut.of(c) for c in order.clocks.all()],
            deliverables=[OrderFileOut(id=d.pk, name=d.original_name, sha256=d.sha256, size=d.size,
                                         uploaded_at=d.uploaded_at) for d in order.deliverables.all()],
            tickets=[t.pk for t in order.tickets.all()], audit=order.audit.number if order.audit else None)


class LineIn(WriteSchema):
    unit: str = Field(..., max_length=20, description="Code de l’unité d’œuvre au bordereau en vigueur.")
    quantity: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)


class OrderCreateIn(WriteSchema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=20000)
    lines: list[LineIn] = Field(..., min_length=1, max_length=200)
    tickets: list[int] = Field(default_factory=list, description="Tickets du marché à lier.")
    audit: int | None = Field(None, description="Numéro de l’audit qui précède (installation haute disponibilité).")


class OrderEventOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    state_from: str
    state_to: str
    payload: dict[str, object]

    @classmethod
    def of(cls, event: OrderEvent) -> OrderEventOut:
        return cls(kind=event.kind, at=event.at, actor=event.actor.username if event.actor else None,
                   state_from=event.state_from, state_to=event.state_to, payload=event.payload)
