from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings

from jalon.messaging.models import OutboxMessage
from jalon.messaging.outbox import send_due
from jalon.messaging.tests.base import MessagingTestCase, at, paris

BROKEN = "jalon.messaging.tests.test_outbox.BrokenBackend"


class BrokenBackend(EmailBackend):
    """The SMTP server refuses every message."""

    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class OutboxTest(MessagingTestCase):
    def queue_two(self) -> None:
        """An urgent opening, queued but not flushed (no commit callbacks run)."""
        with at(paris(2026, 5, 7, 15, 0)), self.captureOnCommitCallbacks(execute=False):
            from jalon.tickets.models import Ticket

            Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                        title="Concentrateur arrêté", is_urgent=True)
        assert OutboxMessage.objects.count() == 2

    def test_a_flush_sends_each_due_message_once(self) -> None:
        self.queue_two()
        with at(paris(2026, 5, 7, 15, 1)):
            assert send_due() == 2
            assert send_due() == 0
        assert len(mail.outbox) == 2
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()

    def test_a_failure_is_kept_and_retried_later(self) -> None:
        self.queue_two()
        with at(paris(2026, 5, 7, 15, 1)), override_settings(EMAIL_BACKEND=BROKEN):
            assert send_due() == 0
        row = OutboxMessage.objects.first()
        assert row is not None
        assert row.attempts == 1
        assert "SMTPServerDisconnected" in row.last_error
        assert row.next_attempt_at == paris(2026, 5, 7, 15, 3)  # 2 minutes later
        assert row.claimed_by == ""
        with at(paris(2026, 5, 7, 15, 2)):
            assert send_due() == 0  # not yet
        with at(paris(2026, 5, 7, 15, 3)):
            assert send_due() == 2
        row.refresh_from_db()
        assert (row.attempts, row.last_error, row.next_attempt_at) == (2, "", None)

    def test_the_delay_doubles_after_each_failure(self) -> None:
        self.queue_two()
        moment = paris(2026, 5, 7, 15, 1)
        delays = []
        with override_settings(EMAIL_BACKEND=BROKEN):
            for _ in range(4):
                with at(moment):
                    send_due()
                row = OutboxMessage.objects.order_by("pk").first()
                assert row is not None
                assert row.next_attempt_at is not None
                delays.append(row.next_attempt_at - moment)
                moment = row.next_attempt_at
        assert delays == [timedelta(minutes=m) for m in (2, 4, 8, 16)]

    @override_settings(EMAIL_BACKEND=BROKEN, JALON_OUTBOX_MAX_ATTEMPTS=2)
    def test_it_gives_up_after_the_last_attempt_and_keeps_the_error(self) -> None:
        self.queue_two()
        with at(paris(2026, 5, 7, 15, 1)):
            send_due()
        with at(paris(2026, 5, 7, 16, 0)):
            send_due()
        with at(paris(2026, 5, 8, 16, 0)):
            assert send_due() == 0
        row = OutboxMessage.objects.first()
        assert row is not None
        assert (row.attempts, row.next_attempt_at, row.sent_at) == (2, None, None)
        assert "SMTPServerDisconnected" in row.last_error

    def test_a_claimed_message_is_left_to_its_worker_until_the_claim_expires(self) -> None:
        self.queue_two()
        row = OutboxMessage.objects.order_by("pk").first()
        assert row is not None
        now = paris(2026, 5, 7, 15, 1)
        assert row.claim("worker-a", now)
        assert not OutboxMessage.objects.get(pk=row.pk).claim("worker-b", now)
        with at(now):
            assert send_due() == 1  # only the other message
        # Worker A died without sending: five minutes later the claim lapses.
        with at(now + timedelta(minutes=5, seconds=1)):
            assert send_due() == 1
        assert len(mail.outbox) == 2

    def test_a_sent_message_cannot_be_claimed_again(self) -> None:
        self.queue_two()
        now = paris(2026, 5, 7, 15, 1)
        with at(now):
            send_due()
        row = OutboxMessage.objects.order_by("pk").first()
        assert row is not None
        assert not row.claim("late-worker", now + timedelta(hours=1))

    def test_a_late_worker_cannot_overwrite_a_newer_claim(self) -> None:
        self.queue_two()
        row = OutboxMessage.objects.order_by("pk").first()
        assert row is not None
        now = paris(2026, 5, 7, 15, 1)
        row.claim("slow-worker", now)
        later = now + timedelta(minutes=6)
        OutboxMessage.objects.get(pk=row.pk).claim("fresh-worker", later)
        row.mark_sent("slow-worker", later)  # its claim had lapsed: ignored
        row.refresh_from_db()
        assert (row.sent_at, row.claimed_by) == (None, "fresh-worker")
