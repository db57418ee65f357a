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
        assert [row for row, _url in shown.evidence] == card.shown["evidence"]
        assert card.shown["evidence"][0][0] in page.content.decode()
