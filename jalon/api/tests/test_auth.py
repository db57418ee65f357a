from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jalon.api.models import ApiToken, token_sha256
from jalon.api.tests.base import ApiTestCase

# Every endpoint, with a body that would be valid for the right person.
ENDPOINTS: list[tuple[str, str, object]] = [
    ("GET", "/contracts", None),
    ("GET", "/contracts/{c}", None),
    ("GET", "/contracts/{c}/dashboard?period=2026-Q1", None),
    ("GET", "/contracts/{c}/history-heads", None),
    ("GET", "/tickets", None),
    ("POST", "/tickets", {"contract": "{c}", "type": "urgent_intervention", "title": "Panne"}),
    ("GET", "/tickets/{t}", None),
    ("PATCH", "/tickets/{t}", {"title": "Autre objet"}),
    ("POST", "/tickets/{t}/transitions", {"action": "qualify", "urgency": "critique",
                                          "impact": "site"}),
    ("GET", "/tickets/{t}/comments", None),
    ("POST", "/tickets/{t}/comments", {"body": "Bonjour"}),
    ("GET", "/tickets/{t}/events", None),
    ("GET", "/tickets/{t}/clocks", None),
    ("GET", "/contracts/{c}/export", None),
    # governance ({m}, {a}, {r}: a meeting, an action, a risk; the contract is checked first)
    ("GET", "/contracts/{c}/meetings", None),
    ("POST", "/contracts/{c}/meetings", {"committee": "copil", "starts_at": "2026-05-04T10:00:00+02:00"}),
    ("GET", "/contracts/{c}/meetings/{m}", None),
    ("POST", "/contracts/{c}/meetings/{m}/transitions", {"action": "send_agenda", "agenda": "ODJ"}),
    ("GET", "/contracts/{c}/meetings/{m}/minutes.pdf", None),
    ("GET", "/contracts/{c}/meetings/{m}/minutes.docx", None),
    ("POST", "/contracts/{c}/meetings/{m}/escalations", {"kind": "alert", "subject": "Retards"}),
    ("GET", "/contracts/{c}/escalations", None),
    ("GET", "/contracts/{c}/decisions", None),
    ("POST", "/contracts/{c}/decisions", {"title": "Décision", "decided_on": "2026-05-04"}),
    ("GET", "/contracts/{c}/decisions/{decision_id}", None),
    ("PATCH", "/contracts/{c}/decisions/{decision_id}", {"title": "Décision", "reason": "Coquille"}),
    ("GET", "/contracts/{c}/actions", None),
    ("POST", "/contracts/{c}/actions", {"title": "Action", "due_on": "2026-05-04"}),
    ("POST", "/contracts/{c}/actions/{a}/status", {"status": "done"}),
    ("GET", "/contracts/{c}/actions/{a}", None),
    ("PATCH", "/contracts/{c}/actions/{a}", {"due_on": "2026-05-11", "reason": "Report"}),
    ("GET", "/contracts/{c}/risks", None),
    ("POST", "/contracts/{c}/risks", {"title": "Risque", "probability": 2, "impact": 3}),
    ("GET", "/contracts/{c}/risks/{r}", None),
    ("PATCH", "/contracts/{c}/risks/{r}", {"probability": 2, "impact": 3, "status": "open"}),
    ("POST", "/contracts/{c}/risks/{r}/reviews", {"meeting": 1, "probability": 2, "impact": 3,
                                                  "status": "open"}),
    ("GET", "/contracts/{c}/forfait", None),
    ("GET", "/contracts/{c}/forfait/entries", None),
    ("POST", "/contracts/{c}/forfait/entries/{entry_id}/corrections",
     {"minutes": 0, "spent_on": "2026-04-02", "reason": "Doublon"}),
    ("GET", "/contracts/{c}/forfait/statements/{month}", None),
    ("POST", "/contracts/{c}/forfait/statements/{month}/acknowledgement", None),
    ("GET", "/contracts/{c}/deliverables", None),
    ("POST", "/contracts/{c}/deliverables", {"type": "A.1", "title": "Note", "due_on": "2099-01-01"}),
    ("GET", "/contracts/{c}/deliverables/{d}", None),
    ("POST", "/contracts/{c}/deliverables/{d}/submissions", None),
    ("POST", "/contracts/{c}/deliverables/{d}/transitions", {"action": "accept"}),
    ("POST", "/contracts/{c}/deliverables/{d}/reports", {"report": 1}),
    ("GET", "/contracts/{c}/reports", None),
    ("POST", "/contracts/{c}/reports", {"kind": "delivery_note", "title": "Note", "data": {}}),
    ("GET", "/contracts/{c}/reports/{d}", None),
    ("PUT", "/contracts/{c}/reports/{d}", {"data": {}}),
    ("GET", "/contracts/{c}/calendar.ics", None),
    ("GET", "/contracts/{c}/orders", None),
    ("POST", "/contracts/{c}/orders", {"title": "Flux", "lines": [{"unit": "PON-J", "quantity": 1}]}),
    ("GET", "/contracts/{c}/orders/{n}", None),
    ("POST", "/contracts/{c}/orders/{n}/transitions", {"action": "request_quote"}),
    ("POST", "/contracts/{c}/orders/{n}/deliverables", None),
    ("GET", "/contracts/{c}/orders/{n}/events", None),
    ("GET", "/contracts/{c}/scorecards", None),
    ("GET", "/contracts/{c}/scorecards/{p}", None),
    ("GET", "/contracts/{c}/billing/{p}", None),
    ("GET", "/contracts/{c}/billing/{p}/elements.xlsx", None),
    ("GET", "/contracts/{c}/billing/{p}/invoice.pdf", None),
    ("POST", "/contracts/{c}/scorecards/{p}/transitions", {"step": "propose"}),
    ("GET", "/contracts/{c}/measures", None),
    ("POST", "/contracts/{c}/measures", {"indicator": "urgent_on_time", "period": "2026-Q1", "value": 1,
                                         "source": "export"}),
]


