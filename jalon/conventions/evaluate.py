"""``evaluate(convention, tickets, measures, period) -> Scorecard``: a pure function.

Same inputs, same scorecard: nothing here reads the clock, the database or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jalon.conventions import scoring
from jalon.conventions.clocks import ClockTable, Horizons
from jalon.conventions.errors import InputError
from jalon.conventions.indicators import Context, Value, compute
from jalon.conventions.mapping import MappedTickets, map_tickets
from jalon.conventions.measures import COST_SHARE, Measure
from jalon.conventions.model import Convention, Family, Indicator
from jalon.conventions.period import Period
from jalon.conventions.platform import PLATFORM_PROFILE, platform_profile
from jalon.imports.ticketset import TicketSet


@dataclass
class WindowResult:
    period: str
    value: float | None
    evidence: int
    points: float | None


@dataclass
class IndicatorResult:
    id: str
    label: str
    kind: str
    unit: str
    frequency: str
    target: str | None
    weight: float
    value: float | None = None
    evidence: int = 0
    met: bool | None = None
    note: float | None = None
    deducted: float | None = None
    points: float | None = None
    steps: float | None = None
    counted: bool = True
    reason: str = ""
    parts: list[IndicatorResult] = field(default_factory=list)
    windows: list[WindowResult] = field(default_factory=list)
    per_item: dict[str, float] = field(default_factory=dict)


@dataclass
class FamilyResult:
    id: str
    label: str
    scoring: str
    cost_share: float | None
    note: float | None
    points: float | None
    indicators: list[IndicatorResult]
    item_notes: dict[str, float] = field(default_factory=dict)


@dataclass
class Scorecard:
    convention: Convention
    period: Period
    families: list[FamilyResult]
    global_note: float | None
    total_points: float | None
    money: float | None
    bonus_malus: str | None
    probation: bool
    tickets: TicketSet | None
    profile: str | None
    clocks: dict[str, ClockTable]
    warnings: list[str]
    mapped: MappedTickets | None = None
    window_clocks: dict[str, dict[str, ClockTable]] = field(default_factory=dict)
    """The clock tables a month inside the period was judged on, as they stood at its end."""


def evaluate(
    convention: Convention,
    tickets: TicketSet | None,
    measures: list[Measure],
    period: Period,
    profile: str | None = None,
    on_error: str = "skip",
) -> Scorecard:
    """Score ``period``. ``profile`` names the mapping of the export's values (default: the
    convention's only profile); ``on_error='fail'`` refuses tickets it cannot map."""
    _, end = period.bounds(convention.contract.tz)
    mapped, warnings = _mapped(convention, tickets, profile, on_error)
    # each window (the period, a month inside it) reads the history at its own end (D-08)
    horizons = Horizons(convention, mapped) if mapped is not None else None
    clocks = horizons.clocks(end) if horizons is not None else {}
    ctx = Context(convention, mapped, horizons, measures)
    families = [_family(family, convention, ctx, period) for family in convention.families]
    card = _scorecard(convention, period, families, clocks, measures, tickets, profile, warnings)
    card.mapped = mapped
    if horizons is not None:
        card.window_clocks = _window_clocks(convention, horizons, period)
    return card


def reads(convention: Convention, period: Period) -> Period:
    """The days whose tickets scoring ``period`` reads: from the first day of its earliest
    window over tickets (the period itself, or the contract year a yearly indicator of tickets
    is counted over in its last quarter; a measure reads none) to the period's end.

    Every figure of a window is judged on instants inside it (a clock's start or stop, a
    resolution, the backlog at its end: :mod:`jalon.conventions.indicators`), so a ticket closed
    or cancelled before these days, and not reopened, weighs on none of them: the platform leaves
    such tickets out of the score's inputs (:func:`jalon.scorecards.compute.score`): a quarter of
    a three-year contract reads about a tenth of its tickets."""
    first = period.first_day
    for indicator in convention.indicators:
        if indicator.kind == "measure":
            continue
        window = _window(indicator, convention, period)
        if window is not None:
            first = min(first, window.first_day)
    return Period(first, period.last_day)


def _window_clocks(convention: Convention, horizons: Horizons, period: Period) -> dict[str, dict[str, ClockTable]]:
    windows = {}
    for sub in period.split("monthly"):
        _, end = sub.bounds(convention.contract.tz)
        tables = horizons.built(end)
        if sub != period and tables:
            windows[str(sub)] = tables
    return windows


