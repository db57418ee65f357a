"""Meetings' clocks (agenda due, minutes due, tacit validation), as the commitments registry
knows them (registered in ``apps.py``): the clock scan warns before each is due ("agenda due",
"minutes due", "tacit validation coming") and notifies a late agenda or minutes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.governance.models import Meeting, MeetingClock


def lock(meeting_id: int) -> Meeting | None:
    return (Meeting.objects.select_for_update(of=("self",)).select_related("contract", "convention_version")
            .filter(pk=meeting_id).first())


def recompute(meeting: Meeting, now: datetime) -> Sequence[MeetingClock]:
    return meeting.recompute_clocks(now)


def contract(meeting: Meeting) -> Contract:
    return meeting.contract


def zone(meeting: Meeting, clock: MeetingClock) -> str:
    return str(meeting.zone())


def url(meeting: Meeting) -> str:
    return reverse("governance-meeting", args=[meeting.contract.slug, meeting.pk])


def words(meeting: Meeting) -> NoticeWords:
    return NoticeWords(
        reference=meeting.contract.reference, title=meeting.reference, noun="Réunion",
        of_record="de la réunion", the_record="la réunion",
        please="Merci d’agir avant l’échéance.",
        details=(("Comité", meeting.committee_label),))


def audience(meeting: Meeting) -> Audience:
    return Audience(parties=(Party.BUYER, Party.HOLDER))


MEETINGS: Commitment[Meeting, MeetingClock] = Commitment(
    name="meeting", clock_model=MeetingClock, lock=lock, recompute=recompute, contract=contract, zone=zone,
    url=url, words=words, warn=audience, breach=audience)


def register() -> None:
    registry.register(MEETINGS)
