"""The convention de service as typed, immutable values (what :func:`load` returns).

Every choice the source documents leave open is a field here, never a constant in the engine;
the loader fills the seed's value as default and ``docs/conventions-decisions.md`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from jalon.conventions.period import ContractYear

Phase = Literal["new", "active", "waiting", "resolved", "closed", "cancelled"]
EventKind = Literal["opened", "resolved", "closed", "enter", "leave", "at"]
IndicatorKind = Literal[
    "clock_share",
    "clock_mean",
    "clock_percentile",
    "clock_overrun",
    "backlog_count",
    "backlog_age",
    "reopen_rate",
    "first_contact",
    "count",
    "measure",
    "composite",
]
Frequency = Literal["monthly", "quarterly", "yearly"]
Scoring = Literal["note", "penalty", "none"]
Rounding = Literal["ceil", "floor", "exact"]
OnReopen = Literal["resume", "keep_first_stop"]


@dataclass(frozen=True)
class Location:
    """Where a value was written, for messages: ``file:line: field``."""

    file: str
    line: int
    field: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}"


@dataclass(frozen=True)
class Party:
    name: str
    short: str = ""


@dataclass(frozen=True)
class Contract:
    id: str
    title: str
    buyer: Party
    holder: Party
    lots: tuple[str, ...]
    starts: date | None
    ends: date | None
    tz: str
    year_end_month: int
    """Month that closes a contract year when its start is not known: yearly indicators count
    in the quarter holding it."""
    probation_until: date | None
    """No bonus/malus for a period ending on or before this date (seed 002 L2198-2200)."""

    def contract_year(self, starts_on: date | None = None) -> ContractYear:
        """How the contract counts its years: from ``starts_on`` (the platform's record of the
        contract), else from the file's ``starts``, else years ending with ``year_end_month``
        (D-50)."""
        return ContractYear(starts_on or self.starts, self.year_end_month)


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    scoring: Scoring
    cost_share: float | None
    """Share (in %) of the quarter's cost, weighting the family note in the global note."""
    per_item: bool
    """Note each ordered item (UO, request) separately, then average (seed 002 L7054-7064)."""


@dataclass(frozen=True)
class CalendarSpec:
    id: str
    hours: str
    holidays: str
    closures: tuple[date, ...]
    tz: str
    business_day: str
    """``fixed:<minutes>``, ``same_time`` or ``none``."""
    where: Location


@dataclass(frozen=True)
class StateDef:
    id: str
    label: str
    phase: Phase


@dataclass(frozen=True)
class PriorityDef:
    id: str
    label: str


@dataclass(frozen=True)
class PriorityMatrix:
    urgencies: tuple[str, ...]
    impacts: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    """``cells[u][i]`` is the priority id for urgency ``u`` and impact ``i``."""

    def priority(self, urgency: str, impact: str) -> str | None:
        if urgency not in self.urgencies or impact not in self.impacts:
            return None
        return self.cells[self.urgencies.index(urgency)][self.impacts.index(impact)]


@dataclass(frozen=True)
class ValueMap:
    """External values (exact, or ``*`` glob patterns) to contract values for one column."""

    column: str
    values: tuple[tuple[str, str | None], ...]
    default: str | None
    """Contract value for an external value matched by no entry; None = a mapping error."""
    where: Location


@dataclass(frozen=True)
class Profile:
    name: str
    priority_from: Literal["priority", "matrix"]
    priorities: ValueMap | None
    urgencies: ValueMap | None
    impacts: ValueMap | None
    types: ValueMap
    states: ValueMap
    """External state -> contract state id; None drops the event (e.g. ServiceNow ``-100``)."""
    dimensions: dict[str, ValueMap]


@dataclass(frozen=True)
class EventRef:
    kind: EventKind
    states: tuple[str, ...] = ()
    column: str = ""
    """For ``at``: the record's own instant column (``TicketSet.instants``), e.g. ``audit_at``."""

    def __str__(self) -> str:
        if self.kind == "at":
            return f"at {self.column}"
        return self.kind if not self.states else f"{self.kind} {', '.join(self.states)}"


@dataclass(frozen=True)
class Leg:
    """One part of a target made of several delays: ``delay`` after the event ``after``."""

    after: EventRef
    text: str
    seconds: int


LegCombine = Literal["latest", "sum"]


