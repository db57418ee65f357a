"""What the periodic governance task does (``jalon/messaging/tasks.py`` schedules it; each tick
runs once across workers): apply tacit validations that fell due, and keep each committee's
meetings scheduled up to the horizon; give open actions their due-date clock. All are safe
to repeat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from jalon.contracts.models import Contract
from jalon.governance import schedule
from jalon.governance.models import Action, Meeting
from jalon.governance.workflow import ActionStatus, MinutesState


def apply_tacit_validations(now: datetime) -> int:
    """Minutes sent whose tacit-validation deadline has passed become *validated tacitly*, each
    under its row lock; answers how many."""
    done = 0
    for pk in Meeting.objects.filter(minutes_state=MinutesState.SENT).values_list("pk", flat=True):
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().select_related("contract", "convention_version") \
                .filter(pk=pk).first()
            if meeting is None or meeting.tacit_deadline() is None:
                continue
            before = meeting.minutes_state
            meeting.recompute_clocks(now)
            done += before != meeting.minutes_state
    return done


def schedule_all(now: datetime) -> int:
    made = 0
    for contract in Contract.objects.all():
        version = contract.current_convention()
        if version is None:
            continue
        today = now.astimezone(ZoneInfo(version.parsed().contract.tz)).date()
        made += len(schedule.schedule_contract(contract, today))
    return made


def clock_open_actions(now: datetime) -> int:
    """Open actions that have no due-date clock yet (recorded before actions had one) get it,
    so that the clock scan announces them; answers how many."""
    done = 0
    for pk in Action.objects.filter(status=ActionStatus.OPEN, clocks__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            action = Action.objects.select_for_update(of=("self",)).select_related("contract", "meeting") \
                .get(pk=pk)
            done += bool(action.recompute_clocks(now))
    return done


def run(now: datetime) -> int:
    return apply_tacit_validations(now) + schedule_all(now) + clock_open_actions(now)
