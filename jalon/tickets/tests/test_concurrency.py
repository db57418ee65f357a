from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import TransactionTestCase

from jalon.accounts.models import Membership, Organisation, OrganisationKind, Role
from jalon.contracts.models import Contract, ConventionVersion
from jalon.testing.cast import AQUAREEL_CONVENTION, make_user
from jalon.tickets.models import Ticket


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class ConcurrentTicketsTest(TransactionTestCase):
    def setUp(self) -> None:
        buyer = Organisation.objects.create(name="SCV", kind=OrganisationKind.BUYER)
        holder = Organisation.objects.create(name="Titulaire", kind=OrganisationKind.HOLDER)
        self.contract = Contract.objects.create(reference="AQR", name="AQUAREEL", slug="aqr",
                                                buyer=buyer, holder=holder)
        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION, "aquareel.yaml")
        self.level1 = make_user("luc", buyer)
        Membership.objects.create(user=self.level1, contract=self.contract,
                                  role=Role.LEVEL1_AGENT)

    def in_threads(self, work: list[threading.Thread]) -> None:
        for thread in work:
            thread.start()
        for thread in work:
            thread.join()

    def test_concurrent_openings_get_distinct_numbers(self) -> None:
        errors: list[BaseException] = []

        def open_one() -> None:
            try:
                Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                            title="Purge")
            except BaseException as error:  # collected for the assertion below
                errors.append(error)
            finally:
                connection.close()

        self.in_threads([threading.Thread(target=open_one) for _ in range(8)])
        assert errors == []
        numbers = sorted(Ticket.objects.values_list("number", flat=True))
        assert numbers == list(range(1, 9))

    def test_concurrent_comments_lose_no_history(self) -> None:
        ticket = Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                             title="Purge")

        def comment(i: int) -> None:
            try:
                Ticket.objects.get(pk=ticket.pk).add_comment(self.level1, f"Relance {i}")
            finally:
                connection.close()

        self.in_threads([threading.Thread(target=comment, args=(i,)) for i in range(8)])
        assert ticket.comments.count() == 8
        assert ticket.events.count() == 9

    def test_concurrent_transitions_record_times_in_order(self) -> None:
        """The event time is read once the row is locked: a transition that waited for the lock
        never records an instant before the one that held it."""
        import time

        from django.db import transaction

        ticket = Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                             title="Purge")
        errors: list[BaseException] = []
        locked = threading.Event()

        def holder() -> None:
            try:
                with transaction.atomic():
                    Ticket.objects.select_for_update().get(pk=ticket.pk)
                    locked.set()
                    time.sleep(0.5)
                    Ticket.objects.get(pk=ticket.pk).qualify(self.level1, priority="P3")
            except BaseException as error:  # collected for the assertion below
                errors.append(error)
            finally:
                connection.close()

        def waiter() -> None:
            try:
                locked.wait()
                Ticket.objects.get(pk=ticket.pk).qualify(self.level1, priority="P2")
            except BaseException as error:  # collected for the assertion below
                errors.append(error)
            finally:
                connection.close()

        self.in_threads([threading.Thread(target=holder), threading.Thread(target=waiter)])
        assert errors == []
        rows = list(ticket.events.order_by("pk").values_list("at", flat=True))
        assert rows == sorted(rows)
