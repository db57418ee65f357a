"""Every page of the platform, rendered as each role and in each state that changes its markup
(filters, form errors, ticket states, period kinds, error pages), passes the static
accessibility checks of jalon/testing/a11y.py (the checker itself: test_a11y_checker.py).

A violation that comes from code owned elsewhere is listed in KNOWN_ISSUES: the page's test
ignores that rule, and a test of its own, xfail(strict=True), checks that rule alone, so it
fails as soon as the issue is fixed and the entry must be removed.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from django.views import defaults

from jalon.accounts.access import ROLES_FOR, Need
from jalon.accounts.models import Role, profile_of
from jalon.accounts.views import PENDING_KEY
from jalon.testing import a11y
from jalon.testing.cast import make_user
from jalon.tickets.models import Criticality, Ticket
from jalon.web.tests.helpers import WebTestCase, at, paris

NOW = paris(2026, 5, 12, 11, 0)
ROLES = {"buyer_manager": Role.BUYER_MANAGER, "level1": Role.LEVEL1_AGENT,
         "requester": Role.REQUESTER, "holder_manager": Role.HOLDER_MANAGER,
         "technician": Role.HOLDER_TECHNICIAN, "auditor": Role.AUDITOR}
STATES = ("new", "qualifying", "assigned", "in_progress", "waiting", "resolved", "closed")
OIDC = {"JALON_OIDC_DISCOVERY_URL": "https://idp.example.fr/.well-known/openid-configuration",
        "JALON_OIDC_CLIENT_ID": "jalon", "JALON_OIDC_CLIENT_SECRET": "s3cret"}


@dataclass(frozen=True)
class Visit:
    """One page: who asks (an attribute of the test case, None for nobody), the URL (``{state}``
    stands for the pk of the ticket in that state), the POST data if any, the expected status."""

    user: str | None
    url: str
    post: Callable[[], dict[str, Any]] | None = None
    status: int = 200
    language: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    prepare: str = ""  # a method of the test case to call first
    errors: bool = False  # the page reports errors: they must reach screen readers


def _form(action: str, **values: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {f"{action}-{k}": v for k, v in values.items()}


def _pages() -> dict[str, Visit]:
    pages: dict[str, Visit] = {
        "home-anonymous": Visit(None, "/"),
        "home-no-contract": Visit("nobody", "/"),
        "home-english": Visit("level1", "/", language="en"),
        "login": Visit(None, "/connexion/?next=/tickets/"),
        "login-errors": Visit(None, "/connexion/", lambda: {"username": "x", "password": "y"},
                              errors=True),
        "login-empty": Visit(None, "/connexion/", lambda: {"username": "", "password": ""},
                             errors=True),
        "login-oidc": Visit(None, "/connexion/", settings=OIDC),
        "login-code": Visit(None, "/connexion/code/", prepare="pending_login"),
        "login-code-errors": Visit(None, "/connexion/code/", lambda: {"code": "12"},
                                   prepare="pending_login", errors=True),
        "totp-setup": Visit("technician", "/compte/double-authentification/"),
        "totp-setup-errors": Visit("technician", "/compte/double-authentification/",
                                   lambda: {"action": "enable", "code": "000000"}, errors=True),
        "totp-enabled": Visit("technician", "/compte/double-authentification/",
                              prepare="enable_totp"),
        "list-contract": Visit("level1", "/marches/aquareel/tickets/"),
        "list-contract-page-2": Visit("level1", "/marches/aquareel/tickets/?page=2"),
        "list-filtered": Visit("level1", "/marches/aquareel/tickets/?type=urgent_intervention"
                               "&state=active&priority=P1&q=Concentrateur&at_risk=1&sort=-due"),
        "list-advanced-filters": Visit("level1", "/marches/aquareel/tickets/?opened_from="
                                       "2026-05-01&opened_to=2026-05-12&reopened=1"),
        "list-filter-errors": Visit("level1", "/marches/aquareel/tickets/?type=inconnu"
                                    "&opened_from=pas-une-date&state=perdu", errors=True),
        "list-empty": Visit("level1", "/marches/aquareel/tickets/?q=introuvable"),
        "list-english": Visit("level1", "/marches/aquareel/tickets/", language="en"),
        "create-requester": Visit("requester", "/marches/aquareel/tickets/nouveau/"),
        "create-level1": Visit("level1", "/marches/aquareel/tickets/nouveau/"),
        "create-errors": Visit("level1", "/marches/aquareel/tickets/nouveau/",
                               lambda: {"type": "", "title": "", "phone_call_at": "hier"},
                               status=400, errors=True),
        "dashboard-default": Visit("buyer_manager", "/marches/aquareel/tableau-de-bord/"),
        "dashboard-month": Visit("buyer_manager",
                                 "/marches/aquareel/tableau-de-bord/?period=month&month=2026-05"),
        "dashboard-quarter": Visit("buyer_manager", "/marches/aquareel/tableau-de-bord/"
                                   "?period=quarter&quarter=2026-T2"),
        "dashboard-custom": Visit("buyer_manager", "/marches/aquareel/tableau-de-bord/"
                                  "?period=custom&from=2026-05-01&to=2026-05-12"),
        "dashboard-empty": Visit("buyer_manager",
                                 "/marches/aquareel/tableau-de-bord/?period=month&month=2025-01"),
        "dashboard-errors": Visit("buyer_manager", "/marches/aquareel/tableau-de-bord/"
                                  "?period=custom&from=2026-05-12&to=2026-05-01", status=400, errors=True),
        "dashboard-english": Visit("buyer_manager", "/marches/aquareel/tableau-de-bord/",
                                   language="en"),
        "forfait-buyer": Visit("buyer_manager", "/marches/aquareel/forfait/?jour=2026-05-12"),
        "forfait-holder": Visit("holder_manager", "/marches/aquareel/forfait/?jour=2026-05-12"),
        "forfait-english": Visit("auditor", "/marches/aquareel/forfait/?jour=2026-05-12", language="en"),
        "billing-buyer": Visit("buyer_manager", "/marches/aquareel/facturation/?periode=2026-Q2"),
        "billing-holder": Visit("holder_manager", "/marches/aquareel/facturation/?periode=2026-05"),
        "billing-english": Visit("auditor", "/marches/aquareel/facturation/?periode=2026-Q2", language="en"),
        "ticket-english": Visit("technician", "/tickets/{in_progress}/", language="en"),
        "error-404": Visit("level1", "/nulle-part/", status=404),
        "error-404-anonymous": Visit(None, "/nulle-part/", status=404),
        "error-403": Visit("auditor", "/marches/aquareel/tickets/nouveau/", status=403),
        "error-500": Visit(None, "500", status=500),
        "accessibility-anonymous": Visit(None, "/accessibilite/"),
        "accessibility-signed-in": Visit("requester", "/accessibilite/"),
        "accessibility-contact": Visit(None, "/accessibilite/", settings={
            "JALON_ACCESSIBILITY_CONTACT": "accessibilite@example.fr"}),
        "accessibility-english": Visit(None, "/accessibilite/", language="en"),
    }
    for person in ROLES:
        pages[f"home-{person}"] = Visit(person, "/")
        pages[f"list-mine-{person}"] = Visit(person, "/tickets/")
        if ROLES[person] in ROLES_FOR[Need.VIEW_DASHBOARD]:
            pages[f"dashboard-{person}"] = Visit(
                person, "/marches/aquareel/tableau-de-bord/?period=month&month=2026-05")
        for state in STATES:
            pages[f"ticket-{state}-{person}"] = Visit(person, f"/tickets/{{{state}}}/")
    # Each action form sent back with its errors (the form left open, errors by the fields).
    for name, person, state, action, post in (
        ("qualify", "level1", "new", "qualifier", _form("qualifier", type="", criticality="")),
        ("assign", "level1", "qualifying", "affecter", _form("affecter", group="", person="")),
        ("escalate", "technician", "in_progress", "escalader", _form("escalader", level="")),
        ("wait", "technician", "in_progress", "attente", _form("attente", reason="")),
        ("resolve", "technician", "in_progress", "resoudre", _form("resoudre", kind="")),
        ("close-refused", "level1", "in_progress", "clore", _form("clore", note="")),
        ("reopen", "requester", "closed", "rouvrir", _form("rouvrir", reason="")),
        ("comment", "requester", "in_progress", "commenter", _form("commenter", body="")),
        ("attach", "technician", "in_progress", "joindre", lambda: {
            "joindre-file": SimpleUploadedFile("virus.exe", b"MZ")}),
        ("time", "technician", "in_progress", "temps", _form("temps", amount="0", unit="h", spent_on="")),
        ("phone-call", "level1", "in_progress", "appel", _form("appel", called_at="hier")),
        ("report", "technician", "in_progress", "rapport", _form("rapport", context="")),
    ):
        pages[f"ticket-errors-{name}"] = Visit(person, f"/tickets/{{{state}}}/{action}/", post,
                                               status=400, errors=True)
    return pages


PAGES = _pages()

# (page, rule) -> why it is not fixed here and what must change (see the report of the
# accessibility work); each entry is checked by an xfail(strict=True) test.
KNOWN_ISSUES: dict[tuple[str, str], str] = {}

# The pages that a browser test also opens, as the same role and in the same state, and checks
# with axe-core (page -> the test): there, the static rules axe makes too (a11y.AXE_COVERS) are
# left to axe, and the static check keeps the rules axe does not make.
_WORKFLOWS = "test_browser_workflows.py::RoleWorkflowsTest"
_URGENT = f"{_WORKFLOWS}::test_an_urgent_intervention_from_declaration_to_closure_with_each_role"
IN_BROWSER: dict[str, str] = {
    **{f"home-{person}": f"{_WORKFLOWS}::test_each_role_s_home_says_what_to_do_now" for person in ROLES},
    "create-requester": _URGENT,
    "ticket-new-requester": _URGENT,
    "ticket-assigned-level1": _URGENT,
    "ticket-resolved-technician": _URGENT,
    "ticket-closed-requester": _URGENT,
    "ticket-in_progress-technician":
        "test_browser.py::BrowserTest::test_the_ticket_page_of_the_holder_has_no_axe_violation",
    "dashboard-default": f"{_WORKFLOWS}::test_the_dashboard_drills_down_from_a_figure_to_the_tickets_behind_it",
}


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="jalon-a11y-tests-"))
class PagesTest(WebTestCase):
    nobody: Any
    tickets: dict[str, Ticket]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.nobody = make_user("nina.sansrole")
        cls.tickets = {state: cls._ticket(state) for state in STATES}
        for n in range(26):  # more than a page of the list
            with at(paris(2026, 4, 1, 9, n)):
                Ticket.open(cls.contract, actor=cls.requester, type="corrective_maintenance",
                            title=f"Correction n° {n}")

    @classmethod
    def _ticket(cls, state: str) -> Ticket:
        day = paris(2026, 5, 4 + STATES.index(state) % 4, 9, 0)
        with at(day):
            ticket = Ticket.open(cls.contract, actor=cls.requester, type="urgent_intervention",
                                 title=f"Concentrateur arrêté ({state})", site="SPC RAS",
                                 description="Plus aucune donnée\ndepuis 8 h.")
        steps: list[tuple[int, Callable[[Ticket], Any]]] = [
            (10, lambda t: t.qualify(cls.level1, urgency="critique", impact="site",
                                     criticality=Criticality.BLOQUANT)),
            (20, lambda t: t.assign(cls.level1, group="Titulaire N2", person=cls.technician)),
            (30, lambda t: t.start_work(cls.technician)),
        ]
        wanted = {"new": 0, "qualifying": 1, "assigned": 2}.get(state, 3)
        for minute, step in steps[:wanted]:
            with at(day.replace(minute=minute)):
                step(ticket)
        with at(day.replace(hour=10)):
            if state == "in_progress":
                ticket.add_comment(cls.requester, "Toujours en panne")
                ticket.add_comment(cls.technician, "Piste : disque plein", internal=True)
                ticket.add_attachment(cls.technician, SimpleUploadedFile(
                    "journal.log", b"erreur disque"), internal=True)
                ticket.add_attachment(cls.requester, SimpleUploadedFile("capture.png", b"\x89PNG"))
                ticket.log_time(cls.technician, minutes=45, spent_on=day.date())
                ticket.log_phone_call(cls.level1, day.replace(hour=8, minute=55), "SPC RAS")
                ticket.write_intervention_report(
                    cls.technician, context="Arrêt", diagnosis="Disque plein", tests="Relance",
                    solution="Purge", status="workaround", recommendations="Superviser")
            if state == "waiting":
                ticket.wait(cls.technician, "requester", "Journaux demandés.")
            if state in ("resolved", "closed"):
                ticket.resolve(cls.technician, "definitive", "Corrigé.")
        if state == "resolved":  # reopened once, then resolved again
            with at(day.replace(hour=11)):
                ticket.reopen(cls.level1, "Panne revenue")
                ticket.start_work(cls.technician)
                ticket.resolve(cls.technician, "workaround")
        if state == "closed":
            with at(day.replace(hour=12)):
                ticket.close(cls.requester, "Vérifié.")
        return ticket

    def pending_login(self) -> None:
        session = self.client.session
        session[PENDING_KEY] = {"user": self.technician.pk, "backend": "", "next": "/"}
        session.save()

    def enable_totp(self) -> None:
        profile_of(self.technician).enable_totp("JBSWY3DPEHPK3PXP", 0)

    def render(self, name: str) -> str:
        visit = PAGES[name]
        user = getattr(self, visit.user) if visit.user else None
        self.client.logout()
        self.client.cookies.clear()
        if user is not None:
            self.login(user)
        if visit.language:
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = visit.language
        if visit.prepare:
            getattr(self, visit.prepare)()
        url = visit.url.format(**{s: t.pk for s, t in self.tickets.items()})
        response: Any
        with at(NOW), override_settings(**visit.settings):
            if url == "500":
                response = defaults.server_error(RequestFactory().get("/"))
            elif visit.post is not None:
                response = self.client.post(url, visit.post())
            else:
                response = self.client.get(url)
        assert response.status_code == visit.status, (name, response.status_code)
        return response.content.decode()

    def violations(self, name: str) -> list[a11y.Violation]:
        html = self.render(name)
        leaked = re.search(r"\{[#%{]", re.sub(r"<script.*?</script>", "", html, flags=re.S))
        assert leaked is None, f"{name}: template syntax in the page: {html[leaked.start():][:80]}"
        if PAGES[name].errors:
            # The errors are shown (the rules error-described and error-associated check that
            # each one is tied to its field or group, or stated in an alert).
            page = a11y.Page(html, name)
            assert a11y.error_messages(page) or any(n.role == "alert" for n in page.elements), (
                f"{name}: no error message on the page")
        return a11y.check(html, name)

    def assert_accessible(self, name: str) -> None:
        left_to_axe = a11y.AXE_COVERS if name in IN_BROWSER else {}
        found = [v for v in self.violations(name)
                 if (name, v.rule) not in KNOWN_ISSUES and v.rule not in left_to_axe]
        assert not found, "\n" + "\n".join(map(str, found))

    def assert_rule(self, name: str, rule: str) -> None:
        found = [v for v in self.violations(name) if v.rule == rule]
        assert not found, "\n" + "\n".join(map(str, found))

    def test_a_refused_form_is_named_in_the_title_and_linked_from_the_top(self) -> None:
        html = self.render("ticket-errors-time")
        assert "<title>Erreur — " in html
        top = html.split("<h1>")[1].split("fr-badges-group")[0]
        assert '<a href="#action-temps">' in top
        assert "<title>Erreur — " in self.render("create-errors")
        assert "<title>Erreur — " in self.render("login-empty")

    def test_the_intervention_report_is_readable_on_the_page_not_only_as_a_pdf(self) -> None:
        html = self.render("ticket-in_progress-requester")
        assert 'id="rapport-intervention"' in html
        assert "Disque plein" in html
        assert "Superviser" in html

    def test_every_known_issue_names_a_page_and_a_rule(self) -> None:
        for page, rule in KNOWN_ISSUES:
            assert page in PAGES, page
            assert rule in a11y.RULES, rule

    def test_the_pages_left_to_axe_are_pages_here_and_tests_there(self) -> None:
        assert set(a11y.AXE_COVERS) < set(a11y.RULES)
        tests = Path(__file__).parent
        for page, where in IN_BROWSER.items():
            assert page in PAGES, page
            module, *names = where.split("::")
            source = (tests / module).read_text(encoding="utf-8")
            assert all(f"class {n}(" in source or f"def {n}(" in source for n in names), where


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower())


for _name in PAGES:
    def _test(self: PagesTest, name: str = _name) -> None:
        self.assert_accessible(name)
    setattr(PagesTest, f"test_{_slug(_name)}", _test)

for (_name, _rule), _reason in KNOWN_ISSUES.items():
    def _known(self: PagesTest, name: str = _name, rule: str = _rule) -> None:
        self.assert_rule(name, rule)
    setattr(PagesTest, f"test_known_issue_{_slug(_name)}__{_slug(_rule)}",
            pytest.mark.xfail(strict=True, reason=_reason)(_known))


# -- keyboard and screen readers in the scripts ----------------------------------------------

SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "jalon").glob("*.js"))


def test_there_are_scripts_to_check() -> None:
    assert SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_scripts_create_no_live_region_and_tick_at_most_once_a_minute(script: Path) -> None:
    """A countdown refreshed by a timer must not be announced at each refresh: the scripts add
    no aria-live or live role, and refresh at most once a minute (the pages' side is the
    live-ticking rule)."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script.read_text(encoding="utf-8"), flags=re.S)
    assert not re.search(r"aria-live|aria-atomic|role\W+(alert|status|log|marquee)", code)
    assert not re.search(r"\.on(click|keydown|keyup|keypress)\s*=|addEventListener\(\s*[\"']"
                         r"(click|key\w+)", code), "interactive behaviour belongs to DSFR"
    for delay in re.findall(r"set(?:Interval|Timeout)\([^;]*?,\s*(\d+)\s*\)", code):
        assert int(delay) >= 60000, f"{script.name} refreshes every {delay} ms"
