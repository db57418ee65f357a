"""Governance pages and API: every view and endpoint 404 for outsiders and requesters, each
role's limits, the API's names, the minutes documents, exports."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from jalon.governance.models import Action, Decision, Meeting, Risk
from jalon.governance.tests.support import GovernanceTestCase, paris


class GovernanceWebTests(GovernanceTestCase):
    def setUp(self):
        with time_machine.travel(paris(2026, 3, 2, 9), tick=False):
            self.meeting = self.copil(paris(2026, 3, 16, 10))
            self.meeting.send_agenda(self.holder_manager, "1. Indicateurs")
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            self.meeting.record_attendance(self.holder_manager, "Sophie\nHugo")
            self.meeting.draft_minutes(self.holder_manager, "Le COPIL valide le plan de progrès.")
        self.decision = Decision.record(self.buyer_manager, self.contract, title="Plan de progrès v1 validé",
                                        decided_on=date(2026, 3, 16), meeting=self.meeting,
                                        subject_kind="deliverable", subject_ref="PAQ-v1")
        self.action = Action.create(self.holder_manager, self.contract, title="Mettre à jour le PAQ",
                                    due_on=date(2026, 3, 20), owner=self.holder_manager, meeting=self.meeting)
        self.risk = Risk.create(self.buyer_manager, self.contract, title="Réplication", probability=3, impact=4)

    def pages(self) -> list[str]:
        slug, pk = self.contract.slug, self.meeting.pk
        return [reverse("governance", args=[slug]), reverse("governance-meeting", args=[slug, pk]),
                reverse("governance-decisions", args=[slug]), reverse("governance-actions", args=[slug]),
                reverse("governance-risks", args=[slug]), reverse("governance-minutes", args=[slug, pk, "pdf"]),
                reverse("governance-export", args=[slug, "actions", "csv"]),
                f"/api/v1/contracts/{slug}/meetings", f"/api/v1/contracts/{slug}/meetings/{pk}",
                f"/api/v1/contracts/{slug}/actions", f"/api/v1/contracts/{slug}/decisions",
                f"/api/v1/contracts/{slug}/risks", f"/api/v1/contracts/{slug}/escalations",
                f"/api/v1/contracts/{slug}/meetings/{pk}/minutes.docx",
                reverse("governance-decision", args=[slug, self.decision.pk]),
                reverse("governance-action", args=[slug, self.action.pk]),
                reverse("governance-risk", args=[slug, self.risk.pk]),
                f"/api/v1/contracts/{slug}/decisions/{self.decision.pk}",
                f"/api/v1/contracts/{slug}/actions/{self.action.pk}",
                f"/api/v1/contracts/{slug}/risks/{self.risk.pk}"]

    def test_outsiders_and_requesters_get_404_everywhere(self):
        for person in (self.outsider, self.requester):
            self.client.force_login(person)
            for url in self.pages():
                assert self.client.get(url).status_code == 404, (person.username, url)
            response = self.client.post(f"/api/v1/contracts/{self.contract.slug}/meetings/{self.meeting.pk}"
                                        "/transitions", {"action": "send_minutes"}, content_type="application/json")
            assert response.status_code == 404

    def test_staff_roles_read_every_page(self):
        for person in (self.buyer_manager, self.level1, self.holder_manager, self.technician, self.auditor):
            self.client.force_login(person)
            for url in self.pages():
                assert self.client.get(url).status_code == 200, (person.username, url)

    def test_api_names_the_fields_our_scripts_read(self):
        self.client.force_login(self.auditor)
        (row,) = self.client.get(f"/api/v1/contracts/{self.contract.slug}/meetings").json()["items"]
        assert row["committee"] == "copil"
        assert row["starts_at"].startswith("2026-03-16T09:00")
        assert row["minutes_status"] == "drafted"
        assert row["minutes_pdf_url"].endswith(f"/meetings/{self.meeting.pk}/minutes.pdf")
        assert row["minutes_docx_url"].endswith(f"/meetings/{self.meeting.pk}/minutes.docx")
        (action,) = self.client.get(f"/api/v1/contracts/{self.contract.slug}/actions").json()["items"]
        assert {k: action[k] for k in ("title", "due_on", "status")} == {
            "title": "Mettre à jour le PAQ", "due_on": "2026-03-20", "status": "open"}
        found = self.client.get(f"/api/v1/contracts/{self.contract.slug}/decisions?q=PAQ-v1").json()["items"]
        assert [d["reference"] for d in found] == ["DEC-001"]
        assert self.client.get(f"/api/v1/contracts/{self.contract.slug}/decisions?q=absent").json() == {
            "items": [], "next_cursor": None}
        (risk,) = self.client.get(f"/api/v1/contracts/{self.contract.slug}/risks").json()["items"]
        assert risk["score"] == 12

    def test_transitions_follow_roles(self):
        url = f"/api/v1/contracts/{self.contract.slug}/meetings/{self.meeting.pk}/transitions"
        self.client.force_login(self.technician)
        assert self.client.post(url, {"action": "send_minutes"}, content_type="application/json").status_code == 403
        self.client.force_login(self.holder_manager)
        response = self.client.post(url, {"action": "send_minutes"}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["minutes_status"] == "sent"
        response = self.client.post(url, {"action": "validate"}, content_type="application/json")
        assert response.status_code == 403  # the buyer side validates
        self.client.force_login(self.level1)
        response = self.client.post(url, {"action": "validate", "note": "OK"}, content_type="application/json")
        assert response.json()["minutes_status"] == "validated"
        assert response.json()["minutes_validated_tacitly"] is False
        response = self.client.post(url, {"action": "validate"}, content_type="application/json")
        assert response.status_code == 400
        assert "Action impossible" in response.json()["detail"]

    def test_bad_input_is_a_located_400(self):
        self.client.force_login(self.buyer_manager)
        base = f"/api/v1/contracts/{self.contract.slug}"
        response = self.client.post(f"{base}/meetings", {"committee": "nope", "starts_at": "2026-05-04T10:00:00+02:00"},
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json()["field"] == "committee"
        response = self.client.post(f"{base}/risks", {"title": "x", "probability": 9, "impact": 1},
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json()["field"] == "probability"
        response = self.client.post(f"{base}/actions",
                                    {"title": "x", "due_on": "2026-04-01", "owner": "oscar.ailleurs"},
                                    content_type="application/json")
        assert response.status_code == 400
        assert response.json()["field"] == "owner"

    def test_page_actions_follow_roles(self):
        step = reverse("governance-meeting-step", args=[self.contract.slug, self.meeting.pk, "envoyer"])
        self.client.force_login(self.auditor)
        page = self.client.get(reverse("governance-meeting", args=[self.contract.slug, self.meeting.pk]))
        assert "Envoyer le relevé" not in page.content.decode()
        assert self.client.post(step).status_code == 403
        self.client.force_login(self.holder_manager)
        page = self.client.get(reverse("governance-meeting", args=[self.contract.slug, self.meeting.pk]))
        assert "Envoyer le relevé" in page.content.decode()
        assert self.client.post(step).status_code == 302
        self.meeting.refresh_from_db()
        assert self.meeting.minutes_state == "sent"

    def test_minutes_documents(self):
        self.client.force_login(self.buyer_manager)
        pdf = self.client.get(reverse("governance-minutes", args=[self.contract.slug, self.meeting.pk, "pdf"]))
        assert pdf.content.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(pdf.content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        for expected in ("Relevé de décisions", "Présents", "Ordre du jour", "Le COPIL valide le plan de progrès.",
                         "Décisions", "DEC-001", "Actions"):
            assert expected in text, expected
        assert reader.root_object["/Lang"] == "fr"  # a tagged PDF in French, titled
        assert "/StructTreeRoot" in reader.root_object
        assert reader.metadata is not None
        assert (reader.metadata.title or "").startswith("Relevé de décisions")
        docx = self.client.get(f"/api/v1/contracts/{self.contract.slug}/meetings/{self.meeting.pk}/minutes.docx")
        with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
            body = archive.read("word/document.xml").decode()
        assert "Le COPIL valide le plan de progrès." in body
        assert "DEC-001" in body
        assert "{{" not in body

    def test_exports(self):
        self.client.force_login(self.buyer_manager)
        response = self.client.get(reverse("governance-export", args=[self.contract.slug, "actions", "csv"]))
        text = b"".join(response.streaming_content).decode()
        assert "ACT-001;Mettre à jour le PAQ" in text
        response = self.client.get(reverse("governance-export", args=[self.contract.slug, "risques", "xlsx"]))
        assert response.status_code == 200
        assert json.dumps(response["Content-Type"]).count("spreadsheet") == 1
        assert Meeting.objects.count() == 1


class GovernanceAccessibilityTests(GovernanceWebTests):
    def test_pages_pass_the_static_accessibility_checks(self):
        from jalon.testing import a11y

        for person in (self.buyer_manager, self.holder_manager, self.auditor):
            self.client.force_login(person)
            for url in self.pages()[:5]:
                html = self.client.get(url).content.decode()
                assert a11y.check(html, url) == [], (person.username, url)
