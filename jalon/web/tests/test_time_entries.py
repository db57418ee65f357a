"""Time entries: the date field is pre-filled in the form a date input reads, the day falls in
the ticket's life and never in the future, a person's day is capped, time is entered in hours,
minutes or days (D-116)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from jalon.web.tests.helpers import WebTestCase, at, paris


class TimeEntryTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 6, 9, 0))

    def post(self, data: dict[str, str], when=None):
        self.login(self.technician)
        with at(when or paris(2026, 5, 7, 11, 0)):
            return self.client.post(f"/tickets/{self.ticket.pk}/temps/",
                                    {f"temps-{k}": v for k, v in data.items()})

    def test_the_date_is_prefilled_in_iso_within_the_ticket_s_life(self) -> None:
        self.login(self.technician)
        with at(paris(2026, 5, 7, 11, 0)):
            html = self.client.get(f"/tickets/{self.ticket.pk}/").content.decode()
        field = re.search(r'<input type="date" name="temps-spent_on"[^>]*>', html)
        assert field, "no date input"
        assert 'value="2026-05-07"' in field[0]  # never 07/05/2026, which a date input rejects
        assert 'max="2026-05-07"' in field[0]
        assert 'min="2026-05-06"' in field[0]
        with override_settings(LANGUAGE_CODE="en"):
            self.client.cookies.load({"django_language": "en"})
            with at(paris(2026, 5, 7, 11, 0)):
                html = self.client.get(f"/tickets/{self.ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
            english = re.search(r'<input type="date" name="temps-spent_on"[^>]*>', html)
            assert english is not None
            assert 'value="2026-05-07"' in english[0]

    def test_time_is_entered_in_hours_minutes_or_days_of_the_contract(self) -> None:
        assert self.post({"amount": "1.5", "unit": "h", "spent_on": "2026-05-06"}).status_code == 302
        assert self.post({"amount": "20", "unit": "min", "spent_on": "2026-05-06"}).status_code == 302
        # the test convention's business day is 10 hours (calendar ho)
        assert self.post({"amount": "0.5", "unit": "d", "spent_on": "2026-05-07"}).status_code == 302
        assert list(self.ticket.time_entries.values_list("minutes", flat=True)) == [90, 20, 300]

    def test_a_day_outside_the_ticket_s_life_or_in_the_future_is_refused_with_its_reason(self) -> None:
        before = self.post({"amount": "1", "unit": "h", "spent_on": "2026-05-05"})
        assert before.status_code == 400
        assert "Le ticket a été ouvert le 06/05/2026" in before.content.decode()
        future = self.post({"amount": "1", "unit": "h", "spent_on": "2026-05-08"})
        assert future.status_code == 400
        assert "est dans le futur" in future.content.decode()
        self.resolved(self.ticket, paris(2026, 5, 7, 12, 0))
        self.closed(self.ticket, paris(2026, 5, 7, 13, 0))
        after = self.post({"amount": "1", "unit": "h", "spent_on": "2026-05-11"}, paris(2026, 5, 12, 9, 0))
        assert after.status_code == 400
        assert "Le ticket a été clos le 07/05/2026" in after.content.decode()
        assert not self.ticket.time_entries.exists()

    def test_a_person_s_day_is_capped_over_all_their_tickets(self) -> None:
        other = self.worked(paris(2026, 5, 6, 10, 0), "Autre")
        with at(paris(2026, 5, 7, 11, 0)):
            other.log_time(self.technician, minutes=8 * 60, spent_on=paris(2026, 5, 7).date())
        refused = self.post({"amount": "2.5", "unit": "h", "spent_on": "2026-05-07"})
        assert refused.status_code == 400
        assert ("8 h déjà saisies le 07/05/2026, tous tickets confondus : une journée compte au plus "
                "10 h, il reste 2 h.") in refused.content.decode()
        assert self.post({"amount": "2", "unit": "h", "spent_on": "2026-05-07"}).status_code == 302
        # another person's day is their own
        with at(paris(2026, 5, 7, 11, 0)):
            self.ticket.log_time(self.holder_manager, minutes=60, spent_on=paris(2026, 5, 7).date())

    def test_the_domain_refuses_what_the_api_would_send_alike(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)), pytest.raises(ValidationError) as error:
            self.ticket.log_time(self.technician, minutes=30, spent_on=paris(2026, 5, 9).date())
        assert "spent_on" in error.value.message_dict
