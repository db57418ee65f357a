from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from jalon.messaging import notify
from jalon.messaging.models import HolderMailbox, NoticeKind, OutboxMessage
from jalon.messaging.tests.base import MessagingTestCase, at, paris, recipients
from jalon.tickets.models import EventKind, Ticket


class UrgentOpeningTest(MessagingTestCase):
    def test_an_urgent_ticket_notifies_the_holder_staff_after_commit(self) -> None:
        ticket = self.open_urgent()
        assert recipients() == ["hugo.titulaire@example.fr", "tina.titulaire@example.fr"]
        message = mail.outbox[0]
        assert isinstance(message, EmailMultiAlternatives)
        assert message.subject == "[AQR-2026-1] Demande urgente : Concentrateur arrêté"
        assert "Une demande urgente vient d’être déclarée" in message.body
        # Paris time, not UTC (13:00 UTC): workers have no request to take a zone from.
        assert "jeudi 7 mai 2026 à 15:00" in message.body
        assert f"http://127.0.0.1:8000/tickets/{ticket.pk}/" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert "<h1" in str(html)
        row = OutboxMessage.objects.get(to=message.to[0])
        assert message.extra_headers["Message-ID"] == row.message_id
        assert row.ticket == ticket
        assert row.sent_at == paris(2026, 5, 7, 15, 0)
        assert row.next_attempt_at is None

    def test_replies_are_directed_to_the_intake_address(self) -> None:
        self.open_urgent()
        assert mail.outbox[0].reply_to == ["support-aquareel@jalon.example"]

    def test_the_holder_mailbox_replaces_the_staff_addresses(self) -> None:
        HolderMailbox.objects.create(contract=self.contract, address="astreinte@titulaire.fr")
        self.open_urgent()
        assert recipients() == ["astreinte@titulaire.fr"]

    def test_a_normal_ticket_notifies_nobody(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                        title="Purge en échec")
        assert mail.outbox == []
        assert not OutboxMessage.objects.exists()

    def test_nothing_is_sent_before_the_domain_transaction_commits(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                        title="Concentrateur arrêté", is_urgent=True)
        assert OutboxMessage.objects.count() == 2
        assert mail.outbox == []
        assert len(callbacks) == 1

    def test_a_rolled_back_opening_leaves_no_notice(self) -> None:
        def open_then_fail() -> None:
            with transaction.atomic():
                Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                            title="Concentrateur arrêté", is_urgent=True)
                raise RuntimeError("the caller fails after opening")

        with pytest.raises(RuntimeError):
            open_then_fail()
        assert not OutboxMessage.objects.exists()

    def test_the_same_notice_is_never_queued_twice(self) -> None:
        ticket = self.open_urgent()
        opened = ticket.events.get(kind=EventKind.OPENED)
        with self.captureOnCommitCallbacks(execute=True):
            notify.urgent_opened(opened)
        assert OutboxMessage.objects.filter(kind=NoticeKind.URGENT_OPENED).count() == 2
        assert len(mail.outbox) == 2


class ResolutionTest(MessagingTestCase):
    def test_resolution_notifies_the_requester_only(self) -> None:
        ticket = self.open_urgent()
        self.assign_to_technician(ticket)
        mail.outbox.clear()
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.start_work(self.technician)
        with at(paris(2026, 5, 11, 11, 0)), self.captureOnCommitCallbacks(execute=True):
            ticket.resolve(self.technician, "definitive", "Service d’acquisition redémarré")
        assert recipients() == ["rita.spc@example.fr"]
        message = mail.outbox[0]
        assert message.subject == "[AQR-2026-1] Demande résolue : Concentrateur arrêté"
        assert "lundi 11 mai 2026 à 11:00 (définitive)" in message.body
        assert "Service d’acquisition redémarré" in message.body

    def test_each_resolution_after_a_reopening_is_notified(self) -> None:
        ticket = self.open_urgent()
        self.assign_to_technician(ticket)
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.start_work(self.technician)
        with self.captureOnCommitCallbacks(execute=True):
            with at(paris(2026, 5, 11, 11, 0)):
                ticket.resolve(self.technician, "workaround")
            with at(paris(2026, 5, 11, 14, 0)):
                ticket.reopen(self.requester, "De nouveau muet")
                ticket.start_work(self.technician)
            with at(paris(2026, 5, 11, 16, 0)):
                ticket.resolve(self.technician, "definitive")
        assert OutboxMessage.objects.filter(kind=NoticeKind.RESOLVED).count() == 2

    def test_an_inactive_requester_gets_nothing(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                             title="Purge", requester=self.requester)
        ticket.qualify(self.level1, urgency="mineure", impact="site")
        ticket.assign(self.level1, person=self.technician)
        type(self.requester).objects.filter(pk=self.requester.pk).update(is_active=False)
        with self.captureOnCommitCallbacks(execute=True):
            ticket.resolve(self.technician, "definitive")
        assert not OutboxMessage.objects.filter(kind=NoticeKind.RESOLVED).exists()
