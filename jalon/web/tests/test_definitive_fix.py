"""After a workaround the definitive fix is still owed: shown on the ticket, counted on the
holder's home, filtered in the list and the API, delivered by the holder (issue 16, D-120)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import override_settings

from jalon.tickets.models import InvalidTransition, Ticket
from jalon.web.tests.helpers import WebTestCase, at, paris

NOW = paris(2026, 5, 12, 10, 0)


class DefinitiveFixTest(WebTestCase):
    def setUp(self) -> None:
        self.patched = self.resolved(self.worked(paris(2026, 5, 7, 9, 0), "Contourné"),
                                     paris(2026, 5, 7, 11, 0), kind="workaround")
        self.fixed = self.resolved(self.worked(paris(2026, 5, 7, 10, 0), "Corrigé"),
                                   paris(2026, 5, 7, 11, 30))

    def page(self, user: Any, ticket: Ticket) -> str:
        self.login(user)
        with at(NOW):
            response = self.client.get(f"/tickets/{ticket.pk}/")
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    def test_a_workaround_leaves_the_definitive_fix_owed_and_a_definitive_resolution_does_not(self) -> None:
        assert self.patched.fix_owed_since == paris(2026, 5, 7, 11, 0)
        assert self.patched.fix_due_at is None  # the seeds give no delay (D-120)
        assert self.fixed.fix_owed_since is None
        page = self.page(self.requester, self.patched)
        assert "Correction définitive due" in page
        assert "Le service a été rétabli par un contournement le 07/05/2026 11:00" in page
        assert "Livrer la correction définitive" not in page  # not the requester's act
        assert "Livrer la correction définitive" in self.page(self.technician, self.patched)
        assert "Correction définitive due" not in self.page(self.technician, self.fixed)

    def test_the_holder_s_home_counts_them_and_the_list_filters_them(self) -> None:
        self.login(self.technician)
        with at(NOW):
            home = self.client.get("/")
        [(_contract, sections)] = home.context["todos"]
        items = {d.todo.key: (d.count, d.url) for s in sections for d in s.items}
        count, url = items["fixes-owed"]
        assert count == 1
        assert "fix_owed=" in url
        with at(NOW):
            listed = self.client.get(url)
        assert [row["ticket"].pk for row in listed.context["rows"]] == [self.patched.pk]
        assert "correction définitive due" in listed.content.decode()
        self.login(self.requester)
        with at(NOW):
            home = self.client.get("/")
        [(_contract, sections)] = home.context["todos"]
        assert "fixes-owed" not in {d.todo.key for s in sections for d in s.items}

    def test_the_holder_delivers_it_from_the_page_and_the_history_keeps_it(self) -> None:
        self.closed(self.patched, paris(2026, 5, 8, 9, 0))  # closed meanwhile: still owed
        self.login(self.technician)
        with at(NOW):
            empty = self.client.post(f"/tickets/{self.patched.pk}/correction-definitive/",
                                     {"correction-definitive-note": " "})
            assert empty.status_code == 400
            done = self.client.post(f"/tickets/{self.patched.pk}/correction-definitive/",
                                    {"correction-definitive-note": "Version 2.4.1 livrée (BC 2026-12)."})
        assert done.status_code == 302
        self.patched.refresh_from_db()
        assert self.patched.fix_owed_since is None
        assert self.patched.state == "closed"
        page = self.page(self.requester, self.patched)
        assert "Correction définitive livrée" in page
        assert "Version 2.4.1 livrée (BC 2026-12)." in page
        assert "Due depuis le" in page
        with at(NOW), pytest.raises(InvalidTransition):
            self.patched.deliver_fix(self.technician, note="encore")

    def test_who_may_deliver_it(self) -> None:
        for user, status in ((self.outsider, 404), (self.requester, 403)):
            self.login(user)
            with at(NOW):
                response = self.client.post(f"/tickets/{self.patched.pk}/correction-definitive/",
                                            {"correction-definitive-note": "x"})
            assert response.status_code == status, user
        self.patched.refresh_from_db()
        assert self.patched.fix_owed_since is not None

    @override_settings(JALON_DEFINITIVE_FIX_DAYS=5)
    def test_a_contract_delay_gives_it_a_due_date_in_business_days(self) -> None:
        ticket = self.resolved(self.worked(paris(2026, 5, 12, 9, 0), "Avec délai"),
                               paris(2026, 5, 12, 11, 0), kind="workaround")
        # five business days of 10 h on mon-fri 08:00-18:00, 14 May (Ascension) closed
        assert ticket.fix_due_at == paris(2026, 5, 20, 11, 0)
        with at(paris(2026, 5, 21, 9, 0)):
            assert ticket.fix_overdue
        assert "Attendue le 20/05/2026 11:00" in self.page(self.requester, ticket)

    def test_the_api_shows_and_filters_them_and_takes_the_step(self) -> None:
        self.login(self.technician)
        with at(NOW):
            listed = self.client.get("/api/v1/tickets?fix_owed=true").json()
            assert [t["id"] for t in listed["items"]] == [self.patched.pk]
            assert listed["items"][0]["fix_owed_since"].startswith("2026-05-07T09:00:00")
            done = self.client.post(f"/api/v1/tickets/{self.patched.pk}/transitions",
                                    {"action": "deliver_fix", "note": "Correctif 2.4.1."},
                                    content_type="application/json")
        assert done.status_code == 200, done.content
        self.patched.refresh_from_db()
        assert self.patched.fix_owed_since is None
