"""Headers of every answer (issue 15, item 8): a Content-Security-Policy on pages, no-store on
what a signed-in person or an API client receives, a Permissions-Policy."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.api.models import ApiToken
from jalon.tickets.models import Ticket
from jalon.web.tests.helpers import WebTestCase


class HeadersTest(WebTestCase):
    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                                  title="Purge")

    def test_pages_have_a_content_security_policy_and_a_permissions_policy(self) -> None:
        response = self.client.get("/connexion/")
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy  # an inline script needs the request's nonce
        assert "frame-ancestors 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]

    def test_what_a_signed_in_person_receives_is_not_stored(self) -> None:
        self.login(self.level1)
        attachment = self.ticket.add_attachment(self.level1, SimpleUploadedFile("a.txt", b"x"))
        for url in ("/", f"/tickets/{self.ticket.pk}/", "/marches/aquareel/tickets/export.csv",
                    "/marches/aquareel/tickets/export.xlsx",
                    f"/tickets/{self.ticket.pk}/pieces-jointes/{attachment.pk}/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 200
                assert response["Cache-Control"] == "no-store"

    def test_api_answers_are_not_stored(self) -> None:
        token = ApiToken.issue(self.level1, "t")[1]
        for path in ("/api/v1/tickets?contract=aquareel", "/api/v1/tickets/abc", "/api/v1/contracts"):
            with self.subTest(path=path):
                response = self.client.get(path, headers={"Authorization": f"Bearer {token}"})
                assert response["Cache-Control"] == "no-store"
