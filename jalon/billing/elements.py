"""A contract's billing elements for one period (seed 002 L1634-1651, seed 003 L1118).

What the holder brings to the steering committee and the buyer rules on: the services rendered
over the period, the orders accepted in it with their amounts before tax (at the prices of the
schedule in force when each order was signed: an approved index revision applies, D-130), the
réfactions, and the penalties and bonus/malus of the period's *validated* scorecard, read from
its frozen figures, never recomputed (D-131). A period whose scorecard is not validated says so.

Nothing here is stored: every element is read from records that no longer change once the period
is over (accepted orders, the frozen scorecard), so the file of a past period is the same
whenever it is made (D-132).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.contracts.models import Contract
from jalon.conventions.model import BonusBand
from jalon.conventions.period import Period
from jalon.forfait import ledger
from jalon.orders.models import Order, PriceSchedule
from jalon.orders.workflow import ACCEPTED_STATES, OrderState
from jalon.scorecards.models import PeriodScorecard
from jalon.scorecards.workflow import Status
from jalon.tickets.models import Ticket, TimeEntry

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BilledLine:
    code: str
    label: str
    unit: str
    quantity: Decimal
    ordered_price: Decimal
    """The unit price written on the order (the schedule in force on the day of the request)."""
    unit_price: Decimal
    """The unit price billed: the schedule in force on the day the order was signed (D-130)."""
    schedule_version: int

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.unit_price)

    @property
    def revised(self) -> bool:
        return self.unit_price != self.ordered_price


@dataclass(frozen=True)
class AcceptedOrder:
    reference: str
    number: int
    title: str
    type_label: str
    commitment_number: str
    state: str
    """The order's state: ``admitted`` or ``service_done``."""
    state_label: str
    accepted_on: date
    lines: tuple[BilledLine, ...]
    refaction: Decimal
    refaction_reason: str

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def net(self) -> Decimal:
        return self.amount - self.refaction


@dataclass(frozen=True)
class DeliveredOrder:
    reference: str
    title: str
    type_label: str
    delivered_on: date
    state: str


@dataclass(frozen=True)
class ScorecardPart:
    """The period's penalties and bonus/malus, from the validated scorecard's frozen figures."""

    validated: bool
    status: str
    version: int | None = None
    validated_at: datetime | None = None
    global_note: float | None = None
    penalty_points: float | None = None
    penalty_amount: Decimal | None = None
    """Points × the convention's money per point; None when the convention gives no amount."""
    currency: str = "EUR"
    bonus_malus: str | None = None
    outcome: str | None = None
    """``bonus``, ``neutral`` or ``malus``: the band the note reached."""
    percent: Decimal | None = None
    probation: bool = False


@dataclass(frozen=True)
class Elements:
    contract: Contract
    period: Period
    made_at: datetime
    tickets_resolved: tuple[tuple[str, int], ...]
    """Tickets resolved in the period, per type (label, count)."""
    forfait_days: Decimal | None
    """Days charged to the support package in the period (None: the convention has none)."""
    delivered: tuple[DeliveredOrder, ...]
    accepted: tuple[AcceptedOrder, ...]
    scorecard: ScorecardPart
    vat_rate: Decimal = field(default_factory=lambda: Decimal(str(settings.JALON_BILLING_VAT_RATE)))

    @property
    def lines_total(self) -> Decimal:
        return sum((order.amount for order in self.accepted), ZERO)

    @property
    def refactions(self) -> Decimal:
        return sum((order.refaction for order in self.accepted), ZERO)

    @property
    def bonus_malus_amount(self) -> Decimal:
        """Signed: positive for a bonus, negative for a malus; the band's percentage of the
        period's accepted amount net of réfactions (D-131)."""
        card = self.scorecard
        if not card.validated or card.percent is None or card.outcome not in ("bonus", "malus"):
            return ZERO
        value = cents((self.lines_total - self.refactions) * card.percent / 100)
        return value if card.outcome == "bonus" else -value

    @property
    def net_before_tax(self) -> Decimal:
        return self.lines_total - self.refactions + self.bonus_malus_amount

    @property
    def penalties(self) -> Decimal:
        """Penalties, apart from the invoice's total: the buyer withholds them (D-133)."""
        card = self.scorecard
        return card.penalty_amount if card.validated and card.penalty_amount is not None else ZERO


def zone_of(contract: Contract) -> str:
    convention = ledger.convention_of(contract)
    return convention.contract.tz if convention else settings.TIME_ZONE