@dataclass(frozen=True)
class Target:
    """A clock's target for one priority: a fixed duration, or read from each ticket's record.

    Exactly one of these holds: ``seconds`` alone (a duration written in the convention);
    ``column`` (a duration written on the record, e.g. the delay of a purchase order); ``due``
    (an instant written on the record: the target is the open time from the clock's start to
    it); ``legs`` (several delays from several events, see :class:`Leg` and ``combine``).
    """

    text: str
    seconds: int
    """Business seconds on the clock's calendar (0 when the target is read from the record)."""
    column: str = ""
    due: str = ""
    legs: tuple[Leg, ...] = ()
    combine: LegCombine = "latest"
    """``latest``: the deadline is the latest of each present leg's (its event + its delay);
    ``sum``: the delays of the present legs add up from the clock's start."""

    @property
    def from_record(self) -> bool:
        return bool(self.column or self.due or self.legs)


@dataclass(frozen=True)
class CalendarChoice:
    """A calendar chosen per ticket by the contract value of a dimension (team, site…)."""

    by: str
    """A dimension of the profiles (``profiles.<name>.dimensions``)."""
    values: dict[str, str]
    """Dimension value -> calendar id; other values take the clock's ``calendar``."""


@dataclass(frozen=True)
class ClockDef:
    id: str
    label: str
    types: tuple[str, ...]
    start: EventRef
    stop: EventRef
    pause_states: tuple[str, ...]
    calendar: str
    targets: dict[str, Target]
    """Priority id (or ``*`` for every priority) -> target; priorities absent have no clock."""
    on_reopen: OnReopen = "resume"
    """For a clock stopped by ``resolved`` or ``closed``: ``resume`` runs it again when the ticket
    is reopened (the gap is a pause, the last stop is final); ``keep_first_stop`` keeps the first."""
    warn_ratio: float | None = None
    """Share of the target at which the clock is *at risk*; None when the file is silent."""
    filter: Filter | None = None
    """Tickets the clock applies to besides its types (priorities, dimension values)."""
    calendar_by: CalendarChoice | None = None
    """Calendar chosen per ticket; ``calendar`` is then the one for every other ticket."""

    @property
    def calendar_ids(self) -> tuple[str, ...]:
        """Every calendar the clock may run on, its default first."""
        chosen = self.calendar_by.values.values() if self.calendar_by else ()
        return tuple(dict.fromkeys((self.calendar, *chosen)))


@dataclass(frozen=True)
class Filter:
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    dimensions: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Deduction:
    """One line of a *note sur 20* table.

    ``between``: ``points`` once when ``low <= value <= high`` (bounds per ``bounds``).
    ``below`` / ``above``: ``base`` + ``points`` per started (``rounding``) ``unit`` beyond
    ``threshold``.
    """

    kind: Literal["between", "below", "above"]
    points: float
    low: float = 0.0
    high: float = 0.0
    bounds: str = "[]"
    threshold: float = 0.0
    unit: float = 1.0
    base: float = 0.0
    rounding: Rounding = "ceil"


@dataclass(frozen=True)
class NoteRule:
    deductions: tuple[Deduction, ...]
    initial: float = 20.0
    maximum: float = 20.0
    floor: float | None = None


@dataclass(frozen=True)
class PenaltyRule:
    """*Points de pénalité = poids × pas entamés* (seed 003 L1436)."""

    weight: float
    step: float
    """In the indicator's unit; for ``per_item`` clock penalties, business seconds."""
    expected: float | None
    direction: Literal["at_least", "at_most"]
    per_item: bool
    rounding: Rounding = "ceil"


