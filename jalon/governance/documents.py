"""The minutes (*relevé de décisions*, annex A.9) as documents: a tagged PDF/A-3a laid out from
``minutes.html.j2`` by the platform's one PDF renderer (:func:`jalon.documents.render.template_pdf`,
as the intervention report and the structured reports), with its title and language, and a DOCX
rendered with docxtpl from ``docx/minutes.docx`` — or from the contract's own template for
``minutes`` — by the documents app's one DOCX filler (:func:`jalon.documents.render.fill_docx`:
sandboxed, strict Jinja; a template can read the values given to it, never Python internals).

:data:`DOCX_USE` makes the minutes a kind of template a contract may replace on its reports page
(the documents app's upload, checked by a dry render with :func:`sample_context`, which gives
every variable :func:`context` gives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.documents.models import ReportTemplate
from jalon.documents.render import DocxUse, fill_docx, template_pdf
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


def sample_context() -> dict[str, Any]:
    """The dry render's minutes: every variable of :func:`context`, each list with a row."""
    return {
        "contract": "AQR-2026 — TMA AQUAREEL", "committee": "COPIL", "held_on": "16/03/2026 10:00",
        "status": "Tenue", "minutes_state": "Envoyé", "present": ["Sophie Martin", "Hugo Bernard"],
        "agenda": "1. Indicateurs\n2. Plan de progrès", "minutes": "Le COPIL valide le plan de progrès.",
        "decisions": [{"reference": "DEC-001", "title": "Plan de progrès validé", "subject": "Livrable PAQ-v1"}],
        "actions": [{"reference": "ACT-001", "title": "Mettre à jour le PAQ", "owner": "Hugo Bernard",
                     "due_on": "20/03/2026", "status": "Ouverte"}],
    }


DOCX_USE = DocxUse(
    id="minutes", label=_lazy("Relevé de décisions"), sample=sample_context,
    variables="contract, committee, held_on, status, minutes_state, present, agenda, minutes, "
              "decisions (reference, title, subject), actions (reference, title, owner, due_on, status)")
"""Registered by the app's ``ready()``: the minutes' template is replaceable per contract."""


def minutes_docx(meeting: Meeting) -> bytes:
    """From the contract's template for the minutes when it has one, the platform's otherwise;
    :class:`~jalon.documents.render.TemplateProblem` when a stored template cannot render them."""
    values = context(meeting)
    template = ReportTemplate.content_for(meeting.contract, DOCX_USE.id) or TEMPLATE.read_bytes()
    return fill_docx(template, values,
                     title=_("Relevé de décisions — %(c)s du %(d)s") % {"c": values["committee"],
                                                                       "d": values["held_on"]})


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