def build(contract: Contract, period: Period, now: datetime) -> Elements:
    zone = zone_of(contract)
    start, end = period.datetime_bounds(zone)
    return Elements(contract=contract, period=period, made_at=now,
                    tickets_resolved=_tickets_resolved(contract, start, end),
                    forfait_days=_forfait_days(contract, period),
                    delivered=_delivered(contract, start, end, zone),
                    accepted=_accepted(contract, start, end, zone),
                    scorecard=scorecard_part(contract, period))


def _tickets_resolved(contract: Contract, start: datetime, end: datetime) -> tuple[tuple[str, int], ...]:
    convention = ledger.convention_of(contract)
    counts = Counter(Ticket.objects.filter(contract=contract, resolved_at__gte=start, resolved_at__lt=end)
                     .values_list("type", flat=True))
    return tuple((convention.type_label(kind) if convention else kind, counts[kind]) for kind in sorted(counts))


def _forfait_days(contract: Contract, period: Period) -> Decimal | None:
    convention = ledger.convention_of(contract)
    terms = convention.forfait if convention else None
    if terms is None or not terms.day_minutes:
        return None
    minutes = TimeEntry.objects.forfait_minutes(contract, period.first_day, period.last_day)
    return cents(Decimal(minutes) / Decimal(terms.day_minutes))


def _delivered(contract: Contract, start: datetime, end: datetime, zone: str) -> tuple[DeliveredOrder, ...]:
    found = (Order.objects.filter(contract=contract, delivered_at__gte=start, delivered_at__lt=end)
             .select_related("contract", "type").order_by("number"))
    return tuple(DeliveredOrder(o.reference, o.title, o.type.label,
                                timezone.localtime(o.delivered_at, ZoneInfo(zone)).date(),
                                str(o.get_state_display())) for o in found)


def _accepted(contract: Contract, start: datetime, end: datetime, zone: str) -> tuple[AcceptedOrder, ...]:
    found = (Order.objects.filter(contract=contract, state__in=ACCEPTED_STATES,
                                  accepted_at__gte=start, accepted_at__lt=end)
             .select_related("contract", "type").prefetch_related("lines__work_unit").order_by("number"))
    schedules: dict[date, PriceSchedule | None] = {}
    result = []
    for order in found:
        signed = timezone.localtime(order.signed_at or order.requested_at, ZoneInfo(zone)).date()
        if signed not in schedules:
            schedules[signed] = PriceSchedule.in_force(contract, signed)
        in_force = schedules[signed] or order.schedule
        prices = {u.code: u.unit_price for u in in_force.units.all()} if in_force.pk != order.schedule_id else {}
        lines = tuple(BilledLine(line.work_unit.code, line.work_unit.label, line.work_unit.unit, line.quantity,
                                 line.unit_price, prices.get(line.work_unit.code, line.unit_price),
                                 in_force.version if line.work_unit.code in prices else order.schedule.version)
                      for line in order.lines.all())
        result.append(AcceptedOrder(
            order.reference, order.number, order.title, order.type.label, order.commitment_number,
            order.state, str(OrderState(order.state).label),
            timezone.localtime(order.accepted_at, ZoneInfo(zone)).date(),
            lines, order.refaction or ZERO, order.refaction_reason))
    return tuple(result)


def scorecard_part(contract: Contract, period: Period) -> ScorecardPart:
    """The latest validated version of the period's scorecard, else the state it is in."""
    card = (PeriodScorecard.objects.filter(contract=contract, period=str(period), status=Status.VALIDATED)
            .select_related("convention_version").order_by("-version").first())
    if card is None or not card.figures:
        current = PeriodScorecard.current(contract, period)
        status = current.get_status_display() if current else _("pas encore proposé")
        return ScorecardPart(validated=False, status=str(status))
    figures = card.figures
    money = figures.get("money") or {}
    band = _band(card, figures.get("bonus_malus"))
    return ScorecardPart(
        validated=True, status=str(card.get_status_display()), version=card.version,
        validated_at=card.validated_at, global_note=figures.get("global_note"),
        penalty_points=figures.get("total_penalty_points"),
        penalty_amount=cents(Decimal(str(money["amount"]))) if money.get("amount") is not None else None,
        currency=money.get("currency") or "EUR", bonus_malus=figures.get("bonus_malus"),
        outcome=band.outcome if band else None,
        percent=Decimal(str(band.percent)) if band and band.percent is not None else None,
        probation=bool(figures.get("probation")))


def _band(card: PeriodScorecard, label: str | None) -> BonusBand | None:
    """The band named in the frozen figures, in the convention version the scorecard was frozen
    with (its percentage is not in the figures)."""
    if not label or card.convention_version is None:
        return None
    bands = card.convention_version.parsed().scoring.bonus_malus
    return next((b for b in bands if (b.label or b.outcome) == label), None)