def fill_ids(path: str) -> str:
    """Placeholders of records (meeting, action, risk, ledger entry, month, deliverable, order):
    ids that need not exist (the contract is checked first)."""
    for placeholder, value in (("{m}", "1"), ("{a}", "1"), ("{r}", "1"), ("{decision_id}", "1"), ("{entry_id}", "1"),
                               ("{month}", "2026-04"), ("{d}", "1"), ("{n}", "1"), ("{p}", "2026-Q1")):
        path = path.replace(placeholder, value)
    return path


class AuthenticationTest(ApiTestCase):
    def setUp(self) -> None:
        self.ticket = self.open_urgent()

    def each_endpoint(self) -> list[tuple[str, str, object]]:
        def fill(value: object) -> object:
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            if isinstance(value, str):
                return fill_ids(value.replace("{c}", self.contract.slug).replace("{t}", str(self.ticket.pk)))
            return value

        return [(m, str(fill(p)), fill(b)) for m, p, b in ENDPOINTS]

    def test_every_endpoint_refuses_anonymous_callers(self) -> None:
        for method, path, body in self.each_endpoint():
            with self.subTest(method=method, path=path):
                response = self.call(method, path, None, body)
                self.assert_error(response, 401)
                assert response["WWW-Authenticate"].startswith("Bearer")

    def test_every_endpoint_refuses_a_wrong_token(self) -> None:
        for method, path, body in self.each_endpoint():
            with self.subTest(method=method, path=path):
                detail = self.assert_error(self.call(method, path, None, body,
                                                     token="jalon_pas-un-jeton"), 401)
                assert "Jeton" in detail

    def test_every_endpoint_refuses_a_revoked_token(self) -> None:
        token, clear = ApiToken.issue(self.buyer_manager, "révoqué")
        token.revoke()
        for method, path, body in self.each_endpoint():
            with self.subTest(method=method, path=path):
                self.assert_error(self.call(method, path, None, body, token=clear), 401)

    def test_every_endpoint_refuses_an_expired_token(self) -> None:
        _token, clear = ApiToken.issue(self.buyer_manager, "expiré",
                                       expires_at=timezone.now() - timedelta(seconds=1))
        for method, path, body in self.each_endpoint():
            with self.subTest(method=method, path=path):
                self.assert_error(self.call(method, path, None, body, token=clear), 401)

    def test_a_token_of_a_deactivated_person_is_refused(self) -> None:
        self.auditor.is_active = False
        self.auditor.save()
        self.assert_error(self.get("/contracts", self.auditor), 401)

    def test_a_token_not_yet_expired_works_and_notes_its_last_use(self) -> None:
        token, clear = ApiToken.issue(self.auditor, "script",
                                      expires_at=timezone.now() + timedelta(days=1))
        assert token.last_used_at is None
        assert self.get("/contracts", token=clear).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_only_the_hash_of_a_token_is_stored(self) -> None:
        token, clear = ApiToken.issue(self.auditor, "script")
        token.refresh_from_db()
        assert token.sha256 == token_sha256(clear)
        assert clear not in {token.sha256, token.prefix, token.name}
        assert clear.startswith(token.prefix)
        assert not ApiToken.objects.filter(sha256=clear).exists()

    def test_a_wrong_bearer_token_is_refused_even_with_a_valid_session(self) -> None:
        self.client.force_login(self.buyer_manager)
        self.assert_error(self.get("/contracts", token="jalon_faux"), 401)

    def test_a_session_reads_without_a_token(self) -> None:
        self.client.force_login(self.buyer_manager)
        response = self.get("/contracts")
        assert response.status_code == 200
        assert [c["slug"] for c in response.json()] == ["aquareel"]

    def test_a_session_write_needs_the_csrf_token(self) -> None:
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(self.requester)
        path = f"/tickets/{self.ticket.pk}/comments"
        detail = self.assert_error(self.post(path, None, {"body": "Merci"}, client=browser), 403)
        assert "CSRF" in detail
        csrf = "Jalon0123456789abcdefghijklmnopq"  # a CSRF secret: 32 letters and digits
        browser.cookies["csrftoken"] = csrf
        response = browser.post(f"/api/v1{path}", {"body": "Merci"}, content_type="application/json",
                                headers={"X-CSRFToken": csrf})
        assert response.status_code == 201, response.content

    def test_a_bearer_token_needs_no_csrf_token(self) -> None:
        browser = Client(enforce_csrf_checks=True)
        response = self.post(f"/tickets/{self.ticket.pk}/comments", self.requester,
                             {"body": "Merci"}, client=browser)
        assert response.status_code == 201, response.content


