"""The minutes (*relevé de décisions*, annex A.9) as documents: a tagged PDF/A-3a laid out from
``minutes.html.j2`` by the platform's one PDF renderer (:func:`jalon.documents.render.template_pdf`,
as the intervention report and the structured reports), with its title and language, and a DOCX
rendered with docxtpl from ``docx/minutes.docx`` in a sandboxed Jinja environment (a template can
read the values given to it, never Python internals)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from jalon.documents.render import template_pdf
from jalon.governance.models import Meeting

TEMPLATE = Path(__file__).with_name("docx") / "minutes.docx"
PDF_TEMPLATE = Path(__file__).with_name("minutes.html.j2")


def context(meeting: Meeting) -> dict[str, Any]:
    """What both documents show, as plain values."""
    zone = meeting.zone()
    return {
        "contract": f"{meeting.contract.reference} — {meeting.contract.name}",
        "committee": meeting.committee_label,
        "held_on": meeting.starts_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
        "status": str(meeting.get_status_display()),
        "minutes_state": str(meeting.get_minutes_state_display()),
        "present": list(meeting.present),
        "agenda": meeting.agenda,
        "minutes": meeting.minutes_text,
        "decisions": [{"reference": d.reference, "title": d.title,
                       "subject": f"{d.get_subject_kind_display()} {d.subject_ref}".strip() if d.subject_kind else ""}
                      for d in meeting.decisions.order_by("number")],
        "actions": [{"reference": a.reference, "title": a.title,
                     "owner": (a.owner.get_full_name() or a.owner.username) if a.owner else "—",
                     "due_on": a.due_on.strftime("%d/%m/%Y"), "status": str(a.get_status_display())}
                    for a in meeting.actions.select_related("owner").order_by("number")],
    }


def minutes_docx(meeting: Meeting) -> bytes:
    document = DocxTemplate(str(TEMPLATE))
    document.render(context(meeting), jinja_env=SandboxedEnvironment(autoescape=True))
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()] or ["—"]


def pdf_context(meeting: Meeting) -> dict[str, Any]:
    values = context(meeting)
    title = _("Relevé de décisions — %(c)s du %(d)s") % {"c": values["committee"], "d": values["held_on"]}
    return {**values, "title": title, "lang": (get_language() or "fr").split("-")[0],
            "agenda_lines": _lines(values["agenda"]), "minutes_lines": _lines(values["minutes"]),
            "labels": {"state": _("État du relevé :"), "present": _("Présents"),
                       "agenda": _("Ordre du jour"), "minutes": _("Relevé"), "decisions": _("Décisions"),
                       "decisions_caption": _("Les décisions de la réunion"), "reference": _("Référence"),
                       "decision": _("Décision"), "subject": _("Objet"), "actions": _("Actions"),
                       "actions_caption": _("Les actions décidées, leur porteur et leur échéance"),
                       "action": _("Action"), "owner": _("Porteur"), "due_on": _("Échéance"),
                       "status": _("État")}}


def minutes_pdf(meeting: Meeting, *, compress: bool = True) -> bytes:
    """The minutes as a tagged PDF/A-3a (the platform's one PDF renderer)."""
    return template_pdf(PDF_TEMPLATE, pdf_context(meeting), compress=compress)
