"""Who sees and does what on the scorecards, by page and by API: outsiders get 404 everywhere,
the holder proposes, the buyer validates, the auditor reads only; the API's shapes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from jalon.api.tests.base import ApiTestCase
from jalon.conventions.period import Period
from jalon.dashboard.tests.scenario import NOW, MarchScenario
from jalon.scorecards import archive
from jalon.scorecards.models import ManualMeasure, PeriodScorecard

Q1 = Period.parse("2026-Q1")


class AccessTest(MarchScenario, ApiTestCase):
    def pages(self) -> list[tuple[str, str]]:
        slug = self.contract.slug
        return [
            ("get", reverse("scorecards", args=[slug])),
            ("get", reverse("scorecard", args=[slug, "2026-Q1"])),
            ("get", reverse("scorecard-document", args=[slug, "2026-Q1", "pdf"])),
            ("get", reverse("scorecard-document", args=[slug, "2026-Q1", "xlsx"])),
            ("get", reverse("scorecard-archive", args=[slug, "2026-Q1", 1])),
            ("post", reverse("scorecard-action", args=[slug, "2026-Q1", "propose"])),
            ("post", reverse("scorecard-measure", args=[slug, "2026-Q1"])),
            ("post", reverse("scorecard-measure-import", args=[slug, "2026-Q1"])),
        ]

    def test_an_outsider_gets_404_on_every_page_and_endpoint(self) -> None:
        self.client.force_login(self.outsider)
        for method, url in self.pages():
            assert getattr(self.client, method)(url).status_code == 404, url
        base = "/contracts/aquareel"
        for method, path in [("GET", f"{base}/scorecards"), ("GET", f"{base}/scorecards/2026-Q1"),
                             ("POST", f"{base}/scorecards/2026-Q1/transitions"),
                             ("GET", f"{base}/measures"), ("POST", f"{base}/measures")]:
            body: dict[str, object] | None = {"step": "propose"} if "transitions" in path else (
                {"indicator": "x", "period": "2026-Q1", "value": 1, "source": "s"} if method == "POST" else None)
            self.assert_error(self.call(method, path, self.outsider, body), 404)

    def test_the_requester_sees_no_scorecard(self) -> None:
        self.assert_error(self.get("/contracts/aquareel/scorecards", self.requester), 403)
        self.client.force_login(self.requester)
        assert self.client.get(reverse("scorecards", args=["aquareel"])).status_code == 403

    def test_holder_proposes_buyer_validates_auditor_reads(self) -> None:
        self.assert_error(self.post("/contracts/aquareel/scorecards/2026-Q1/transitions", self.auditor,
                                    {"step": "propose"}), 403)
        self.assert_error(self.post("/contracts/aquareel/scorecards/2026-Q1/transitions", self.buyer_manager,
                                    {"step": "propose"}), 403)
        self.assert_error(self.post("/contracts/aquareel/scorecards/2026-Q1/transitions", self.holder_manager,
                                    {"step": "validate"}), 403)
        self.assert_error(self.post("/contracts/aquareel/scorecards/2026-Q1/transitions", self.buyer_manager,
                                    {"step": "validate"}), 409)  # nothing proposed yet
        proposed = self.post("/contracts/aquareel/scorecards/2026-Q1/transitions", self.holder_manager,
                             {"step": "propose"})
        assert proposed.status_code == 200
        assert proposed.json()["status"] == "proposed"
        # the page shows the buyer the validation, and the auditor no action
        self.client.force_login(self.auditor)
        page = self.client.get(reverse("scorecard", args=["aquareel", "2026-Q1"])).content.decode()
        assert "actions/validate" not in page
        assert "actions/review" not in page
        refused = self.client.post(reverse("scorecard-action", args=["aquareel", "2026-Q1", "validate"]))
        assert refused.status_code == 403
        self.client.force_login(self.buyer_manager)
        page = self.client.get(reverse("scorecard", args=["aquareel", "2026-Q1"])).content.decode()
        assert "actions/validate" in page
        assert "urgent_on_time" in page
        response = self.client.post(reverse("scorecard-action", args=["aquareel", "2026-Q1", "validate"]))
        assert response.status_code == 302
        listed = self.get("/contracts/aquareel/scorecards", self.auditor).json()
        q1 = next(p for p in listed if p["period"] == "2026-Q1")
        assert q1["status"] == "validated"
        assert q1["archive_url"].endswith("/bilans/2026-Q1/v1.zip")
        assert {"period", "status", "archive_url", "version", "first_day", "last_day"} <= set(q1)
        self.client.force_login(self.auditor)
        download = self.client.get(reverse("scorecard-archive", args=["aquareel", "2026-Q1", 1]))
        assert download.status_code == 200
        assert archive.verify(download.content) is None
        pdf = self.client.get(reverse("scorecard-document", args=["aquareel", "2026-Q1", "pdf"])).content
        assert pdf[:4] == b"%PDF"
        xlsx = self.client.get(reverse("scorecard-document", args=["aquareel", "2026-Q1", "xlsx"])).content
        book = load_workbook(io.BytesIO(xlsx))
        for sheet in book.worksheets[1:]:  # the families and the evidence, each with its header
            assert sheet.freeze_panes == "A2", sheet.title
            assert (sheet.auto_filter.ref or "").startswith("A1:"), sheet.title
            assert sheet.column_dimensions["A"].width >= 8
        evidence = book["Preuves"]
        numbers = [row[7] for row in evidence.iter_rows(min_row=2, values_only=True) if row[7] is not None]
        assert all(isinstance(n, int | float) for n in numbers)  # business minutes as numbers

    def test_the_api_detail_is_the_json_of_the_command(self) -> None:
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        api = self.get("/contracts/aquareel/scorecards/2026-Q1", self.auditor).json()
        out = io.StringIO()
        call_command("scorecard", contract="aquareel", period="2026-Q1", stdout=out)
        assert json.loads(out.getvalue()) == api
        assert api["status"] == "validated"
        assert api["format"] == "jalon-scorecard/1"
        assert api["families"][0]["indicators"][0]["id"] == "urgent_on_time"
        self.assert_error(self.get("/contracts/aquareel/scorecards/2026-Q9", self.auditor), 400, "period")

    def test_measures_by_api_and_csv_import_with_located_errors(self) -> None:
        body = {"indicator": "urgent_on_time", "period": "2026-Q1", "value": 1, "source": "s"}
        self.assert_error(self.post("/contracts/aquareel/measures", self.buyer_manager, body), 403)
        self.assert_error(self.post("/contracts/aquareel/measures", self.technician,
                                    {"indicator": "urgent_on_time", "period": "2026-Q1", "value": 1, "source": "s"}),
                          400, "indicator")
        self.client.force_login(self.technician)
        bad = io.BytesIO(b"indicator,period,value,item,comment\nnope,2026-Q1,1,,\nurgent_on_time,2026-Q1,abc,,\n")
        bad.name = "mesures.csv"
        response = self.client.post(reverse("scorecard-measure-import", args=["aquareel", "2026-Q1"]),
                                    {"file": bad}, follow=True)
        text = response.content.decode()
        assert "mesures.csv:3: value" in text
        assert not ManualMeasure.objects.exists()


def test_the_file_to_file_form_still_works(tmp_path: Path) -> None:
    """``jalon scorecard --convention … --measures …`` runs without Django, as before."""
    root = Path(__file__).resolve().parents[3]
    measures = tmp_path / "m.csv"
    measures.write_text("indicator,period,value,item,comment\nA9,2026-Q1,100,,\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "jalon", "scorecard", "--convention",
                           str(root / "conventions" / "aquareel-tma.yaml"), "--measures", str(measures),
                           "--period", "2026-Q1"], capture_output=True, text=True, cwd=root, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["period"] == "2026-Q1"


class DashboardLinkTest(MarchScenario):
    def test_the_dashboard_of_a_validated_period_reads_the_frozen_scorecard(self) -> None:
        self.client.force_login(self.buyer_manager)
        page = self.client.get("/marches/aquareel/tableau-de-bord/?period=quarter&quarter=2026-Q1").content.decode()
        assert "/marches/aquareel/bilans/" in page
        assert "validé le" not in page
        PeriodScorecard.act(self.holder_manager, self.contract, Q1, "propose", now=NOW)
        PeriodScorecard.act(self.buyer_manager, self.contract, Q1, "validate", now=NOW)
        page = self.client.get("/marches/aquareel/tableau-de-bord/?period=quarter&quarter=2026-Q1").content.decode()
        assert "Bilan 2026-Q1 validé le" in page
        assert 'href="/marches/aquareel/bilans/2026-Q1/"' in page
