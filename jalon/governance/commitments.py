"""Meetings' clocks (agenda due, minutes due, tacit validation), as the commitments registry
knows them (registered in ``apps.py``): the clock scan warns before each is due ("agenda due",
"minutes due", "tacit validation coming") and notifies a late agenda or minutes; actions' due
dates likewise ("action due" to the owner, then "late" to both sides)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.contracts.models import Contract
from jalon.governance.models import Action, ActionClock, Meeting, MeetingClock


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




# -- actions: their due date ------------------------------------------------------------------

def lock_action(action_id: int) -> Action | None:
    return (Action.objects.select_for_update(of=("self",)).select_related("contract", "meeting", "owner")
            .filter(pk=action_id).first())


def action_words(action: Action) -> NoticeWords:
    return NoticeWords(
        reference=action.contract.reference, title=f"{action.reference} {action.title}", noun="Action",
        of_record="de l’action", the_record="l’action",
        please="Merci de réaliser l’action, ou d’en faire revoir l’échéance en comité, avant la date prévue.",
        details=(("Échéance", action.due_on.isoformat()),
                 ("Responsable", action.owner.get_full_name() or action.owner.username if action.owner else "—")))


def action_url(action: Action) -> str:
    return reverse("governance-action", args=[action.contract.slug, action.pk])


def action_due(action: Action) -> Audience:
    """The owner is told the action is due; both sides if it has no owner who can be written to."""
    return Audience(people=(action.owner,), parties_if_nobody=(Party.BUYER, Party.HOLDER))


def action_late(action: Action) -> Audience:
    return Audience(people=(action.owner,), parties=(Party.BUYER, Party.HOLDER))


def _action_zone(action: Action, clock: ActionClock) -> str:
    found = action.calendar_and_zone()
    return found[2] if found else "Europe/Paris"


ACTIONS: Commitment[Action, ActionClock] = Commitment(
    name="action", clock_model=ActionClock, lock=lock_action, recompute=lambda a, now: a.recompute_clocks(now),
    contract=lambda a: a.contract, zone=_action_zone, url=action_url, words=action_words, warn=action_due,
    breach=action_late, visible=lambda user, contract: Action.objects.visible_to(user, contract))


def register() -> None:
    registry.register(MEETINGS)
    registry.register(ACTIONS)
