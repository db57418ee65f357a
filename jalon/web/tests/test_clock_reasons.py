"""Each clock says the calendar it counts in and why its due instant falls where it does
(issue 16: "due Monday 18:00" comes with its reason)."""

from __future__ import annotations

import html

from django.utils import translation

from jalon.web.tests.helpers import WebTestCase, at, paris


class ClockReasonsTest(WebTestCase):
    def page(self, ticket_pk: int) -> str:
        with at(paris(2026, 12, 24, 17, 0)):
            self.login(self.requester)
            response = self.client.get(f"/tickets/{ticket_pk}/")
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    def test_a_clock_pushed_past_christmas_names_the_holiday_the_weekend_and_the_night(self) -> None:
        ticket = self.worked(paris(2026, 12, 24, 16, 0))  # Thursday, Christmas Eve
        page = self.page(ticket.pk)
        assert "Compté en jours ouvrés lun–ven 8h–18h, hors jours fériés (France)" in page
        assert "échéance reportée : 25/12/2026 férié (Noël), week-end du 26/12/2026 au 27/12/2026" in page
        assert "1 nuit hors horaires" in page

    def test_a_wall_clock_delay_says_so_and_is_never_pushed(self) -> None:
        from jalon.businesstime import Calendar
        from jalon.web.tickets import clockview

        assert clockview.calendar_text(Calendar.build("24/7", "none")) == "24 h sur 24, 7 jours sur 7"
        lunch = Calendar.build("mon-fri 08:00-12:00,13:30-17:30; sat 09:00-12:00", "FR-57",
                               closures=["2026-08-14"])
        assert clockview.calendar_text(lunch) == (
            "jours ouvrés lun–ven 8h–12h, 13h30–17h30 ; sam 9h–12h, hors jours fériés "
            "(France, Alsace-Moselle), hors 1 jour de fermeture du marché")

    def test_in_english_the_calendar_and_the_holiday_are_english(self) -> None:
        ticket = self.worked(paris(2026, 12, 24, 16, 0))
        with translation.override("en"):
            self.client.cookies["django_language"] = "en"
            page = self.page(ticket.pk)
        assert "Counted in business days Mon–Fri 8:00–18:00, excluding public holidays (France)" in page
        assert "Christmas Day" in page

    def test_the_api_gives_the_calendar_and_the_closed_days(self) -> None:
        ticket = self.worked(paris(2026, 12, 24, 16, 0))
        with at(paris(2026, 12, 24, 17, 0)):
            self.login(self.requester)
            response = self.client.get(f"/api/v1/tickets/{ticket.pk}/clocks")
        assert response.status_code == 200
        resolution = next(c for c in response.json() if c["calendar"] == "ho" and c["due_at"])
        assert resolution["calendar_hours"] == "mon-fri 08:00-18:00"
        assert resolution["calendar_holidays"] == "FR"
        assert {"day": "2026-12-25", "why": "holiday", "name": "Noël"} in resolution["postponed_by"]
        assert resolution["closed_nights"] >= 1
