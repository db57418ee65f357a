"""A contract's own Word template for its minutes: replaced on the reports page as a report
kind's is (the documents app's upload, sandboxed docxtpl, a dry render with sample minutes),
used by the minutes' DOCX on the page and through the API; other contracts keep the platform's;
a broken template is refused with its problem named and nothing stored; only the buyer manager
may replace it, outsiders get 404."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from jalon.accounts.models import Membership, Role
from jalon.contracts.models import ConventionVersion
from jalon.documents.models import ReportTemplate
from jalon.documents.render import check_docx_template
from jalon.documents.tests.test_documents import docx_template
from jalon.governance import documents
from jalon.governance.models import Action, Decision, Meeting
from jalon.governance.tests.support import GOVERNED_CONVENTION, GovernanceTestCase, paris

OWN = docx_template(
    "Relevé SCV — {{ committee }} — {{ contract }}",
    "Présents : {{ present|join(', ') }}",
    "{% for d in decisions %}Décision {{ d.reference }} : {{ d.title }} ({{ d.subject }}) {% endfor %}",
    "{% for a in actions %}Action {{ a.reference }} : {{ a.owner }}, {{ a.due_on }}, {{ a.status }} {% endfor %}",
)


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Document(BytesIO(content)).paragraphs)


class MinutesTemplateTests(GovernanceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        ConventionVersion.load(cls.other_contract, GOVERNED_CONVENTION, "callipso.yaml")
        Membership.objects.create(user=cls.holder_manager, contract=cls.other_contract, role=Role.HOLDER_MANAGER)

    def setUp(self) -> None:
        self.meeting = self.held(self.contract)
        Decision.record(self.buyer_manager, self.contract, title="Plan de progrès v1 validé",
                        decided_on=date(2026, 3, 16), meeting=self.meeting, subject_kind="deliverable",
                        subject_ref="PAQ-v1")
        Action.create(self.holder_manager, self.contract, title="Mettre à jour le PAQ", due_on=date(2026, 3, 20),
                      owner=self.holder_manager, meeting=self.meeting)

    def held(self, contract) -> Meeting:
        with time_machine.travel(paris(2026, 3, 2, 9), tick=False):
            meeting = Meeting.schedule(self.holder_manager, contract, "copil", paris(2026, 3, 16, 10))
        with time_machine.travel(paris(2026, 3, 16, 12), tick=False):
            meeting.record_attendance(self.holder_manager, "Sophie\nHugo")
            meeting.draft_minutes(self.holder_manager, "Le COPIL valide le plan de progrès.")
        return meeting

    def upload(self, content: bytes, name: str = "releve.docx"):
        return self.client.post(reverse("report-template", args=[self.contract.slug]),
                                {"kind": "minutes", "file": SimpleUploadedFile(name, content)})

    def docx_page(self, meeting: Meeting):
        return self.client.get(reverse("governance-minutes", args=[meeting.contract.slug, meeting.pk, "docx"]))

    def docx_api(self, meeting: Meeting):
        return self.client.get(f"/api/v1/contracts/{meeting.contract.slug}/meetings/{meeting.pk}/minutes.docx")

    def test_the_contract_template_is_used_for_its_minutes_and_others_keep_the_default(self) -> None:
        self.client.force_login(self.buyer_manager)
        assert self.upload(OWN).status_code == 302
        page = self.client.get(reverse("reports", args=[self.contract.slug]))
        self.assertContains(page, "Relevé de décisions — releve.docx")
        self.client.force_login(self.auditor)
        url = self.client.get(f"/api/v1/contracts/{self.contract.slug}/meetings").json()["items"][0][
            "minutes_docx_url"]
        for response in (self.docx_page(self.meeting), self.docx_api(self.meeting), self.client.get(url)):
            assert response.status_code == 200
            text = text_of(response.content)
            assert "Relevé SCV — COPIL — AQR-2026 — TMA AQUAREEL" in text
            assert "Présents : Sophie, Hugo" in text
            assert "Décision DEC-001 : Plan de progrès v1 validé (Livrable PAQ-v1)" in text
            assert "Action ACT-001 : hugo.titulaire, 20/03/2026" in text
            assert Document(BytesIO(response.content)).core_properties.title.startswith("Relevé de décisions — COPIL")
        other = self.held(self.other_contract)
        self.client.force_login(self.holder_manager)
        for response in (self.docx_page(other), self.docx_api(other)):
            text = text_of(response.content)
            assert "Relevé de décisions — COPIL" in text
            assert "Marché : CAL-2026 — Callipso" in text
            assert "Relevé SCV" not in text

    def test_a_broken_template_is_refused_with_its_problem_and_nothing_is_stored(self) -> None:
        self.client.force_login(self.buyer_manager)
        cases = {
            "unknown name": (docx_template("{{ committee }}", "{{ quorum }}"), "quorum"),
            "a report's name, not the minutes'": (docx_template("{{ sections }}"), "sections"),
            "unknown field of a decision": (docx_template("{% for d in decisions %}{{ d.amount }}{% endfor %}"),
                                            "amount"),
            "syntax": (docx_template("{% for a in actions %}"), "ligne"),
            "sandbox": (docx_template("{{ committee.__class__.__mro__ }}"), "modèle"),
            "not a docx": (b"PK\x03\x04 not really", "Word"),
        }
        for case, (content, said) in cases.items():
            with self.subTest(case):
                refused = self.upload(content)
                assert refused.status_code == 400
                self.assertContains(refused, said, status_code=400)
                self.assertContains(refused, "Le modèle ne peut pas produire le document"
                                    if case != "not a docx" else "document Word", status_code=400)
        assert not ReportTemplate.objects.exists()
        assert "Relevé de décisions — COPIL" in text_of(self.docx_page(self.meeting).content)

    def test_only_the_buyer_manager_replaces_it_and_outsiders_get_404(self) -> None:
        for person in (self.holder_manager, self.technician, self.auditor, self.level1, self.requester):
            with self.subTest(person.username):
                self.client.force_login(person)
                assert self.upload(OWN).status_code == 403
        self.client.force_login(self.outsider)  # the buyer manager of another contract
        assert self.upload(OWN).status_code == 404
        for person in (self.outsider, self.requester):
            with self.subTest(person.username):
                self.client.force_login(person)
                assert self.docx_page(self.meeting).status_code == 404
                assert self.docx_api(self.meeting).status_code == 404
        with pytest.raises(PermissionDenied):
            ReportTemplate.install(self.contract, self.holder_manager, "minutes", "m.docx", OWN)
        assert not ReportTemplate.objects.exists()

    def test_the_sample_gives_every_variable_the_minutes_give(self) -> None:
        real, sample = documents.context(self.meeting), documents.sample_context()
        assert set(sample) == set(real)
        for key in ("decisions", "actions", "present"):
            assert sample[key], key
            assert real[key], key
        for key in ("decisions", "actions"):
            assert set(sample[key][0]) == set(real[key][0]), key
        check_docx_template(documents.TEMPLATE.read_bytes(), "minutes")

    def test_a_stored_template_that_no_longer_renders_is_named_not_a_500(self) -> None:
        ReportTemplate.objects.create(contract=self.contract, kind="minutes", content=docx_template("{{ gone }}"),
                                      original_name="ancien.docx", sha256="0" * 64, uploaded_by=self.buyer_manager,
                                      uploaded_at=paris(2026, 1, 1))
        self.client.force_login(self.auditor)
        page = self.docx_page(self.meeting)
        assert page.status_code == 302
        assert any("gone" in str(m) for m in get_messages(page.wsgi_request))
        api = self.docx_api(self.meeting)
        assert api.status_code == 400
        assert "gone" in api.json()["detail"]
