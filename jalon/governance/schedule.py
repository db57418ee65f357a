"""Meetings scheduled from each committee's frequency (``jalon schedule_meetings``, and the
daily governance job): for each committee of the convention that meets on a rhythm, the slots
from the last one planned up to a horizon. A slot is the nominal instant (every month on the
same day at the same hour); the meeting starts on it, or on the next business day of the
committee's calendar when the slot falls on a closed day. A moved meeting keeps its slot, so the
rhythm does not drift."""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from jalon.contracts.models import Contract
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Committee
from jalon.governance import deadlines
from jalon.governance.models import Meeting

MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "half_yearly": 6, "yearly": 12}
WEEKS = {"weekly": 1, "fortnightly": 2}


def next_slot(frequency: str, slot: datetime) -> datetime:
    if frequency in WEEKS:
        return slot + timedelta(weeks=WEEKS[frequency])
    index = slot.year * 12 + slot.month - 1 + MONTHS[frequency]
    year, month = divmod(index, 12)
    day = min(slot.day, months.monthrange(year, month + 1)[1])
    return slot.replace(year=year, month=month + 1, day=day)


def meeting_time() -> time:
    hours, minutes = (int(x) for x in settings.JALON_MEETING_TIME.split(":"))
    return time(hours, minutes)


def schedule_committee(contract: Contract, committee: Committee, calendar_tz: str, start: date,
                       until: date) -> list[Meeting]:
    """The meetings of ``committee`` missing between its last slot (else ``start``) and
    ``until``."""
    if committee.frequency not in MONTHS and committee.frequency not in WEEKS:
        return []  # on demand: scheduled by hand
    zone = ZoneInfo(calendar_tz)
    last = (Meeting.objects.filter(contract=contract, committee=committee.id).order_by("-slot")
            .values_list("slot", flat=True).first())
    slot = next_slot(committee.frequency, last.astimezone(zone)) if last else \
        datetime.combine(start, meeting_time(), zone)
    version = contract.current_convention()
    assert version is not None
    calendar = build_calendar(version.parsed().calendars[committee.calendar])
    made = []
    while slot.date() <= until:
        day = slot.date()
        if not deadlines.is_business_day(calendar, day):
            day = deadlines.shift_business_days(calendar, day, 1)
        starts = datetime.combine(day, slot.timetz().replace(tzinfo=None), zone)
        made.append(Meeting.schedule(None, contract, committee.id, starts, slot=slot))
        slot = next_slot(committee.frequency, slot)
    return made


def schedule_contract(contract: Contract, today: date, horizon_days: int | None = None) -> list[Meeting]:
    version = contract.current_convention()
    if version is None:
        return []
    convention = version.parsed()
    until = today + timedelta(days=horizon_days if horizon_days is not None else settings.JALON_MEETING_HORIZON_DAYS)
    start = max(today, contract.starts_on) if contract.starts_on else today
    made = []
    for committee in convention.committees:
        made += schedule_committee(contract, committee, convention.calendars[committee.calendar].tz, start, until)
    return made
