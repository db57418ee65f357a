"""The reminder's registration: all a record type writes to get warnings and breach notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jalon.commitments import registry
from jalon.commitments.registry import Audience, Commitment, NoticeWords, Party
from jalon.commitments.tests.probe.models import OFFICE_HOURS, Reminder, ReminderClock
from jalon.contracts.models import Contract


def lock(reminder_id: int) -> Reminder | None:
    return (Reminder.objects.select_for_update(of=("self",)).select_related("contract", "person")
            .filter(pk=reminder_id).first())


def recompute(reminder: Reminder, now: datetime) -> Sequence[ReminderClock]:
    return reminder.recompute_clocks(now)


def contract(reminder: Reminder) -> Contract:
    return reminder.contract


def words(reminder: Reminder) -> NoticeWords:
    return NoticeWords(reference=f"RAP-{reminder.number}", title=reminder.title, noun="Rappel",
                       of_record="du rappel", the_record="le rappel",
                       please="Merci de répondre avant l’échéance.")


REMINDERS: Commitment[Reminder, ReminderClock] = Commitment(
    name="reminder", clock_model=ReminderClock, lock=lock, recompute=recompute,
    contract=contract, zone=lambda reminder, clock: OFFICE_HOURS.tz,
    url=lambda reminder: f"/rappels/{reminder.pk}/", words=words,
    warn=lambda reminder: Audience(people=(reminder.person,), parties_if_nobody=(Party.HOLDER,)),
    breach=lambda reminder: Audience(parties=(Party.BUYER,), people=(reminder.person,)))


def register() -> None:
    registry.register(REMINDERS)
