"""The period's scorecard as the PDF a steering committee (COPIL) reads, in French.

Drawn from the figures (``jalon.conventions.report.scorecard_dict``), frozen or live, with
reportlab; ``invariant`` so that the same figures give the same bytes.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def _safe(text: object) -> str:
    encoded = str(text).encode("cp1252", errors="replace").decode("cp1252")
    return escape(encoded).replace("\n", "<br/>")


def number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, (int, float)):
        # thousands apart by a no-break space: the narrow one French typography prefers is not in
        # the PDF's standard fonts (it printed as "?")
        text = f"{value:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")
        return text.rstrip("0").rstrip(",") if "," in text else text
    return str(value)


def status_line(data: dict[str, Any]) -> str:
    labels = {"draft": _("brouillon (calcul en direct)"), "proposed": _("proposé par le titulaire"),
              "contested": _("contesté par l’acheteur"), "validated": _("validé par les deux parties"),
              "audit": _("audit d’un export déposé (non enregistré sur le marché)")}
    return labels.get(str(data.get("status", "draft")), str(data.get("status")))


def scorecard_pdf(data: dict[str, Any]) -> bytes:
    buffer = BytesIO()
    title = _("Tableau de bord contractuel — %(period)s") % {"period": data["period"]}
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, author="Jalon", lang="fr-FR", title=title, invariant=1,
    )
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=8, leading=10)
    heading = ParagraphStyle("h2", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=11,
                             spaceBefore=6, spaceAfter=3)
    money = data.get("money") or {}
    facts = [
        (_("Marché"), f"{data['contract']['title']} ({data['contract']['id']})"),
        (_("Acheteur / titulaire"), f"{data['contract']['buyer']} / {data['contract']['holder']}"),
        (_("Période"), data["period"]),
        (_("Statut"), status_line(data)),
        (_("Convention"), f"{data['convention']['file']} v{data['convention']['version']} — "
                          f"SHA-256 {data['convention']['sha256']}"),
        (_("Tickets évalués"), number(data["tickets"]["count"], 0)),
        (_("Note globale (sur 20)"), number(data.get("global_note"))),
        (_("Points de pénalité"), number(data.get("total_penalty_points"))),
        (_("Bonus / malus"), f"{data.get('bonus_malus') or '—'} {number(money.get('amount')) if money else ''} "
                             f"{money.get('currency', '') if money else ''}".strip()),
        (_("Période probatoire (sans bonus/malus)"), number(bool(data.get("probation")))),
    ]
    story: list[object] = [Paragraph(_safe(title), styles["Title"]), Spacer(1, 3 * mm)]
    table = Table([[Paragraph(f"<b>{_safe(k)}</b>", body), Paragraph(_safe(v), body)] for k, v in facts],
                  colWidths=[60 * mm, 200 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#cccccc")]))
    story.append(table)
    head = [_("Indicateur"), _("Libellé"), _("Valeur"), _("Unité"), _("Cible"), _("Atteint"), _("Note"),
            _("Points"), _("Preuves")]
    for family in data["families"]:
        story.append(Paragraph(_safe(_("%(label)s — poids %(weight)s, note %(note)s, points %(points)s") % {
            "label": family["label"], "weight": number(family.get("weight")), "note": number(family.get("note")),
            "points": number(family.get("penalty_points"))}), heading))
        rows = [[Paragraph(f"<b>{_safe(h)}</b>", body) for h in head]]
        for indicator in family["indicators"]:
            rows.append([Paragraph(_safe(c), body) for c in (
                indicator["id"], indicator["label"], number(indicator.get("value")), indicator.get("unit") or "",
                indicator.get("target") or "—", number(indicator.get("met")), number(indicator.get("note")),
                number(indicator.get("penalty_points")), number(indicator.get("evidence_count"), 0))])
            if not indicator.get("counted", True) and indicator.get("reason"):
                rows.append([Paragraph("", body), Paragraph(_safe(indicator["reason"]), body)] + [""] * 7)
        grid = Table(rows, colWidths=[22 * mm, 90 * mm, 22 * mm, 18 * mm, 30 * mm, 16 * mm, 18 * mm, 18 * mm,
                                      18 * mm], repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, "#999999"),
                                  ("BACKGROUND", (0, 0), (-1, 0), "#e3e3fd"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(grid)
    document.build(story)
    return buffer.getvalue()
