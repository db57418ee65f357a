"""A second record type (the test-only reminder of ``jalon.commitments.tests.probe``) gets its
warnings and breach notices from the same scan, with nothing written for it but a registration.

A reminder asked Monday 11 May 2026, 09:00 Paris, is answered within 10 open hours (office hours
08:00–18:00): its warning is at 80 %, Monday 17:00, and it is due Tuesday 12 May, 09:00.
"""

from __future__ import annotations

from django.core import mail

from jalon.commitments import registry
from jalon.commitments.tests.probe.models import Reminder, ReminderClock
from jalon.messaging.clockwatch import check_record, scan_clocks
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.tests.base import MessagingTestCase, at, paris, recipients
from jalon.tickets.models import Clock


class SecondRecordTypeScanTest(MessagingTestCase):
    def reminder(self, number: int = 1, **fields: object) -> Reminder:
        values = {"title": "Envoyer le plan de charge", "person": self.technician,
                  "asked_at": paris(2026, 5, 11, 9, 0), **fields}
        reminder = Reminder.objects.create(contract=self.contract, number=number, **values)
        reminder.recompute_clocks(paris(2026, 5, 11, 9, 0))
        return reminder

    def scan(self, year: int, month: int, day: int, hour: int, minute: int,
             limit: int = 500) -> int:
        with at(paris(year, month, day, hour, minute)), \
                self.captureOnCommitCallbacks(execute=True):
            return scan_clocks(limit=limit)

    def notices(self) -> list[tuple[str, str]]:
        rows = OutboxMessage.objects.exclude(kind=NoticeKind.URGENT_OPENED).order_by("pk")
        return list(rows.values_list("kind", "to"))

    def test_both_record_types_are_registered(self) -> None:
        names = [c.name for c in registry.registered()]
        assert names == ["ticket", "meeting", "action", "deliverable", "order", "scorecard", "reminder"]

    def test_nothing_is_sent_before_the_warning_instant(self) -> None:
        self.reminder()
        assert self.scan(2026, 5, 11, 16, 59) == 0
        assert mail.outbox == []

    def test_a_reminder_is_warned_once_in_its_own_words(self) -> None:
        reminder = self.reminder()
        assert self.scan(2026, 5, 11, 17, 0) == 1
        assert self.scan(2026, 5, 11, 17, 0) == 0
        assert self.scan(2026, 5, 11, 18, 0) == 0
        assert recipients() == ["tina.titulaire@example.fr"]
        message = mail.outbox[0]
        assert message.subject == "[RAP-1] Délai bientôt atteint : Réponse au rappel"
        assert "Le délai « Réponse au rappel » du rappel RAP-1 a atteint son seuil" in message.body
        assert "Rappel : RAP-1 — Envoyer le plan de charge" in message.body
        assert "Échéance : mardi 12 mai 2026 à 09:00" in message.body
        assert "Ouvrir le rappel : http://" in message.body
        assert "/rappels/" in message.body
        assert "répondez à ce courriel" not in message.body  # no intake reads its replies
        assert message.reply_to == []
        assert reminder.clocks.get().warned_at == paris(2026, 5, 11, 17, 0)

    def test_without_a_person_the_warning_goes_to_the_holder_side(self) -> None:
        self.reminder(person=None)
        self.scan(2026, 5, 11, 17, 0)
        assert recipients() == ["hugo.titulaire@example.fr", "tina.titulaire@example.fr"]

    def test_a_reminder_breach_is_notified_once_to_its_audience(self) -> None:
        reminder = self.reminder()
        self.scan(2026, 5, 11, 17, 0)
        mail.outbox.clear()
        assert self.scan(2026, 5, 12, 9, 0) == 0  # due exactly now is on time
        assert self.scan(2026, 5, 12, 9, 1) == 1
        assert self.scan(2026, 5, 12, 10, 0) == 0
        assert recipients() == ["luc.spcgd@example.fr", "sophie.scv@example.fr",
                                "tina.titulaire@example.fr"]
        assert mail.outbox[0].subject == "[RAP-1] Délai dépassé : Réponse au rappel"
        assert reminder.clocks.get().breach_notified_at == paris(2026, 5, 12, 9, 1)

    def test_an_answered_reminder_is_never_warned(self) -> None:
        reminder = self.reminder()
        reminder.answered_at = paris(2026, 5, 11, 12, 0)
        reminder.save()
        reminder.recompute_clocks(paris(2026, 5, 11, 12, 0))
        assert self.scan(2026, 5, 12, 17, 0) == 0
        assert self.notices() == []

    def test_a_second_worker_with_a_stale_candidate_list_queues_nothing(self) -> None:
        reminder = self.reminder()
        now = paris(2026, 5, 11, 17, 0)
        with at(now):
            assert check_record(registry.of(ReminderClock), reminder.pk, now) == 1
            assert check_record(registry.of(ReminderClock), reminder.pk, now) == 0
        assert len(self.notices()) == 1

    def test_a_ticket_clock_and_a_reminder_clock_of_the_same_id_are_both_warned(self) -> None:
        ticket = self.open_urgent()  # asked Thu 7 May 15:00 too: warns Mon 11 May 13:00
        reminder = self.reminder(asked_at=paris(2026, 5, 7, 15, 0))
        ticket_clock = Clock.objects.get(ticket=ticket, kind="prise_en_charge")
        ReminderClock.objects.filter(reminder=reminder).update(id=ticket_clock.pk)
        assert self.scan(2026, 5, 11, 13, 0) == 2
        assert sorted(self.notices()) == [(NoticeKind.AT_RISK, "hugo.titulaire@example.fr"),
                                          (NoticeKind.AT_RISK, "tina.titulaire@example.fr"),
                                          (NoticeKind.AT_RISK, "tina.titulaire@example.fr")]

    def test_one_scan_takes_the_most_urgent_record_first_whatever_its_type(self) -> None:
        self.open_urgent()  # due Mon 11 May 15:00
        self.reminder(asked_at=paris(2026, 5, 7, 9, 0))  # due Mon 11 May 09:00 (8 May is off)
        assert self.scan(2026, 5, 11, 17, 0, limit=1) == 1
        assert [m.subject[:7] for m in OutboxMessage.objects.filter(kind=NoticeKind.BREACHED)] \
            == ["[RAP-1]"] * 3
        assert self.scan(2026, 5, 11, 17, 0) == 1  # then the ticket
