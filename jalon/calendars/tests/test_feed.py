"""The calendar feed: parsed back with icalendar, stable event ids, the secret address revoked
(404), outsiders (404), and only what the person may see."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from icalendar import Calendar

from jalon.api.tests.base import ApiTestCase
from jalon.calendars.models import CalendarFeed
from jalon.deliverables.models import Deliverable
from jalon.deliverables.tests.support import load_terms
from jalon.tickets.models import Ticket


def events(body: bytes) -> dict[str, str]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


class CalendarFeedTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        load_terms(cls)

    def setUp(self) -> None:
        self.ticket = self.assigned(self.open_urgent())
        self.other = Ticket.open(self.contract, actor=self.other_requester, type="urgent_intervention",
                                 title="Poste bloqué", is_urgent=True)
        self.deliverable = Deliverable.expect(self.contract, self.buyer_manager, type="A.1",
                                              title="Note de livraison 2.4", due_on=date(2099, 3, 6))

    def test_the_api_feed_parses_with_stable_ids(self) -> None:
        path = f"/contracts/{self.contract.slug}/calendar.ics"
        first = self.get(path, self.holder_manager)
        assert first.status_code == 200, first.content
        assert first["Content-Type"].startswith("text/calendar")
        seen = events(first.content)
        assert f"deliverable-{self.deliverable.pk}-submission@jalon" in seen
        assert any(uid.startswith(f"ticket-{self.ticket.pk}-") for uid in seen)
        assert any(self.deliverable.reference in summary for summary in seen.values())
        second = self.get(path, self.holder_manager)
        assert set(events(second.content)) == set(seen)

    def test_only_what_the_person_may_see(self) -> None:
        seen = events(self.get(f"/contracts/{self.contract.slug}/calendar.ics", self.requester).content)
        assert any(uid.startswith(f"ticket-{self.ticket.pk}-") for uid in seen)
        assert not any(uid.startswith(f"ticket-{self.other.pk}-") for uid in seen)
        assert not any(uid.startswith("deliverable-") for uid in seen)  # the register is not theirs

    def test_outsider_gets_404(self) -> None:
        self.assert_error(self.get(f"/contracts/{self.contract.slug}/calendar.ics", self.outsider), 404)
        self.assert_error(self.get(f"/contracts/{self.contract.slug}/calendar.ics"), 401)

    def test_secret_address_and_its_revocation(self) -> None:
        self.client.force_login(self.technician)
        created = self.client.post(reverse("calendar-feeds"), {"name": "Téléphone"})
        assert created.status_code == 200
        token = created.context["token"]
        feed = CalendarFeed.objects.get(user=self.technician)
        assert token not in (feed.sha256, feed.prefix)
        self.client.logout()
        url = reverse("calendar-feed", args=[token])
        body = self.client.get(url)
        assert body.status_code == 200
        assert any(uid.startswith(f"ticket-{self.ticket.pk}-") for uid in events(body.content))
        assert self.client.get(reverse("calendar-feed", args=["cal_inconnu"])).status_code == 404
        self.client.force_login(self.outsider)  # someone else cannot revoke it
        assert self.client.post(reverse("calendar-feed-revoke", args=[feed.pk])).status_code == 404
        self.client.force_login(self.technician)
        assert self.client.post(reverse("calendar-feed-revoke", args=[feed.pk])).status_code == 302
        self.client.logout()
        assert self.client.get(url).status_code == 404
