"""The intervention report as a PDF (seed 000 §7.3.3, annex A.3).

reportlab's standard Helvetica uses the WinAnsi encoding, which holds every French character
(é, è, à, ç, œ, ’, « »); a character outside it is replaced rather than dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jalon.tickets.models import InterventionReport, Ticket


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def _safe(text: str) -> str:
    """Text reportlab can draw with a standard font: WinAnsi (cp1252) only, XML-escaped."""
    encoded = text.encode("cp1252", errors="replace").decode("cp1252")
    return escape(encoded).replace("\n", "<br/>")


def _when(instant: datetime | None) -> str:
    return date_format(localtime(instant), "DATETIME_FORMAT") if instant else "—"


def report_facts(ticket: Ticket, report: InterventionReport, type_label: str) -> list[Fact]:
    author = report.author.get_full_name() or report.author.username
    return [
        Fact(_("Marché"), f"{ticket.contract.reference} — {ticket.contract.name}"),
        Fact(_("Ticket"), f"{ticket.reference} — {ticket.title}"),
        Fact(_("Type"), type_label),
        Fact(_("Priorité / criticité"),
             f"{ticket.priority or '—'} / {ticket.get_criticality_display() or '—'}"),
        Fact(_("Site"), ticket.site or "—"),
        Fact(_("Ouvert le"), _when(ticket.opened_at)),
        Fact(_("Appel téléphonique"), _when(ticket.phone_call_at)),
        Fact(_("Résolu le"), _when(ticket.resolved_at)),
        Fact(_("Rédigé par"), f"{author}, {_when(report.updated_at)}"),
    ]


def report_sections(report: InterventionReport) -> list[tuple[str, str]]:
    return [
        (_("Contexte"), report.context),
        (_("Diagnostic et cause racine"), report.diagnosis),
        (_("Tests réalisés"), report.tests),
        (_("Solution mise en œuvre"), report.solution),
        (_("Statut"), report.get_status_display()),
        (_("Recommandations"), report.recommendations or "—"),
    ]


def intervention_report_pdf(ticket: Ticket, report: InterventionReport, type_label: str,
                            *, compress: bool = True) -> bytes:
    """The report as PDF bytes; ``compress=False`` leaves the text readable in the file."""
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, author="Jalon", lang="fr-FR",
        title=_("Rapport d’intervention %(ref)s") % {"ref": ticket.reference},
        pageCompression=1 if compress else 0,
    )
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=14)
    heading = ParagraphStyle("h2", parent=styles["Heading2"], fontName="Helvetica-Bold",
                             fontSize=12, spaceBefore=8, spaceAfter=4)
    story: list[object] = [
        Paragraph(_safe(_("Rapport d’intervention")), styles["Title"]),
        Paragraph(_safe(ticket.reference), ParagraphStyle("sub", parent=body, alignment=1)),
        Spacer(1, 6 * mm),
    ]
    facts = Table([[Paragraph(f"<b>{_safe(f.label)}</b>", body), Paragraph(_safe(f.value), body)]
                   for f in report_facts(ticket, report, type_label)],
                  colWidths=[45 * mm, 125 * mm])
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#cccccc")]))
    story.append(facts)
    for title, text in report_sections(report):
        story += [Paragraph(_safe(title), heading), Paragraph(_safe(text), body)]
    document.build(story)
    return buffer.getvalue()