@dataclass(frozen=True)
class TargetLevel:
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

    def met(self, value: float) -> bool:
        return {
            ">=": value >= self.value,
            ">": value > self.value,
            "<=": value <= self.value,
            "<": value < self.value,
            "==": value == self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    family: str | None
    kind: IndicatorKind
    unit: str
    """``%``, ``count``, ``min``, ``h``, ``j`` (business days of the clock's calendar), ``days``."""
    frequency: Frequency
    weight: float
    target: TargetLevel | None
    filter: Filter
    clock: str | None = None
    factor: float = 1.0
    """Clocks are met within ``factor`` × target (GTR×1,5, GTR×2 in seed 003)."""
    percentile: float = 90.0
    counted_on: Literal["start", "stop"] = "stop"
    open_until: Literal["resolved", "closed"] = "resolved"
    age_calendar: str | None = None
    """Backlog age in business days of this calendar; calendar days when None."""
    within: str | None = None
    """first_contact: clock that must also be met, if any."""
    max_reassignments: int | None = None
    """first_contact: most reassignments a ticket may have had (``reassignment_count``)."""
    aggregate: Literal["mean", "sum", "last", "max", "min"] = "mean"
    note: NoteRule | None = None
    penalty: PenaltyRule | None = None
    part_of: str | None = None
    parts: tuple[str, ...] = ()
    combine: Literal["sum_deductions", "min", "mean"] = "sum_deductions"
    when_no_data: Literal["skip", "full_marks"] = "skip"
    where: Location | None = None


@dataclass(frozen=True)
class BonusBand:
    min_note: float
    outcome: Literal["bonus", "neutral", "malus"]
    percent: float | None
    label: str


@dataclass(frozen=True)
class GlobalRule:
    method: Literal["cost_share", "none"]
    divide_by: Literal["sum_of_shares", "hundred"]
    bonus_malus: tuple[BonusBand, ...]
    """Sorted by ``min_note``, highest first; the first band the note reaches applies."""
    money_per_point: float | None
    currency: str


@dataclass(frozen=True)
class Site:
    """A user service or site tickets are declared for (AQUAREEL: the SCV and the SPC)."""

    id: str
    label: str


@dataclass(frozen=True)
class Forfait:
    """The support package: days a year consumed by interventions (AQUAREEL, seed 000 §7.2)."""

    days_per_year: float
    day_minutes: int
    """Minutes in one day of the package."""
    warn_ratio: float
    """Share of the year's days consumed at which the buyer is warned ("alerte anticipée")."""
    chargeable_types: tuple[str, ...] | None = None
    """Ticket types whose time is charged to the package (seed 000 §7.2.1: urgent interventions
    and anomaly qualification); ``None``: every type (D-80)."""
    carry_over_days: float = 0.0
    """Most days of a contract year's remainder carried into the next year (D-81: none)."""
    thresholds: tuple[float, ...] = ()
    """Shares of the allowance at which the buyer and the holder are e-mailed, ascending
    (D-82: ``warn_ratio`` and 1.0, the package used up)."""

    def charges(self, ticket_type: str) -> bool:
        """Whether time spent on a ticket of ``ticket_type`` is charged to the package."""
        return self.chargeable_types is None or ticket_type in self.chargeable_types

    def carried(self, previous_remaining_days: float) -> float:
        """Days carried into a year from the previous year's remainder (never negative)."""
        return max(0.0, min(self.carry_over_days, previous_remaining_days))

    def alert_thresholds(self) -> tuple[float, ...]:
        return self.thresholds or tuple(sorted({self.warn_ratio, 1.0}))

    def days(self, minutes: int) -> float | None:
        """``minutes`` of interventions in days of the package (none without a day's length)."""
        return minutes / self.day_minutes if self.day_minutes else None

    def remaining_days(self, year_minutes: int) -> float | None:
        """What is left of the year's days once ``year_minutes`` are charged (negative beyond)."""
        used = self.days(year_minutes)
        return None if used is None else self.days_per_year - used

    def share_used(self, year_minutes: int) -> float | None:
        """Share of the year's days ``year_minutes`` use (1.0 = all of them)."""
        used = self.days(year_minutes)
        return None if used is None or not self.days_per_year else used / self.days_per_year

    def warns(self, year_minutes: int) -> bool:
        """Whether ``year_minutes`` reach the early-warning share (seed 000 §7.2.2)."""
        share = self.share_used(year_minutes)
        return share is not None and share >= self.warn_ratio


CommitteeFrequency = Literal[
    "weekly", "fortnightly", "monthly", "bimonthly", "quarterly", "half_yearly", "yearly", "on_demand"]
"""How often a committee meets: ``fortnightly`` every two weeks, ``bimonthly`` every two months."""

PLATFORM_ROLES: tuple[str, ...] = (
    "buyer_manager", "level1_agent", "requester", "holder_manager", "holder_technician", "auditor")
"""The platform's roles on a contract (``accounts.models.Role``; a test keeps both equal): a
committee's members are named by role, the engine knowing no people."""


@dataclass(frozen=True)
class Committee:
    """A contractual committee (seed 001 §11.4, 002 L1541-1921, 003 L1070-1160).

    Every delay is in business days of ``calendar``; None where the seed sets none."""

    id: str
    label: str
    kind: str
    """``copil``, ``cosui``, ``costrat``, ``cab``, ``problems``, ``cotech``, ``cyber``, ``follow_up``,
    ``review``…: what the indicators select on (LADE P2 counts every committee, CD13 R02-R03 the
    COPIL, R04 the COSUI)."""
    frequency: CommitteeFrequency
    calendar: str
    members: tuple[str, ...]
    """Platform roles invited (:data:`PLATFORM_ROLES`)."""
    duration_minutes: int = 60
    agenda_days_before: int | None = None
    """Agenda sent at least n business days before the meeting (J−n); 0 = the day before."""
    minutes_days: int | None = None
    """Minutes sent within n business days after the meeting."""
    remarks_days: int | None = None
    """Remarks on the minutes within n business days of their sending."""
    tacit_days: int | None = None
    """Minutes deemed validated n business days after their sending without remarks; None:
    only an explicit validation (COSUI: "validé par tous les participants")."""
    escalates_to: str | None = None
    """The committee an alert or disagreement it cannot settle goes to (002 L1805-1813)."""
    agenda_indicator: str | None = None
    """The indicator computed from its agendas' sending (LADE P2-ODJ, CD13 R02)."""
    minutes_indicator: str | None = None
    """The indicator computed from its minutes' sending (LADE P2-CR, CD13 R03/R04, AQUAREEL V7)."""
    where: Location | None = None


@dataclass(frozen=True)
class Meteo:
    """The daily status mail (seed 002 L3674-3680, L6222-6235): sent on the business days of
    ``calendar`` before ``deadline`` (local time); the job sends it at ``send_at``."""

    calendar: str
    send_at: str
    """``HH:MM``, local time of the calendar."""
    deadline: str
    """``HH:MM``: what the indicator measures the lateness against."""
    indicator: str | None = None
    """The indicator computed from the send times (LADE: P3)."""
DeliverableMeasureKind = Literal["days_late", "late_count", "rejections", "reservations",
                                 "on_time_share"]
Recurrence = Literal["month", "quarter", "year"]
ROLE_IDS = PLATFORM_ROLES
"""The platform's role ids, as a convention names a deliverable's validators."""


@dataclass(frozen=True)
class DeliverableType:
    """A kind of document the contract expects (seed 000 annex A: A.1 delivery note, A.2 test
    report, A.3 intervention report, A.4 audit report; 001 A.9 minutes; 002 the PAQ)."""

    id: str
    label: str
    annex: str
    """The annex of the specification giving its model (``A.1``), or ""."""
    responsible: Literal["holder", "buyer"]
    validators: tuple[str, ...]
    """Role ids that accept, reserve or reject a submission."""
    validation_seconds: int
    """Open time on the deliverables' calendar the validators have to decide."""
    tacit: bool
    """Whether a submission left undecided at the end of that time is validated tacitly."""
    lifting_seconds: int
    """Default open time given to lift a reservation (the validator may set another date)."""


@dataclass(frozen=True)
class DeliverableItem:
    """One line of the register: a dated deliverable, or a recurring one (one per month,
    quarter or year, due ``due_day`` days after the period's end)."""

    id: str
    type: str
    title: str
    due: date | None = None
    every: Recurrence | None = None
    due_day: int = 0


@dataclass(frozen=True)
class DeliverableMeasure:
    """An indicator of the convention computed from the deliverables of ``types`` (all when
    empty): days late per deliverable, late ones counted, rejections (*ajournements*),
    reservations, or the share submitted on time."""

    indicator: str
    measure: DeliverableMeasureKind
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deliverables:
    calendar: str
    """The calendar the validation and lifting delays run on."""
    warn_days: int
    """Calendar days before a due date at which the submission clock warns."""
    types: tuple[DeliverableType, ...]
    register: tuple[DeliverableItem, ...] = ()
    measures: tuple[DeliverableMeasure, ...] = ()

    def type(self, type_id: str) -> DeliverableType:
        return next(t for t in self.types if t.id == type_id)


@dataclass(frozen=True)
class Convention:
    path: str
    sha256: str
    format: str
    version: str
    contract: Contract
    families: tuple[Family, ...]
    calendars: dict[str, CalendarSpec]
    types: tuple[str, ...]
    states: tuple[StateDef, ...]
    priorities: tuple[PriorityDef, ...]
    matrix: PriorityMatrix | None
    profiles: dict[str, Profile]
    clocks: tuple[ClockDef, ...]
    indicators: tuple[Indicator, ...]
    scoring: GlobalRule
    sites: tuple[Site, ...] = ()
    forfait: Forfait | None = None
    deliverables: Deliverables | None = None
    type_labels: dict[str, str] = field(default_factory=dict)
    """Ticket type id -> the label written next to it (the id when none is written)."""
    committees: tuple[Committee, ...] = ()
    meteo: Meteo | None = None
    action_indicators: dict[str, str] = field(default_factory=dict)
    """Action domain (``quality``, ``security``) -> the indicator of its days late (CD13 R05, R07)."""
    finding_indicators: dict[str, str] = field(default_factory=dict)
    """Domain (``quality``, ``security``) -> the indicator counting the breaches of the
    requirements found in committee (CD13 R06, R08)."""
    urgent_types: tuple[str, ...] = ()
    """The types whose requests are urgent by nature (``urgent: true``): choosing one makes the
    ticket urgent."""

    def type_label(self, type_id: str) -> str:
        return self.type_labels.get(type_id, type_id)

    def family(self, family_id: str) -> Family:
        return next(f for f in self.families if f.id == family_id)

    def clock(self, clock_id: str) -> ClockDef:
        return next(c for c in self.clocks if c.id == clock_id)

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def committee(self, committee_id: str) -> Committee | None:
        return next((c for c in self.committees if c.id == committee_id), None)
