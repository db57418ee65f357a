from __future__ import annotations

from django.core import mail

from jalon.commitments import registry
from jalon.messaging.clockwatch import check_record, scan_clocks
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.tests.base import MessagingTestCase, at, paris, recipients
from jalon.tickets.models import Clock, Ticket

BUYER_AND_HOLDER = ["hugo.titulaire@example.fr", "luc.spcgd@example.fr",
                    "sophie.scv@example.fr", "tina.titulaire@example.fr"]


class ClockScanTest(MessagingTestCase):
    """The urgent ticket's take-in-charge clock warns Mon 11 May 13:00 and is due 15:00."""

    def scan(self, year: int, month: int, day: int, hour: int, minute: int) -> int:
        with at(paris(year, month, day, hour, minute)), \
                self.captureOnCommitCallbacks(execute=True):
            return scan_clocks()

    def urgent_ticket(self) -> Ticket:
        ticket = self.open_urgent()
        mail.outbox.clear()
        return ticket

    def clock_notices(self):
        return OutboxMessage.objects.filter(kind__in=(NoticeKind.AT_RISK, NoticeKind.BREACHED)).order_by("pk")

    def kinds(self) -> list[str]:
        return list(self.clock_notices().values_list("kind", flat=True))

    def test_nothing_is_sent_before_the_warning_instant(self) -> None:
        self.urgent_ticket()
        assert self.scan(2026, 5, 11, 12, 59) == 0
        assert mail.outbox == []

    def test_it_warns_the_assignee_at_80_percent(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        assert self.scan(2026, 5, 11, 13, 0) == 1
        assert recipients() == ["tina.titulaire@example.fr"]
        message = mail.outbox[0]
        assert message.subject == ("[AQR-2026-1] Délai bientôt atteint : "
                                   "Début du diagnostic effectif")
        assert "Consommé : 8,0 h ouvrées" in message.body
        # Shown in the calendar's zone: 15:00 in Paris is 13:00 UTC.
        assert "Échéance : lundi 11 mai 2026 à 15:00" in message.body
        clock = ticket.clocks.get(kind="prise_en_charge")
        assert clock.warned_at == paris(2026, 5, 11, 13, 0)
        assert clock.breach_notified_at is None

    def test_before_assignment_the_warning_goes_to_the_holder_side(self) -> None:
        self.urgent_ticket()
        self.scan(2026, 5, 11, 13, 0)
        assert recipients() == ["hugo.titulaire@example.fr", "tina.titulaire@example.fr"]

    def test_a_warning_is_sent_once_however_often_the_scan_runs(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        assert self.scan(2026, 5, 11, 13, 0) == 1
        assert self.scan(2026, 5, 11, 13, 0) == 0
        assert self.scan(2026, 5, 11, 14, 30) == 0
        assert len(mail.outbox) == 1

    def test_a_second_worker_with_a_stale_candidate_list_queues_nothing(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        now = paris(2026, 5, 11, 13, 0)
        with at(now):
            # Both workers selected the ticket before either claimed its clock.
            assert check_record(registry.of(Clock), ticket.pk, now) == 1
            assert check_record(registry.of(Clock), ticket.pk, now) == 0
        assert self.clock_notices().count() == 1

    def test_due_exactly_now_is_not_a_breach(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        self.scan(2026, 5, 11, 15, 0)
        assert self.kinds() == [NoticeKind.AT_RISK]

    def test_a_breach_notifies_both_sides_once(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        self.scan(2026, 5, 11, 13, 0)
        mail.outbox.clear()
        assert self.scan(2026, 5, 11, 15, 1) == 1
        assert recipients() == BUYER_AND_HOLDER
        assert mail.outbox[0].subject == ("[AQR-2026-1] Délai dépassé : "
                                          "Début du diagnostic effectif")
        assert self.scan(2026, 5, 11, 16, 0) == 0
        assert len(mail.outbox) == 4
        clock = ticket.clocks.get(kind="prise_en_charge")
        assert clock.breach_notified_at == paris(2026, 5, 11, 15, 1)

    def test_a_clock_found_already_over_gets_the_breach_notice_only(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        self.scan(2026, 5, 12, 9, 0)
        assert set(self.kinds()) == {NoticeKind.BREACHED}
        self.scan(2026, 5, 12, 10, 0)
        assert set(self.kinds()) == {NoticeKind.BREACHED}

    def test_it_recomputes_the_clock_before_deciding(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        # A stale row: as stored at 15:30 on Thursday, nothing is at risk yet.
        Clock.objects.filter(ticket=ticket).update(at_risk=False, elapsed_seconds=1800)
        self.scan(2026, 5, 11, 13, 0)
        assert "Consommé : 8,0 h ouvrées" in mail.outbox[0].body

    def test_a_stopped_clock_is_never_warned(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.start_work(self.technician)  # stops take-in-charge, starts resolution
        self.scan(2026, 5, 11, 17, 0)
        assert not self.clock_notices().exists()

    def test_a_paused_clock_is_not_warned(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        with at(paris(2026, 5, 11, 10, 0)):
            ticket.start_work(self.technician)
        with at(paris(2026, 5, 11, 11, 0)):
            ticket.wait(self.technician, "requester", "Journaux demandés")
        # The resolution clock would be at risk on Tue 12 May 08:00 had it kept running.
        self.scan(2026, 5, 12, 17, 0)
        assert not self.clock_notices().exists()

    def test_a_clock_back_in_danger_after_a_requalification_warns_again(self) -> None:
        ticket = self.urgent_ticket()
        self.assign_to_technician(ticket)
        self.scan(2026, 5, 11, 13, 0)
        with at(paris(2026, 5, 11, 13, 30)):
            ticket.qualify(self.level1, type="anomaly_qualification")
            ticket.qualify(self.level1, type="urgent_intervention")
        self.scan(2026, 5, 11, 13, 45)
        assert self.kinds() == [NoticeKind.AT_RISK, NoticeKind.AT_RISK]

    def test_a_breach_before_anyone_is_assigned_names_no_assignee(self) -> None:
        # The breach template used to read the missing assignee's name and stop the scan.
        self.urgent_ticket()
        assert self.scan(2026, 5, 11, 15, 1) == 1
        assert recipients() == BUYER_AND_HOLDER
        assert "Intervenant : aucun" in mail.outbox[0].body
