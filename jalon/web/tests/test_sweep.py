"""The access sweep of the pages (issue 15): every URL of the URL resolver — discovered there,
not listed by hand — with its parameters naming real records of a demo-like contract. An
outsider (a role on another contract only) and someone with no role get 404, on GET and POST
alike; an anonymous visitor is sent to the login page; a member of the contract does find the
record (so the 404 is the rule's, not a missing record's); no one ever meets a server error.

A URL without parameters is either public or personal (a list of what the person may see): it
is named in :data:`UNSCOPED` with the reason. A new URL whose parameters have no value here,
or a new unscoped one, fails the sweep. The API's operations are swept from the OpenAPI document
by ``jalon/api/tests/test_sweep.py``."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from jalon.deliverables.workflow import STEPS as DELIVERABLE_STEPS
from jalon.demo.tests import contract as demo_contract
from jalon.governance.workflow import STEPS as MEETING_STEPS
from jalon.orders.workflow import STEPS as ORDER_STEPS
from jalon.scorecards.workflow import STEPS as SCORECARD_STEPS
from jalon.testing.cast import JalonTestCase

UNSCOPED = {
    "set_language": "public: the language switch", "javascript-catalog": "public: the translations",
    "login": "public: signing in", "accounts-login-code": "public: the second factor of signing in",
    "accounts-login-cancel": "public: cancelling a sign-in", "accounts-oidc-login": "public: OIDC",
    "accounts-oidc-callback": "public: OIDC", "accounts-totp-setup": "personal: one's own second factor",
    "home": "personal: what waits on me", "accessibility": "public: footer page",
    "legal-notice": "public: footer page", "personal-data": "public: footer page", "cookies": "public: footer page",
    "site-map": "public: footer page", "logout": "personal: signing out", "notices": "personal: my notices",
    "notices-read": "personal: my notices", "my-tickets": "personal: the tickets I may see",
    "my-tickets-export": "personal: the tickets I may see", "calendar-feeds": "personal: my feed addresses",
    "calendar-feed": "a secret address, its own credential (jalon/calendars/tests)",
}
SKIPPED_PREFIXES = ("admin/", "api/v1/", "static/", "media/")
"""Django's administration (staff only), the API (swept from its OpenAPI document), files."""


def _first_slug(steps: Any) -> str:
    step = next(iter(steps.values() if isinstance(steps, dict) else steps))
    return str(getattr(step, "slug", step.name))


AUDIT_TOKEN = "sweep"
"""The token of an audit result kept for the buyer manager (:meth:`PageSweepTest.setUpTestData`)."""
EXTRA: dict[str, str] = {
    "fmt": "csv", "doc": "pdf", "version": "1",
}
BY_NAME: dict[str, dict[str, str]] = {
    # parameters whose value depends on the page
    "ticket-action": {"action": "commenter"},
    "statement": {"fmt": "pdf"},
    "governance-meeting-step": {"step_slug": _first_slug(MEETING_STEPS)},
    "governance-meeting-record": {"what": "escalation"},
    "governance-export": {"what": "risques"},
    "order-action": {"action": _first_slug(ORDER_STEPS)},
    "deliverable-action": {"action": _first_slug(DELIVERABLE_STEPS)},
    "scorecard-action": {"step": _first_slug(SCORECARD_STEPS)},
    "scorecard-document": {"fmt": "pdf"},
    "order-deliverable": {"deliverable": "@order_file"},
    "report-new": {"kind": "audit"},
    "file": {"fmt": "xlsx"},  # billing:file, a period's billing elements
    "scorecard-audit-download": {"token": AUDIT_TOKEN, "fmt": "json"},
}


def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern of the project, routes joined from the root."""
    found = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), str(pattern.name)))

    walk(get_resolver().url_patterns, "")
    return [(route, name) for route, name in found if not route.startswith(SKIPPED_PREFIXES)]


class PageSweepTest(JalonTestCase):
    demo: demo_contract.DemoContract
    objects: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demo = demo_contract.build()
        more = demo_contract.more_objects_of(cls.demo)
        cls.objects = {**demo_contract.objects_of(cls.demo.contract), **more}
        cls.objects["ticket"] = cls.objects["ticket_id"]
        # an audit of an uploaded export, as its author's page keeps it for the downloads
        cache.set(f"scorecard-audit:{AUDIT_TOKEN}", {
            "user": cls.demo.people["buyer_manager"].pk, "contract": cls.demo.contract.pk,
            "data": {"period": cls.objects["period"]}, "xlsx": b""}, 3600)

    def url(self, route: str, name: str) -> str:
        special = {key: self.objects[value[1:]] if value.startswith("@") else value
                   for key, value in BY_NAME.get(name, {}).items()}
        values = {**EXTRA, **self.objects, **special}
        filled = demo_contract.path_values(route, values)
        url = route
        for key, value in filled.items():
            url = re.sub(rf"<(?:\w+:)?{key}>", value, url)
        assert "<" not in url, f"{name}: no value for a parameter of {route}"
        return "/" + url

    def status(self, method: str, url: str, who: str | None) -> int:
        self.client.logout()
        if who is not None:
            self.client.force_login(self.demo.people[who])
        with transaction.atomic():
            response = self.client.generic(method, url)
            status = response.status_code
            if status == 302 and who is None:
                assert response["Location"].startswith("/connexion/"), (url, response["Location"])
            transaction.set_rollback(True)
        return status

    def test_every_url_is_scoped_or_named_unscoped(self) -> None:
        names = {name for route, name in url_patterns()}
        unscoped = {name for route, name in url_patterns() if "<" not in route}
        assert unscoped - set(UNSCOPED) == set(), "URLs with no parameter: add them to UNSCOPED with why"
        assert set(UNSCOPED) - names == set(), "UNSCOPED names URLs that no longer exist"

    def test_outsiders_get_404_and_members_find_every_record(self) -> None:
        started, requests, wrong = time.monotonic(), 0, []
        scoped = [(route, name) for route, name in url_patterns() if name not in UNSCOPED]
        for route, name in scoped:
            url = self.url(route, name)
            for method in ("GET", "POST"):
                for who in ("outsider", "nobody"):
                    status = self.status(method, url, who)
                    requests += 1
                    if status not in (404, 405):
                        wrong.append(f"{method} {url} ({name}) as {who}: {status}")
                status = self.status(method, url, None)
                requests += 1
                if status not in (302, 405):
                    wrong.append(f"{method} {url} ({name}) anonymously: {status}")
            statuses = {}
            for who in demo_contract.ROLES:
                statuses[who] = self.status("GET", url, who)
                requests += 1
                if statuses[who] >= 500:
                    wrong.append(f"GET {url} ({name}) as {who}: {statuses[who]}")
            if all(status == 404 for status in statuses.values()):
                wrong.append(f"GET {url} ({name}): 404 for every member (the record is missing)")
        print(f"\npage sweep: {len(scoped)} URLs with parameters, {len(UNSCOPED)} unscoped, "
              f"{requests} requests as {2 + 1 + len(demo_contract.ROLES)} identities, "
              f"{time.monotonic() - started:.0f} s")
        assert not wrong, "\n".join(wrong)
