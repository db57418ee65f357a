"""Django's admin, the platform administrators' back-office: what axe-core found there and was
mended (tools/axe_audit.py, docs/accessibility.md), kept by the static checks that see it."""

from __future__ import annotations

from django.contrib.auth.models import User

from jalon.testing import a11y
from jalon.web.tests.helpers import WebTestCase, paris

RULES = {"link-name", "control-name"}


class AdminAccessibilityTest(WebTestCase):
    def setUp(self) -> None:
        self.worked(paris(2026, 5, 7, 9, 0))
        self.unqualified = self.open(paris(2026, 5, 7, 10, 0), "Pas encore qualifié")  # no priority
        self.client.force_login(User.objects.create_superuser("admin-test", "admin@example.org", None))

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "jalon/admin.css" in html, path
        return html

    def test_every_link_and_control_has_a_name(self) -> None:
        for path in ("/admin/tickets/ticket/", f"/admin/tickets/ticket/{self.unqualified.pk}/change/",
                     "/admin/auth/user/add/", f"/admin/contracts/contract/{self.contract.pk}/change/"):
            with self.subTest(path=path):
                found = [v for v in a11y.check(self.page(path), path) if v.rule in RULES]
                assert found == [], "\n".join(map(str, found))

    def test_the_empty_priority_is_named_in_the_filters(self) -> None:
        assert ">(non renseignée)</a>" in self.page("/admin/tickets/ticket/")
