"""Governance's entries in a person's calendar feed: meetings (the agenda, minutes and
tacit-validation clocks, and actions' due dates, come with the registered commitments)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse

from jalon.commitments.sources import CalendarEntry
from jalon.governance.models import Meeting
from jalon.governance.workflow import MeetingState

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from jalon.contracts.models import Contract


def entries(user: User, contract: Contract, first: datetime, last: datetime) -> Iterable[CalendarEntry]:
    meetings = (Meeting.objects.visible_to(user, contract).filter(starts_at__gte=first, starts_at__lt=last)
                .exclude(status=MeetingState.CANCELLED))
    for meeting in meetings:
        yield CalendarEntry(uid=f"meeting-{meeting.pk}@jalon", title=meeting.committee_label,
                            starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                            url=reverse("governance-meeting", args=[contract.slug, meeting.pk]),
                            description=meeting.agenda)
