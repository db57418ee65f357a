"""Two workers at the same instant, each with its own database connection (PostgreSQL only)."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Role
from jalon.contracts.models import Contract, ConventionVersion
from jalon.messaging.clockwatch import scan_clocks
from jalon.messaging.intake import receive
from jalon.messaging.models import MailIntake, NoticeKind, OutboxMessage, ReceivedMail
from jalon.messaging.outbox import send_due
from jalon.messaging.tasks import build_huey, register
from jalon.messaging.tests.base import at, eml, paris
from jalon.testing.cast import AQUAREEL_CONVENTION, make_user
from jalon.tickets.models import Clock, Ticket

WORKERS = 4
REDIS_URL = os.environ.get("JALON_TEST_REDIS_URL", "")
NEEDS_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, and its in-memory test database is not "
           "shared between connections")


class WorkersTestCase(TransactionTestCase):
    """A contract with a requester, a level-1 agent, a technician and an intake address."""

    def setUp(self) -> None:
        buyer = Organisation.objects.create(name="SCV", kind=OrganisationKind.BUYER)
        holder = Organisation.objects.create(name="Titulaire", kind=OrganisationKind.HOLDER)
        self.contract = Contract.objects.create(reference="AQR-2026", name="AQUAREEL",
                                                slug="aqr", buyer=buyer, holder=holder)
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION, "aquareel.yaml")
        self.level1 = self.member("luc.spcgd", buyer, Role.LEVEL1_AGENT)
        self.requester = self.member("rita.spc", buyer, Role.REQUESTER)
        self.technician = self.member("tina.titulaire", holder, Role.HOLDER_TECHNICIAN)
        self.intake = MailIntake.objects.create(contract=self.contract,
                                                address="support-aquareel@jalon.example",
                                                default_type="corrective_maintenance")

    def member(self, username: str, organisation: Organisation, role: Role) -> Any:
        user = make_user(username, organisation)
        Membership.objects.create(user=user, contract=self.contract, role=role)
        return user

    def at_once(self, work: Callable[[], object]) -> list[BaseException]:
        """Run ``work`` in WORKERS threads released together; return their errors."""
        start, errors = threading.Barrier(WORKERS), []

        def run() -> None:
            try:
                start.wait()
                work()
            except BaseException as error:  # collected for the assertion in the test
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    def urgent_ticket_assigned(self) -> Ticket:
        with at(paris(2026, 5, 7, 15, 0)):
            ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                                 title="Concentrateur arrêté", is_urgent=True)
        with at(paris(2026, 5, 7, 15, 30)):
            ticket.qualify(self.level1, urgency="critique", impact="site")
            ticket.assign(self.level1, group="N2", person=self.technician)
        return ticket



@NEEDS_POSTGRESQL
class ConcurrentWorkersTest(WorkersTestCase):
    def test_workers_scanning_together_warn_once(self) -> None:
        ticket = self.urgent_ticket_assigned()
        with at(paris(2026, 5, 11, 13, 0)):
            assert self.at_once(scan_clocks) == []
        assert OutboxMessage.objects.filter(kind=NoticeKind.AT_RISK).count() == 1
        assert Clock.objects.get(ticket=ticket, kind="prise_en_charge").warned_at is not None

    def test_workers_scanning_together_notify_a_breach_once(self) -> None:
        self.urgent_ticket_assigned()
        with at(paris(2026, 5, 12, 9, 0)):
            assert self.at_once(scan_clocks) == []
        breaches = OutboxMessage.objects.filter(kind=NoticeKind.BREACHED)
        # luc (buyer side) and tina (holder side and assignee): one notice each.
        assert sorted(breaches.values_list("to", flat=True)) == [
            "luc.spcgd@example.fr", "tina.titulaire@example.fr"]

    def test_workers_flushing_together_send_each_message_once(self) -> None:
        for n in range(3):
            with at(paris(2026, 5, 7, 15, n)):
                Ticket.open(self.contract, actor=self.requester, type="urgent_intervention",
                            title=f"Panne {n}", is_urgent=True)
        mail.outbox.clear()  # the after-commit flush ran already in immediate mode
        OutboxMessage.objects.update(sent_at=None, next_attempt_at=paris(2026, 5, 7, 15, 0))
        with at(paris(2026, 5, 7, 16, 0)):
            assert self.at_once(send_due) == []
        assert sorted(m.subject for m in mail.outbox) == sorted(
            OutboxMessage.objects.values_list("subject", flat=True))
        assert len(mail.outbox) == 3

    def test_two_pollers_reading_the_same_message_open_one_ticket(self) -> None:
        raw = eml("plain.eml")
        assert self.at_once(lambda: receive(raw, [self.intake])) == []
        assert Ticket.objects.count() == 1
        assert ReceivedMail.objects.count() == 1


@NEEDS_POSTGRESQL
@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set JALON_TEST_REDIS_URL "
                                          "(CI sets redis://127.0.0.1:6379/15)")
class RedisConsumersTest(WorkersTestCase):
    """Two machines, each running huey's real consumer with two threads, on one Redis queue."""

    def consumers_run(self, queue_name: str, until: Callable[[], bool]) -> None:
        machines = [build_huey(redis_url=REDIS_URL, immediate=False, name=queue_name)
                    for _ in range(2)]
        consumers = []
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            for machine in machines:
                register(machine)
                consumers.append(machine.create_consumer(workers=2, periodic=False))
                consumers[-1].start()
            deadline = time.monotonic() + 20
            while not until() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            for consumer in consumers:
                consumer.stop(graceful=True)
            for number, handler in handlers.items():
                signal.signal(number, handler)

    def test_consumers_on_two_machines_warn_once(self) -> None:
        self.urgent_ticket_assigned()
        name = f"jalon-test-{uuid.uuid4().hex}"
        web = build_huey(redis_url=REDIS_URL, immediate=False, name=name)
        web_tasks = register(web)
        self.addCleanup(web.storage.flush_all)
        warnings = OutboxMessage.objects.filter(kind=NoticeKind.AT_RISK)
        # Running time from Monday 13:00 (the consumers sleep and poll: time must move).
        with time_machine.travel(paris(2026, 5, 11, 13, 0), tick=True):
            for _ in range(WORKERS):  # as if every scheduler had enqueued the scan
                web_tasks.scan_clocks()
            self.consumers_run(name, until=lambda: web.pending_count() == 0
                               and warnings.filter(sent_at__isnull=False).exists())
        assert web.pending_count() == 0
        assert warnings.count() == 1
        assert [m.to for m in mail.outbox if "bientôt" in m.subject] == [
            ["tina.titulaire@example.fr"]]