class CreateApiTokenCommandTest(ApiTestCase):
    def test_it_prints_a_token_that_authenticates_its_person(self) -> None:
        out = io.StringIO()
        call_command("create_api_token", self.auditor.username, "tableur", stdout=out)
        clear = out.getvalue().strip()
        token = ApiToken.objects.get(sha256=token_sha256(clear))
        assert (token.user, token.name, token.expires_at) == (self.auditor, "tableur", None)
        response = self.get("/contracts", token=clear)
        assert response.status_code == 200

    def test_it_sets_an_expiry_in_days(self) -> None:
        out = io.StringIO()
        call_command("create_api_token", self.auditor.username, "court", "--expires-in-days", "7",
                     stdout=out)
        token = ApiToken.objects.get(sha256=token_sha256(out.getvalue().strip()))
        assert token.expires_at is not None
        assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)

    def test_it_names_an_unknown_person(self) -> None:
        with pytest.raises(CommandError, match="personne"):
            call_command("create_api_token", "personne.inconnue", "x", stdout=io.StringIO())


class TokenAdminTest(ApiTestCase):
    def setUp(self) -> None:
        self.admin = type(self.auditor).objects.create_superuser(
            "admin", "admin@example.fr", "mot-de-passe-solide-42")
        self.client.force_login(self.admin)

    def test_a_token_added_in_the_admin_is_shown_once(self) -> None:
        response = self.client.post(reverse("admin:api_apitoken_add"), {
            "user": self.auditor.pk, "name": "export mensuel"}, follow=True)
        assert response.status_code == 200
        token = ApiToken.objects.get(name="export mensuel")
        shown = [str(m) for m in response.context["messages"]]
        clear = next(word for m in shown for word in m.split() if word.startswith("jalon_"))
        assert token_sha256(clear) == token.sha256
        page = self.client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
        assert clear not in page.content.decode()

    def test_the_admin_lists_and_revokes_tokens(self) -> None:
        token, clear = ApiToken.issue(self.auditor, "à révoquer")
        listing = self.client.get(reverse("admin:api_apitoken_changelist"))
        assert "à révoquer" in listing.content.decode()
        self.client.post(reverse("admin:api_apitoken_changelist"), {
            "action": "revoke", "_selected_action": [token.pk]})
        token.refresh_from_db()
        assert token.revoked_at is not None
        self.assert_error(self.get("/contracts", token=clear), 401)