def _mapped(
    convention: Convention, tickets: TicketSet | None, profile: str | None, on_error: str
) -> tuple[MappedTickets | None, list[str]]:
    if tickets is None:
        return None, []
    name = profile or next(iter(convention.profiles))
    if name == PLATFORM_PROFILE:  # the platform's own tickets (jalon.tickets.export)
        chosen = platform_profile(convention)
    elif name in convention.profiles:
        chosen = convention.profiles[name]
    else:
        known = ", ".join([*convention.profiles, PLATFORM_PROFILE])
        raise InputError([f"{convention.path}: profiles: no profile {name!r} (known: {known})"])
    mapped = map_tickets(convention, chosen, tickets)
    if mapped.problems and on_error == "fail":
        raise InputError(mapped.problems)
    return mapped, list(mapped.problems)


def _family(family: Family, convention: Convention, ctx: Context, period: Period) -> FamilyResult:
    members = [i for i in convention.indicators if i.family == family.id and i.part_of is None]
    results = [_indicator(i, convention, ctx, period, family) for i in members]
    counted = [r for r in results if r.counted]
    result = FamilyResult(family.id, family.label, family.scoring, family.cost_share, None, None, results)
    if family.scoring == "penalty":
        result.points = float(sum(r.points or 0.0 for r in counted))
    elif family.scoring == "note":
        if family.per_item:
            result.item_notes = _item_notes(members, results)
            notes = list(result.item_notes.values())
            result.note = sum(notes) / len(notes) if notes else None
        else:
            result.note = scoring.weighted_note([(r.note, r.weight) for r in counted if r.note is not None])
    return result


def _item_notes(members: list[Indicator], results: list[IndicatorResult]) -> dict[str, float]:
    """Seed 002 L7054-7064: a note per ordered item, then their plain average."""
    items = sorted({item for r in results for item in r.per_item})
    notes: dict[str, float] = {}
    for item in items:
        pairs = []
        for indicator, result in zip(members, results, strict=True):
            if item in result.per_item and indicator.note is not None:
                score, _ = scoring.note(result.per_item[item], indicator.note)
                pairs.append((score, indicator.weight))
        weighed = scoring.weighted_note(pairs)
        if weighed is not None:
            notes[item] = weighed
    return notes


def _window(indicator: Indicator, convention: Convention, period: Period) -> Period | None:
    if indicator.frequency == "yearly":
        # counted once a year, in the period holding the contract year's last day (L6288)
        return convention.contract.contract_year().ending_in(period)
    return period


def _indicator(
    indicator: Indicator, convention: Convention, ctx: Context, period: Period, family: Family
) -> IndicatorResult:
    result = IndicatorResult(
        indicator.id,
        indicator.label,
        indicator.kind,
        indicator.unit,
        indicator.frequency,
        str(indicator.target) if indicator.target else None,
        indicator.weight,
    )
    window = _window(indicator, convention, period)
    if window is None:
        result.counted, result.reason = False, "annual indicator, counted in the contract year's last quarter"
        return result
    if indicator.kind == "composite":
        return _composite(indicator, convention, ctx, window, result)
    if family.scoring == "penalty":
        return _penalised(indicator, convention, ctx, window, result)
    value = compute(indicator, ctx, window, window.bounds(convention.contract.tz))
    _fill(result, indicator, value)
    if family.scoring == "note" and indicator.note is not None:
        _score_note(result, indicator)
    return result


def _fill(result: IndicatorResult, indicator: Indicator, value: Value) -> None:
    result.value, result.evidence, result.per_item = value.value, value.evidence, value.per_item
    if value.missing:
        result.counted, result.reason = False, value.missing
    if value.value is not None and indicator.target is not None:
        result.met = indicator.target.met(value.value)


def _score_note(result: IndicatorResult, indicator: Indicator) -> None:
    assert indicator.note is not None
    if not result.counted:
        return  # the export cannot give it: no data, never full marks (D-15)
    if result.value is None:
        if indicator.when_no_data == "full_marks":
            result.note, result.deducted, result.reason = indicator.note.initial, 0.0, "no data: full marks"
        else:
            result.counted, result.reason = False, "no data in the period"
        return
    result.note, result.deducted = scoring.note(result.value, indicator.note)


