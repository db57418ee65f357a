"""Issue 16's checks on what pages say: an unreadable period in an address is a clear 400, no
label twice, no internal id, one date format per language (the time entry's own checks are in
test_time_entries.py)."""

from __future__ import annotations

import html
import re

from jalon.web.tests.helpers import WebTestCase, at, paris

NOW = paris(2026, 5, 12, 10, 0)


def text_of(page: str) -> str:
    """The words a reader sees: no tags, no scripts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


class UnreadablePeriodTest(WebTestCase):
    def get(self, user, url: str):
        self.login(user)
        with at(NOW):
            return self.client.get(url)

    def test_a_scorecard_period_that_does_not_exist_is_a_400_that_says_what_was_expected(self) -> None:
        response = self.get(self.buyer_manager, "/marches/aquareel/bilans/2026-Q5/")
        assert response.status_code == 400
        said = text_of(response.content.decode())
        assert "Période « 2026-Q5 » illisible" in said
        assert "trimestre (2026-Q1)" in said
        # an outsider still learns nothing about the contract
        assert self.get(self.outsider, "/marches/aquareel/bilans/2026-Q5/").status_code == 404

    def test_a_forfait_month_or_day_that_cannot_be_read_is_refused_not_replaced(self) -> None:
        statement = self.get(self.buyer_manager, "/marches/aquareel/forfait/releves/2026-13.pdf")
        assert statement.status_code == 400
        assert "Mois attendu au format AAAA-MM : 2026-13." in text_of(statement.content.decode())
        export = self.get(self.buyer_manager, "/marches/aquareel/forfait/decompte.csv?jour=hier")
        assert export.status_code == 400
        assert "Date attendue au format AAAA-MM-JJ : hier." in text_of(export.content.decode())
        page = self.get(self.buyer_manager, "/marches/aquareel/forfait/?jour=hier")
        assert page.status_code == 400
        assert "Date attendue au format AAAA-MM-JJ : hier." in text_of(page.content.decode())


class LabelsTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = self.worked(paris(2026, 5, 11, 9, 0))

    def page(self, user, url: str, language: str = "fr") -> str:
        self.login(user)
        self.client.cookies["django_language"] = language
        with at(NOW):
            response = self.client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        return text_of(response.content.decode())

    def test_no_label_twice_on_the_list(self) -> None:
        said = self.page(self.level1, "/marches/aquareel/tickets/")
        assert said.count("Trier par") == 1
        labels = re.findall(r"Délai dépassé[^\n<]*", said)
        assert len(labels) == len(set(labels)), labels

    def test_types_are_named_never_given_by_their_id(self) -> None:
        for url in ("/marches/aquareel/tickets/", f"/tickets/{self.ticket.pk}/", "/"):
            said = self.page(self.level1, url)
            assert "urgent_intervention" not in said, url
        assert "Intervention urgente" in self.page(self.level1, f"/tickets/{self.ticket.pk}/")

    def test_one_date_format_per_language(self) -> None:
        french = self.page(self.level1, f"/tickets/{self.ticket.pk}/")
        assert "11/05/2026 09:00" in french  # opened, in the history and the information
        assert not re.search(r"\b11 mai 2026\b", french)
        listed = self.page(self.level1, "/marches/aquareel/tickets/")
        assert "11/05/2026 09:00" in listed
        english = self.page(self.level1, f"/tickets/{self.ticket.pk}/", "en")
        assert "11/05/2026" not in english
        assert "05/11/2026" in english
