"""The indicators computed from committees' records (registered as a ``MeasureSource``):

- a committee's ``agenda_indicator`` (LADE P2-ODJ, CD13 R02): per meeting of the period, the
  days between the agenda's sending and the meeting (an agenda never sent counts 0 days before);
- its ``minutes_indicator`` (LADE P2-CR, CD13 R03, R04): per meeting, the days from the meeting
  to the minutes' first sending (unsent: to the period's end, or now if earlier); with unit
  ``%`` (AQUAREEL V7), the share of the period's meetings whose minutes were sent in time;
- ``action_indicators`` (CD13 R05 quality, R07 security): per action due by the period's end and
  not done before it started, its days late at the end of the period (or now);
- ``finding_indicators`` (CD13 R06, R08): the breaches found in the period's committees;
- the météo's ``indicator`` (LADE P3): per business day of the period up to today, the minutes
  after the deadline the météo was sent (D-89).

Days are business days of the committee's calendar for unit ``j`` and calendar days for unit
``days`` (D-88, D-90); evidence rows link to the meetings and actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from jalon.commitments.sources import ComputedMeasure, Evidence, MeasureSource
from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Convention
from jalon.conventions.period import Period
from jalon.governance import deadlines
from jalon.governance.models import Action, Finding, Meeting, MeetingClock, MeteoSend
from jalon.governance.workflow import ActionStatus, MeetingState


def indicators(convention: Convention) -> set[str]:
    found = {i for c in convention.committees for i in (c.agenda_indicator, c.minutes_indicator) if i}
    found |= set(convention.action_indicators.values()) | set(convention.finding_indicators.values())
    if convention.meteo is not None and convention.meteo.indicator:
        found.add(convention.meteo.indicator)
    return found


def _meeting_url(meeting: Meeting) -> str:
    return reverse("governance-meeting", args=[meeting.contract.slug, meeting.pk])


def _days(convention: Convention, indicator: str, calendar_id: str, first: date, last: date) -> int:
    if convention.indicator(indicator).unit == "j":
        return deadlines.business_days_between(build_calendar(convention.calendars[calendar_id]), first, last)
    return (last - first).days


def measures(contract: Contract, wanted: set[str], period: Period, now: datetime) -> Iterable[ComputedMeasure]:
    version = contract.current_convention()
    if version is None:
        return []
    convention = version.parsed()
    tz = convention.contract.tz
    start, end = period.datetime_bounds(tz)
    cutoff = min(end, now)
    result: list[ComputedMeasure] = []
    meetings = list(Meeting.objects.filter(contract=contract, starts_at__gte=start, starts_at__lt=cutoff)
                    .exclude(status=MeetingState.CANCELLED).select_related("contract").order_by("starts_at"))
    shares: dict[str, list[tuple[Meeting, bool]]] = {}
    for meeting in meetings:
        committee = convention.committee(meeting.committee)
        if committee is None:
            continue
        zone = ZoneInfo(convention.calendars[committee.calendar].tz)
        held_on = meeting.starts_at.astimezone(zone).date()
        if committee.agenda_indicator in wanted:
            sent = meeting.agenda_sent_at.astimezone(zone).date() if meeting.agenda_sent_at else held_on
            before = max(0, _days(convention, committee.agenda_indicator, committee.calendar, sent, held_on))
            words = (f"ordre du jour envoyé {before} j avant la réunion" if meeting.agenda_sent_at
                     else "ordre du jour non envoyé")
            result.append(ComputedMeasure(committee.agenda_indicator, period, float(before), item=meeting.reference,
                                          evidence=(Evidence(meeting.reference, words, _meeting_url(meeting)),)))
        indicator = committee.minutes_indicator
        if indicator in wanted:
            assert indicator is not None
            if convention.indicator(indicator).unit == "%":
                row = MeetingClock.objects.filter(meeting=meeting, kind="minutes").first()
                if row is not None and row.stopped_at is not None:
                    shares.setdefault(indicator, []).append((meeting, not row.breached))
                elif row is not None and row.due_at is not None and row.due_at < cutoff:
                    shares.setdefault(indicator, []).append((meeting, False))  # still unsent, late
                continue
            sent_at = meeting.minutes_first_sent_at
            last = sent_at.astimezone(zone).date() if sent_at else \
                min(period.last_day, now.astimezone(zone).date())
            after = max(0, _days(convention, indicator, committee.calendar, held_on, last))
            words = (f"relevé envoyé {after} j après la réunion" if sent_at
                     else f"relevé non envoyé ({after} j à la fin de la période)")
            result.append(ComputedMeasure(indicator, period, float(after), item=meeting.reference,
                                          evidence=(Evidence(meeting.reference, words, _meeting_url(meeting)),)))
    for indicator, rows in shares.items():
        good = sum(1 for _m, ok in rows if ok)
        result.append(ComputedMeasure(
            indicator, period, 100.0 * good / len(rows),
            comment=f"{good} relevé(s) sur {len(rows)} transmis dans le délai",
            evidence=tuple(Evidence(m.reference, "dans le délai" if ok else "hors délai", _meeting_url(m))
                           for m, ok in rows)))
    today = min(period.last_day, now.astimezone(ZoneInfo(tz)).date())
    result += _action_measures(contract, convention, wanted, period, today)
    result += _meteo_measures(contract, convention, wanted, period, now)
    result += _finding_measures(contract, convention, wanted, period, start, cutoff)
    return result


def _finding_measures(contract: Contract, convention: Convention, wanted: set[str], period: Period,
                      start: datetime, cutoff: datetime) -> list[ComputedMeasure]:
    """Breaches found in the committees held in the period, counted per domain (0 when none)."""
    result = []
    for domain, indicator in convention.finding_indicators.items():
        if indicator not in wanted:
            continue
        rows = list(Finding.objects.filter(contract=contract, domain=domain, meeting__starts_at__gte=start,
                                           meeting__starts_at__lt=cutoff).select_related("meeting__contract"))
        result.append(ComputedMeasure(indicator, period, float(len(rows)), evidence=tuple(
            Evidence(f.meeting.reference, f.description, _meeting_url(f.meeting)) for f in rows)))
    return result


def _action_measures(contract: Contract, convention: Convention, wanted: set[str], period: Period,
                     today: date) -> list[ComputedMeasure]:
    result = []
    for domain, indicator in convention.action_indicators.items():
        if indicator not in wanted:
            continue
        actions = (Action.objects.filter(contract=contract, domain=domain, due_on__lte=today)
                   .exclude(status=ActionStatus.CANCELLED).exclude(done_on__lt=period.first_day)
                   .select_related("contract"))
        for action in actions:
            late = action.days_late(today)
            url = reverse("governance-actions", args=[contract.slug]) + f"#action-{action.pk}"
            result.append(ComputedMeasure(indicator, period, float(late), item=action.reference, evidence=(
                Evidence(action.reference, f"{late} j de retard (échéance {action.due_on.isoformat()})", url),)))
    return result


def _meteo_measures(contract: Contract, convention: Convention, wanted: set[str], period: Period,
                    now: datetime) -> list[ComputedMeasure]:
    meteo = convention.meteo
    if meteo is None or meteo.indicator not in wanted:
        return []
    assert meteo.indicator is not None
    calendar = build_calendar(convention.calendars[meteo.calendar])
    zone = ZoneInfo(calendar.tz)
    sends = {s.day: s for s in MeteoSend.objects.filter(contract=contract, day__gte=period.first_day,
                                                        day__lte=period.last_day)}
    hour, minute = (int(x) for x in meteo.deadline.split(":"))
    result = []
    day = period.first_day
    while day <= period.last_day:
        deadline = datetime.combine(day, time(hour, minute), zone)
        if deadline > now:
            break
        if deadlines.is_business_day(calendar, day):
            sent = sends.get(day)
            if sent is not None:
                late = max(0.0, (sent.sent_at - deadline).total_seconds() / 60)
                words = f"envoyée à {sent.sent_at.astimezone(zone):%H:%M}"
            else:
                ends = min(datetime.combine(day + timedelta(days=1), time(0), zone), now)
                late = max(0.0, (ends - deadline).total_seconds() / 60)
                words = "non envoyée"
            result.append(ComputedMeasure(meteo.indicator, period, round(late, 1), item=day.isoformat(),
                                          evidence=(Evidence(f"météo {day.isoformat()}", words),)))
        day += timedelta(days=1)
    return result


SOURCE = MeasureSource(name="governance", indicators=indicators, measures=measures)
