"""The accessibility statement (déclaration d'accessibilité, /accessibilite/): public, linked from
the footer of every page as the law asks of a public service (loi n° 2005-102 art. 47, décret
n° 2019-768, RGAA 4.1). Its text is web/accessibility.html; what it says of the checks comes from
docs/accessibility.md and is dated: update STATEMENT_DATE and the figures below with each new
review, and the compliance status in both the template and the footer of base.html (a test checks
that they agree).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

STATEMENT_DATE = date(2026, 11, 23)
# tools/axe_audit.py on that date: 20 pages of the demo, each at 1280 px and at 375 px, 0 violation
# (and 8 pages of Django's admin, 0 violation, which the statement names apart).
AXE_PAGES = 20
AXE_PAGE_VIEWS = 40
AXE_VERSION = "4.14.1"  # tools/axe/package.json
STATIC_RULES = 36  # the rules of the test suite's static checker (jalon/testing/a11y.py); a test checks


def contact_link(contact: str) -> str:
    """Where the contact of JALON_ACCESSIBILITY_CONTACT leads: ``mailto:`` for an e-mail address,
    the address itself for a web page, "" for any other text (a postal address, a phone number),
    which the page shows as it is."""
    try:
        EmailValidator()(contact)
    except ValidationError:
        pass
    else:
        return f"mailto:{contact}"
    try:
        URLValidator(schemes=["https", "http"])(contact)
    except ValidationError:
        return ""
    return contact


def statement(request: HttpRequest) -> HttpResponse:
    contact = settings.JALON_ACCESSIBILITY_CONTACT.strip()
    return render(request, "web/accessibility.html", {
        "contact": contact,
        "contact_href": contact_link(contact) if contact else "",
        "site_url": settings.SITE_URL,
        "session_hours": max(1, round(settings.SESSION_COOKIE_AGE / 3600)),  # JALON_SESSION_AGE
        "statement_date": STATEMENT_DATE,
        "static_rules": STATIC_RULES,
        "axe_pages": AXE_PAGES,
        "axe_page_views": AXE_PAGE_VIEWS,
        "axe_version": AXE_VERSION,
    })
