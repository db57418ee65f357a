"""CSV and XLSX exports of the filtered list and of the dashboard (the intervention report PDF: test_report_pdf.py)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from jalon.web.tests.helpers import WebTestCase, at, paris, streamed


class ExportTest(WebTestCase):
    def setUp(self) -> None:
        self.a = self.worked(paris(2026, 5, 7, 9, 0), "Concentrateur arrêté")
        self.b = self.open(paris(2026, 5, 6, 10, 0), "=HYPERLINK(\"x\")",
                           type="anomaly_qualification")
        self.login(self.level1)

    def csv_rows(self, url: str) -> list[list[str]]:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = streamed(response).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))

    def test_csv_has_the_filtered_rows(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention")
        assert rows[0][:3] == ["Référence", "Marché", "Objet"]
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][2] == "Concentrateur arrêté"
        assert rows[1][4] == "En cours"
        assert rows[1][14:17] == ["Objectif de résolution", "2026-05-11 09:30", "En cours"]

    def test_the_list_export_says_who_where_how_resolved_and_the_time_spent(self) -> None:
        from datetime import date

        with at(paris(2026, 5, 7, 10, 0)):
            self.a.log_time(self.technician, minutes=90, spent_on=date(2026, 5, 7))
            entry = self.a.log_time(self.technician, minutes=30, spent_on=date(2026, 5, 7))
            self.a.correct_time(self.technician, entry, minutes=15, spent_on=date(2026, 5, 7),
                                reason="erreur de saisie")
        self.resolved(self.a, paris(2026, 5, 7, 10, 30), kind="workaround")
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention&state=")
        assert rows[0][17:] == ["Demandeur", "Intervenant", "Site", "Nature de la résolution",
                                "Temps passé (h)"]
        requester = self.requester.get_full_name() or self.requester.username
        technician = self.technician.get_full_name() or self.technician.username
        assert rows[1][17:] == [requester, technician, "", "Contournement", "1,75"]  # 90 + 15 min
        with at(paris(2026, 5, 7, 11, 0)):
            book = load_workbook(io.BytesIO(streamed(self.client.get(
                "/marches/aquareel/tickets/export.xlsx?type=urgent_intervention&state="))))
        sheet = book.active
        assert sheet["V1"].value == "Temps passé (h)"
        assert sheet["V2"].value == 1.75
        assert sheet["V2"].data_type == "n"
        assert sheet["K2"].is_date
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == "A1:V2"
        assert sheet.column_dimensions["C"].width >= len("Concentrateur arrêté")

    def test_a_requester_s_export_leaves_the_holder_s_time_out(self) -> None:
        from datetime import date

        with at(paris(2026, 5, 7, 10, 0)):
            self.a.log_time(self.technician, minutes=90, spent_on=date(2026, 5, 7))
        self.login(self.requester)
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=urgent_intervention")
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][21] == ""

    def test_the_list_export_says_each_request_s_channel(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?sort=opened")
        assert rows[0][7] == "Canal"
        assert [r[7] for r in rows[1:]] == ["Portail", "Portail"]
        self.b.channel = "mail"
        self.b.save(update_fields=["channel"])
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?sort=opened")
        assert [r[7] for r in rows[1:]] == ["Courriel", "Portail"]

    def test_csv_cells_never_run_as_formulas(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tickets/export.csv?type=anomaly_qualification")
        assert rows[1][2] == "'=HYPERLINK(\"x\")"

    def test_the_cross_contract_export_keeps_the_sort(self) -> None:
        rows = self.csv_rows("/tickets/export.csv?sort=opened")
        assert [r[0] for r in rows[1:]] == [self.b.reference, self.a.reference]

    def test_xlsx_has_the_filtered_rows(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tickets/export.xlsx?q=arrêté")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="tickets-aquareel-')
        book = load_workbook(io.BytesIO(streamed(response)))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "Référence"
        assert [r[0] for r in rows[1:]] == [self.a.reference]
        assert rows[1][10].isoformat() == "2026-05-07T09:00:00"  # Paris wall time

    def test_dashboard_figures_export(self) -> None:
        rows = self.csv_rows("/marches/aquareel/tableau-de-bord/export.csv?period=month"
                             "&month=2026-05")
        assert rows[0] == ["Indicateur", "Ligne", "Colonne", "Valeur", "Unité"]
        assert ["Qualification", "niveau 1", "qualifiés", "1", ""] in rows  # a, 10 min after
        assert ["Qualification", "niveau 1", "délai moyen", "0,2", "h"] in rows
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tableau-de-bord/export.xlsx?period="
                                       "month&month=2026-05")
        book = load_workbook(io.BytesIO(streamed(response)))
        figures = list(book.active.iter_rows(values_only=True))
        assert figures[0] == ("Indicateur", "Ligne", "Colonne", "Valeur", "Unité")
        assert ("Qualification", "niveau 1", "qualifiés", 1, None) in figures  # a number
        assert ("Qualification", "niveau 1", "délai moyen", 0.2, "h") in figures


class HostileCellsTest(WebTestCase):
    """Control characters and formula triggers in what people type never break an export nor
    run in a spreadsheet (issue 15, items 2 and 7)."""

    TRIGGERS = ("\t=1+1", "\r=1+1", " =1+1", "\uff1d1+1", "\uff0bcmd", "@SUM(A1)", "\n-2+3")

    def setUp(self) -> None:
        from jalon.tickets.models import Ticket

        self.tickets = [self.open(paris(2026, 5, 6, 10, i), f"Titre {i}") for i in range(len(self.TRIGGERS))]
        for ticket, title in zip(self.tickets, self.TRIGGERS, strict=True):
            Ticket.objects.filter(pk=ticket.pk).update(title=title)
        self.control = self.open(paris(2026, 5, 6, 11, 0), "Titre")
        Ticket.objects.filter(pk=self.control.pk).update(title="Bip\x07 \x1b[31m rouge\x0b\x01fin")
        self.login(self.level1)

    def test_csv_neutralises_every_formula_trigger(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            text = streamed(self.client.get("/marches/aquareel/tickets/export.csv")).decode()
        rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        titles = {row[2] for row in rows[1:]}
        for title in self.TRIGGERS:
            assert "'" + title in titles, (title, titles)

    def test_xlsx_survives_control_characters(self) -> None:
        with at(paris(2026, 5, 7, 11, 0)):
            response = self.client.get("/marches/aquareel/tickets/export.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(streamed(response)))
        titles = [row[2] for row in book.active.iter_rows(values_only=True)]
        assert any(str(t).startswith("Bip") and str(t).endswith("fin") for t in titles), titles
        assert all(not isinstance(t, str) or not t.startswith("=") for t in titles)
