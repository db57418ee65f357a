"""A validated scorecard's page reads the figures and the extract frozen with it, never the
archive (which holds every input of the period: a million tickets' history on a big contract)."""

from __future__ import annotations

from jalon.conventions.period import Period
from jalon.dashboard.tests.scenario import NOW, MarchScenario
from jalon.scorecards.models import PeriodScorecard

Q1 = Period.parse("2026-Q1")


class ValidatedPageTest(MarchScenario):
    def test_a_validated_scorecards_page_reads_its_stored_figures_never_its_archive(self) -> None:
        import re

        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        card = PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        assert card.shown is not None
        assert card.shown["evidence_total"] > 0
        self.client.force_login(self.buyer_manager)
        with CaptureQueriesContext(connection) as queries:
            page = self.client.get(reverse("scorecard", args=[self.contract.slug, "2026-Q1"]))
        assert page.status_code == 200
        archive_column = re.compile(r'"scorecards_periodscorecard"\."archive"(?!_)')
        assert not [q["sql"] for q in queries if archive_column.search(q["sql"])]
        shown = page.context["view"]
        assert shown.evidence_total == card.shown["evidence_total"]
        assert shown.evidence_shown == len(card.shown["evidence"])
        body = page.content.decode()
        assert all(f">{row[0]}</" in body for row in card.shown["evidence"])

    def test_a_validated_page_renders_its_tables_once_then_reads_them_kept(self) -> None:
        from django.urls import reverse

        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        self.client.force_login(self.buyer_manager)
        url = reverse("scorecard", args=[self.contract.slug, "2026-Q1"])
        first = self.client.get(url)
        second = self.client.get(url)
        assert first.context["view"].families, "the first request gathers the indicator tables"
        assert not second.context["view"].families, "the second reads them rendered"
        tables = second.context["view"].frozen_html
        assert tables["families"] == first.context["view"].frozen_html["families"]
        assert 'id="indicateur-urgent_on_time"' in second.content.decode()
        assert "Preuves : une ligne par horloge" in second.content.decode()
        # the kept tables are per language
        english = self.client.get(url, headers={"accept-language": "en"})
        assert "Evidence: one row per clock" in english.content.decode()
        assert english.context["view"].families
        # the deadlines' names too, whatever language they were stored in
        assert "Proposal of the scorecard by the contract holder" in english.content.decode()
        assert "Proposition du tableau de bord par le titulaire" in second.content.decode()


class OtherPeriodsTest(MarchScenario):
    def test_the_list_links_each_year_and_month_whose_figures_can_be_read(self) -> None:
        from django.urls import reverse

        self.client.force_login(self.buyer_manager)
        listing = self.client.get(reverse("scorecards", args=[self.contract.slug]))
        assert listing.status_code == 200
        years = listing.context["years"]
        assert years, "at least the current year"
        assert [str(y.year) for y in years] == sorted({str(y.year) for y in years}, reverse=True)
        body = listing.content.decode()
        march = reverse("scorecard", args=[self.contract.slug, "2026-03"])
        assert f'href="{march}"' in body
        assert f'href="{reverse("scorecard", args=[self.contract.slug, "2026"])}"' in body
        month = self.client.get(march)
        assert month.status_code == 200
        assert month.context["view"].data["period"] == "2026-03"
        year = self.client.get(reverse("scorecard", args=[self.contract.slug, "2026"]))
        assert year.status_code == 200
        assert 'id="indicateur-urgent_on_time"' in year.content.decode()
