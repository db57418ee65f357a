"""The ticket list: filters, sorting, pagination, the nearest clock of each row, query counts."""

from __future__ import annotations

import pytest
from django.db import connection

from jalon.accounts.models import Membership, Role
from jalon.tickets.models import Ticket
from jalon.web.tests.helpers import WebTestCase, at, paris
from jalon.web.tickets import listing as ticketlist

LIST = "/marches/aquareel/tickets/"


class ListTest(WebTestCase):
    def setUp(self) -> None:
        # A: urgent P1, worked on Thu 7 May; B: anomaly, only opened; C: resolved and closed.
        self.a = self.worked(paris(2026, 5, 7, 9, 0), "Concentrateur arrêté", site="SPC RAS")
        self.b = self.open(paris(2026, 5, 6, 10, 0), "Anomalie d'import", type="anomaly_qualification")
        self.c = self.worked(paris(2026, 5, 4, 9, 0), "Purge bloquée")
        self.resolved(self.c, paris(2026, 5, 4, 11, 0))
        self.closed(self.c, paris(2026, 5, 5, 9, 0))
        self.login(self.level1)

    def numbers(self, query: str, url: str = LIST) -> list[int]:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get(url + query)
        assert response.status_code == 200
        return [row["ticket"].number for row in response.context["rows"]]

    def test_it_lists_newest_first_by_default(self) -> None:
        assert self.numbers("") == [self.a.number, self.b.number, self.c.number]

    def test_it_filters_by_type_state_priority_and_group(self) -> None:
        assert self.numbers("?type=anomaly_qualification") == [self.b.number]
        assert self.numbers("?state=closed") == [self.c.number]
        assert self.numbers("?state=active") == [self.a.number, self.b.number]
        assert self.numbers("?priority=P1") == [self.a.number, self.c.number]
        assert self.numbers("?group=Titulaire+N2") == [self.a.number, self.c.number]
        assert self.numbers("?criticality=none") == [self.b.number]

    def group_choices(self) -> list[str]:
        return [value for value, _label in self.client.get(LIST).context["form"].fields["group"].choices]

    def test_the_group_filter_offers_each_group_once_assigned(self) -> None:
        assert "Titulaire N3" not in self.group_choices()
        self.qualify(self.b, paris(2026, 5, 7, 9, 20))
        self.assigned(self.b, paris(2026, 5, 7, 9, 30), group="Titulaire N3")
        assert "Titulaire N3" in self.group_choices()
        self.assigned(self.b, paris(2026, 5, 7, 9, 40), group="Titulaire N3")  # again: kept once
        self.contract.refresh_from_db()
        assert self.contract.assigned_groups == ["Titulaire N2", "Titulaire N3"]

    def test_it_searches_title_and_number(self) -> None:
        assert self.numbers("?q=purge") == [self.c.number]
        assert self.numbers(f"?q=AQR-2026-{self.b.number}") == [self.b.number]

    def test_an_invalid_filter_is_reported_and_ignored(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get(LIST + "?type=inconnu&state=closed")
        assert "type" in response.context["form"].errors
        assert [r["ticket"].number for r in response.context["rows"]] == [self.c.number]
        assert "fr-select-group--error" in response.content.decode()

    def test_at_risk_and_breached_are_judged_now(self) -> None:
        # A's resolution clock started Thu 7 May 09:30 with a 10 h target: 8 h 30 on Thursday,
        # Friday 8 May is a holiday, so due Mon 11 May 09:30; at risk after 8 h (Thu 17:30).
        def ids(query: str, when) -> list[int]:
            with at(when):
                return [r["ticket"].number for r in self.client.get(LIST + query).context["rows"]]

        assert ids("?at_risk=1", paris(2026, 5, 7, 11, 0)) == []
        assert ids("?at_risk=1", paris(2026, 5, 11, 9, 0)) == [self.a.number]
        assert ids("?breached=1", paris(2026, 5, 11, 9, 0)) == []
        assert ids("?breached=1", paris(2026, 5, 11, 10, 0)) == [self.a.number]
        assert ids("?at_risk=1", paris(2026, 5, 11, 10, 0)) == []

    def test_it_sorts_by_priority_state_and_due(self) -> None:
        self.qualify(self.b, paris(2026, 5, 7, 10, 0), urgency="mineure", impact="utilisateur")
        assert self.numbers("?sort=priority") == [self.a.number, self.c.number, self.b.number]
        assert self.numbers("?sort=-priority")[0] == self.b.number
        assert self.numbers("?sort=state") == [self.b.number, self.a.number, self.c.number]
        # Only A has a running clock; tickets without one come last either way.
        assert self.numbers("?sort=due")[0] == self.a.number
        assert self.numbers("?sort=-due")[0] == self.a.number

    def test_mine_keeps_the_tickets_requested_by_or_assigned_to_me(self) -> None:
        self.login(self.technician)
        assert self.numbers("?mine=1") == [self.a.number, self.c.number]

    def test_each_row_shows_its_nearest_clock(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            html = self.client.get(LIST + "?q=arrêté").content.decode()
        assert "Objectif de résolution" in html
        assert 'datetime="2026-05-11T09:30:00+02:00"' in html

    def test_the_cross_contract_list_filters_by_contract(self) -> None:
        Membership.objects.create(user=self.level1, contract=self.other_contract,
                                  role=Role.LEVEL1_AGENT)
        with at(paris(2026, 5, 7, 12, 0)):
            other = Ticket.open(self.other_contract, actor=self.level1,
                                type="urgent_intervention", title="Callipso en panne")
        assert self.numbers("", "/tickets/") == [other.number, self.a.number, self.b.number,
                                                 self.c.number]
        assert self.numbers("?contract=aquareel", "/tickets/") == [
            self.a.number, self.b.number, self.c.number]
        assert self.numbers("?contract=callipso", "/tickets/") == [other.number]

    def test_a_contract_the_user_is_not_on_is_not_a_valid_filter(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/tickets/?contract=callipso")
        assert "contract" in response.context["form"].errors
        assert len(response.context["rows"]) == 3

    def test_sort_links_keep_the_filters(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            html = self.client.get(LIST + "?type=urgent_intervention").content.decode()
        assert 'href="?type=urgent_intervention&amp;sort=-priority"' in html

    def test_the_list_is_paginated(self) -> None:
        for i in range(30):
            Ticket.objects.create(
                contract=self.contract, convention_version=self.convention, number=100 + i,
                type="corrective_maintenance", title=f"Ticket {i}", requester=self.requester,
                opened_at=paris(2026, 4, 1, 9, 0))
        with at(paris(2026, 5, 7, 11, 0)):
            page1 = self.client.get(LIST)
            page2 = self.client.get(LIST + "?page=2")
        assert len(page1.context["rows"]) == 25
        assert len(page2.context["rows"]) == 8
        assert 'aria-current="page" title="Page 1"' in page1.content.decode()


@pytest.fixture
def many_tickets():
    def make(case: WebTestCase, count: int) -> None:
        for i in range(count):
            case.worked(paris(2026, 5, 4, 9, 0).replace(day=4 + i % 4), f"Ticket {i}")
    return make


class ListQueriesTest(WebTestCase):
    """The number of queries does not grow with the number of tickets on the page."""

    # session, user, roles (with each contract's current convention and groups), count, the
    # page with its clocks; and the convention version, the first time a process reads it; the
    # header's unread notifications.
    CONTRACT_LIST = 7
    # the same with the user's contracts instead of one contract.
    CROSS_LIST = 7

    @pytest.fixture(autouse=True)
    def _fixtures(self, django_assert_max_num_queries, many_tickets):
        self.max_queries, self.make = django_assert_max_num_queries, many_tickets

    def test_contract_list_queries_are_pinned(self) -> None:
        for count in (2, 10):  # 2 tickets, then 12
            self.make(self, count)
            self.login(self.level1)
            with at(paris(2026, 5, 7, 11, 0)), self.max_queries(self.CONTRACT_LIST):
                assert self.client.get(LIST).status_code == 200

    def test_cross_list_queries_are_pinned(self) -> None:
        self.make(self, 12)
        self.login(self.technician)
        with at(paris(2026, 5, 7, 11, 0)), self.max_queries(self.CROSS_LIST):
            assert self.client.get("/tickets/?sort=due&at_risk=1").status_code == 200


class DaysInTheContractsZonesTest(WebTestCase):
    """A list's days are each contract's days (its convention's ``tz``), as on its dashboard."""

    def test_each_contract_s_tickets_are_read_in_its_own_zone(self) -> None:
        from jalon.contracts.models import ConventionVersion
        from jalon.testing.cast import AQUAREEL_CONVENTION

        cayenne = AQUAREEL_CONVENTION.replace("  title: TMA AQUAREEL\n",
                                              "  title: TMA AQUAREEL\n  tz: America/Cayenne\n")
        assert cayenne != AQUAREEL_CONVENTION
        ConventionVersion.load(self.other_contract, cayenne, "guyane.yaml")
        Membership.objects.create(user=self.level1, contract=self.other_contract, role=Role.LEVEL1_AGENT)
        paris_morning = self.open(paris(2026, 5, 7, 9, 0), "Paris, jeudi matin")
        with at(paris(2026, 5, 7, 2, 0)):  # Thursday 02:00 in Paris, still Wednesday in Cayenne
            cayenne_evening = Ticket.open(self.other_contract, actor=self.level1,
                                          type="urgent_intervention", title="Cayenne, mercredi soir")
        self.login(self.level1)

        def titles(query: str) -> set[str]:
            with at(paris(2026, 5, 8, 12, 0)):
                response = self.client.get("/tickets/" + query)
            return {row["ticket"].title for row in response.context["rows"]}

        assert titles("?opened_from=2026-05-07&opened_to=2026-05-07") == {paris_morning.title}
        assert titles("?opened_from=2026-05-06&opened_to=2026-05-06") == {cayenne_evening.title}
        assert titles("?contract=callipso&open_on=2026-05-06") == {cayenne_evening.title}
        assert titles("?contract=aquareel&open_on=2026-05-06") == set()


class FilterFormReuseTest(WebTestCase):
    """The filter form's HTML is rendered once per language, query and choices, then reused."""

    def test_the_same_filters_are_rendered_once_and_shown_alike(self) -> None:
        from unittest import mock

        from jalon.web.tickets import listing as views

        self.open(paris(2026, 5, 7, 9, 0))
        self.login(self.level1)
        with mock.patch.object(views, "render_to_string", wraps=views.render_to_string) as rendered, \
                at(paris(2026, 5, 7, 11, 0)):
            first = self.client.get(LIST + "?state=active&page=1").content.decode()
            again = self.client.get(LIST + "?state=active").content.decode()  # the page is not a filter
            other = self.client.get(LIST + "?state=nope").content.decode()
            english = self.client.get(LIST + "?state=active", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert rendered.call_count == 3
        start = first.index('<form method="get"')
        form = first[start:first.index("</form>", start)]
        assert form in again
        assert 'value="active" selected' in form
        assert "Certains filtres sont invalides" in other
        assert "Certains filtres sont invalides" not in form
        assert "Filtrer et trier" not in english[english.index('<form method="get"'):]



@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes chosen by PostgreSQL's planner")
class LateIndexTest(WebTestCase):
    """The "délai dépassé" filter is counted from ``ticket_late`` alone, whose condition the filter
    implies: a change to either that breaks the implication would make PostgreSQL scan the
    table again (90 ms spikes on the benchmark's million tickets, migration 0011)."""

    def test_the_late_filter_is_counted_from_its_index(self) -> None:
        late = ticketlist.apply_filters(Ticket.objects.filter(contract=self.contract), {"breached": True},
                                        self.level1, paris(2026, 5, 7, 11, 0))
        with connection.cursor() as cursor:
            # statistics as this test sees the table, not as autovacuum last saw it after other
            # tests (in a full run, stale ones made the planner pick another index now and then)
            cursor.execute("ANALYZE tickets_ticket")
            cursor.execute("SET LOCAL enable_seqscan = off")  # the test's tables are tiny
            plan = late.order_by()[:1001].explain()
        assert "ticket_late" in plan
        assert "Seq Scan" not in plan
