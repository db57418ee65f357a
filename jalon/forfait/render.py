"""A monthly statement (:mod:`jalon.forfait.statement`) as PDF (reportlab, French) and XLSX
(numbers as numbers, units in the headers, frozen header: ``jalon.lib.xlsx``)."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jalon.lib.xlsx import Cell, XlsxWriter

FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _safe(text: str) -> str:
    """Text reportlab can draw with a standard font: WinAnsi (cp1252) only, XML-escaped."""
    return escape(text.encode("cp1252", errors="replace").decode("cp1252"))


def unit_word(content: dict[str, Any]) -> str:
    return _("jours") if content["unit"] == "j" else _("heures")


def kind_word(kind: str) -> str:
    return {"reversal": _("annulation"), "replacement": _("correction")}.get(kind, "")


def _french(iso: str) -> str:
    """``2026-04-02`` as ``02/04/2026``."""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def header(content: dict[str, Any]) -> list[str]:
    unit = unit_word(content)
    return [_("Ticket"), _("Objet"), _("Date"), _("Intervenant"), _("Nature"), _("Note"),
            _("Temps (minutes)"), _("Temps (%(u)s)") % {"u": unit},
            _("Cumul de l’année (%(u)s)") % {"u": unit}, _("Reste (%(u)s)") % {"u": unit}]


def rows(content: dict[str, Any]) -> list[list[Cell]]:
    return [[line["ticket"], line["ticket_title"], date.fromisoformat(line["date"]), line["person"],
             kind_word(line["kind"]) or _("saisie"), line["note"], line["minutes"], line["amount"],
             line["running"], line["remaining"]] for line in content["lines"]]


def summary(content: dict[str, Any]) -> list[tuple[str, str]]:
    unit = unit_word(content)
    return [
        (_("Marché"), f"{content['contract_reference']} — {content['contract_name']}"),
        (_("Mois"), content["month"]),
        (_("Année du marché"), _("du %(first)s au %(last)s") % {
            "first": _french(content["year_first_day"]), "last": _french(content["year_last_day"])}),
        (_("Forfait de l’année (%(u)s)") % {"u": unit}, _number(content["allowance_days"])),
        (_("Reporté de l’année précédente (%(u)s)") % {"u": unit}, _number(content["carried_days"])),
        (_("Consommé avant le mois (%(u)s)") % {"u": unit}, _number(content["opening"])),
        (_("Consommé dans le mois (%(u)s)") % {"u": unit}, _number(content["month_amount"])),
        (_("Consommé depuis le début de l’année (%(u)s)") % {"u": unit}, _number(content["closing"])),
        (_("Reste (%(u)s)") % {"u": unit}, _number(content["remaining"])),
    ]


def acknowledgement_words(ack: dict[str, str] | None, sha256: str) -> str:
    if ack is None:
        return _("Relevé non encore pris en compte par l’acheteur. Empreinte SHA-256 actuelle : %(h)s") % {
            "h": sha256}
    return _("Pris en compte par %(who)s le %(at)s. Empreinte SHA-256 : %(h)s") % {
        "who": ack["by"], "at": ack["at"], "h": sha256}


def pdf(content: dict[str, Any], sha256: str, ack: dict[str, str] | None = None, *,
        compress: bool = True) -> bytes:
    buffer = BytesIO()
    title = _("Relevé mensuel du forfait de support — %(m)s") % {"m": content["month"]}
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
        topMargin=12 * mm, bottomMargin=12 * mm, author="Jalon", lang="fr-FR", title=title,
        pageCompression=1 if compress else 0)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=8,
                          leading=10)
    story: list[object] = [Paragraph(_safe(title), styles["Title"])]
    facts = Table([[Paragraph(f"<b>{_safe(k)}</b>", body), Paragraph(_safe(v), body)]
                   for k, v in summary(content)], colWidths=[80 * mm, 150 * mm])
    facts.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, "#cccccc")]))
    story += [facts, Spacer(1, 5 * mm)]
    data = [[Paragraph(f"<b>{_safe(h)}</b>", body) for h in header(content)]]
    for row in rows(content):
        row[2] = _french(str(row[2]))
        data.append([Paragraph(_safe(_number(v) if isinstance(v, float) else str(v)), body)
                     for v in row])
    if len(data) == 1:
        data.append([Paragraph(_safe(_("Aucune intervention imputée ce mois.")), body)] + [""] * 9)
    widths = [22, 50, 20, 30, 20, 46, 20, 18, 22, 18]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), "#e3e3fd"),
                               ("GRID", (0, 0), (-1, -1), 0.25, "#999999")]))
    story += [table, Spacer(1, 5 * mm),
              Paragraph(_safe(acknowledgement_words(ack, sha256)), body)]
    document.build(story)
    return buffer.getvalue()


def xlsx(content: dict[str, Any], sha256: str, ack: dict[str, str] | None = None) -> bytes:
    buffer = BytesIO()
    unit = unit_word(content)
    with XlsxWriter(buffer) as book:
        book.sheet(_("Interventions"), header(content), rows(content))
        numbers = [content["allowance_days"], content["carried_days"], content["opening"],
                   content["month_amount"], content["closing"], content["remaining"]]
        labels = [label for label, _value in summary(content)[3:]]
        book.sheet(_("Synthèse"), [_("Rubrique"), _("Valeur (%(u)s)") % {"u": unit}],
                   [[_("Marché"), content["contract_reference"]], [_("Mois"), content["month"]],
                    [_("Année du marché"), summary(content)[2][1]]]
                   + [[label, value] for label, value in zip(labels, numbers, strict=True)]
                   + [[_("Prise en compte"), acknowledgement_words(ack, sha256)]])
    return buffer.getvalue()


def render(fmt: str, content: dict[str, Any], sha256: str, ack: dict[str, str] | None = None) -> bytes:
    if fmt == "pdf":
        return pdf(content, sha256, ack)
    if fmt == "xlsx":
        return xlsx(content, sha256, ack)
    raise ValueError(f"unknown format {fmt!r}: pdf or xlsx")