def _composite(
    indicator: Indicator, convention: Convention, ctx: Context, window: Period, result: IndicatorResult
) -> IndicatorResult:
    """One weight over several rows (seed 002 T3, T4, T8): combine the parts' deductions."""
    bounds = window.bounds(convention.contract.tz)
    for part_id in indicator.parts:
        part = convention.indicator(part_id)
        part_result = IndicatorResult(
            part.id,
            part.label,
            part.kind,
            part.unit,
            part.frequency,
            str(part.target) if part.target else None,
            0.0,
        )
        _fill(part_result, part, compute(part, ctx, window, bounds))
        _score_note(part_result, part)
        result.parts.append(part_result)
    scored = [p for p in result.parts if p.note is not None]
    result.evidence = sum(p.evidence for p in result.parts)
    if not scored:
        result.counted, result.reason = False, "no data in the period"
        return result
    result.met = all(p.met is not False for p in scored)
    rule = convention.indicator(scored[0].id).note
    assert rule is not None
    if indicator.combine == "min":
        result.note = min(p.note for p in scored if p.note is not None)
    elif indicator.combine == "mean":
        result.note = sum(p.note for p in scored if p.note is not None) / len(scored)
    else:
        deducted = sum(p.deducted or 0.0 for p in scored)
        result.note = scoring.bounded(rule.initial - deducted, rule)
    result.deducted = rule.initial - result.note
    return result


def _penalised(
    indicator: Indicator, convention: Convention, ctx: Context, window: Period, result: IndicatorResult
) -> IndicatorResult:
    """Penalty points, per sub-period of the indicator's frequency ("dans le mois"), summed."""
    rule = indicator.penalty
    assert rule is not None
    total_points = total_steps = 0.0
    evidence = 0
    for sub in window.split(indicator.frequency):
        value = compute(indicator, ctx, sub, sub.bounds(convention.contract.tz))
        points = steps = 0.0
        if rule.per_item:
            gaps = value.gaps
            if indicator.kind == "measure" and rule.expected is not None:
                items = np.array(list(value.per_item.values()), np.float64)
                gaps = items - rule.expected if rule.direction == "at_most" else rule.expected - items
            points, steps = scoring.item_penalty_points(gaps, rule)
        elif value.value is not None:
            points, steps = scoring.penalty_points(value.value, rule)
        result.windows.append(WindowResult(str(sub), value.value, value.evidence, points))
        if value.missing:
            result.counted, result.reason = False, value.missing
        total_points += points
        total_steps += steps
        evidence += value.evidence
    result.points, result.steps, result.evidence = total_points, total_steps, evidence
    values = [w.value for w in result.windows if w.value is not None]
    if indicator.kind in {"clock_overrun", "count"}:
        result.value = sum(values) if values else None  # counts add up across months
    else:
        result.value = sum(values) / len(values) if values else None
    if result.value is not None and indicator.target is not None:
        result.met = all(indicator.target.met(v) for v in values)
    if not values and not rule.per_item and not result.reason:
        result.reason = "no data in the period"
    return result


def _scorecard(
    convention: Convention,
    period: Period,
    families: list[FamilyResult],
    clocks: dict[str, ClockTable],
    measures: list[Measure],
    tickets: TicketSet | None,
    profile: str | None,
    warnings: list[str],
) -> Scorecard:
    rule = convention.scoring
    shares = _cost_shares(convention, measures, period)
    for family in families:
        family.cost_share = shares.get(family.id, family.cost_share)
    note_families = [f for f in families if f.scoring == "note"]
    global_note = None
    if rule.method == "cost_share" and note_families:
        global_note = scoring.global_note([(f.note, f.cost_share or 0.0) for f in note_families], rule.divide_by)
    penalty_families = [f for f in families if f.scoring == "penalty"]
    total_points = sum(f.points or 0.0 for f in penalty_families) if penalty_families else None
    money = None
    if total_points is not None and rule.money_per_point is not None:
        money = total_points * rule.money_per_point
    probation = bool(convention.contract.probation_until and period.start <= convention.contract.probation_until)
    band = None
    if global_note is not None and not probation:
        found = scoring.bonus_band(global_note, rule.bonus_malus)
        band = found.label or found.outcome if found else None
    return Scorecard(
        convention,
        period,
        families,
        global_note,
        total_points,
        money,
        band,
        probation,
        tickets,
        profile,
        clocks,
        warnings,
    )


def _cost_shares(convention: Convention, measures: list[Measure], period: Period) -> dict[str, float]:
    """``cost_share.<family>`` measures of the period override the convention's shares."""
    shares: dict[str, float] = {}
    for m in measures:
        if m.indicator.startswith(COST_SHARE) and period.contains(m.period):
            shares[m.indicator[len(COST_SHARE) :]] = m.value
    return shares
