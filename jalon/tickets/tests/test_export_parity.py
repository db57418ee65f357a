"""The platform's tickets as the engine reads them: the streamed PostgreSQL path gives the same
``TicketSet`` as the ORM path, value for value (the scorecards of a million tickets read the
first, the tests on SQLite the second)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from jalon.dashboard.tests.scenario import MarchScenario
from jalon.tickets.export import _orm_ticketset, tickets_to_ticketset
from jalon.tickets.models import Ticket


class ExportParityTest(MarchScenario):
    def test_the_streamed_path_reads_what_the_orm_reads(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("the streamed path is PostgreSQL's")
        t = Ticket.objects.filter(contract=self.contract).order_by("pk").first()
        assert t is not None
        # a wait on a third party and a confirmed lead time, so every branch is read
        Ticket.objects.filter(pk=t.pk).update(lead_time_days=10, channel="phone", site="SCV")
        everything = Ticket.objects.filter(contract=self.contract)
        for tickets in (everything, everything.filter(pk__gt=t.pk), Ticket.objects.none()):
            expected, found = _orm_ticketset(tickets, "jalon"), tickets_to_ticketset(tickets)
            assert list(found.ids) == list(expected.ids)
            assert len(found.ids) == tickets.count()
            for name in ("rows", "opened_at", "resolved_at", "closed_at", "event_ticket", "event_at"):
                np.testing.assert_array_equal(getattr(found, name), getattr(expected, name), err_msg=name)
            assert list(found.event_state) == list(expected.event_state)
            assert set(found.attributes) == set(expected.attributes)
            for name, values in expected.attributes.items():
                assert list(found.attributes[name]) == list(values), name
            assert set(found.counters) == set(expected.counters)
            for name, counts in expected.counters.items():
                np.testing.assert_array_equal(found.counters[name], counts, err_msg=name)
            assert set(found.instants) == set(expected.instants)
            for name, at in expected.instants.items():
                np.testing.assert_array_equal(found.instants[name], at, err_msg=name)
        assert "10j" in list(tickets_to_ticketset(everything).attributes["delai_execution"])
