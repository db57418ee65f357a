"""The minutes (*relevé de décisions*, annex A.9) as documents: a PDF drawn with reportlab (the
library of the intervention report), tagged with its title and language, and a DOCX rendered
with docxtpl from ``docx/minutes.docx`` in a sandboxed Jinja environment (a template can read
the values given to it, never Python internals)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from jalon.governance.models import Meeting

TEMPLATE = Path(__file__).with_name("docx") / "minutes.docx"


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


def _safe(text: str) -> str:
    encoded = text.encode("cp1252", errors="replace").decode("cp1252")
    return escape(encoded).replace("\n", "<br/>")


def minutes_pdf(meeting: Meeting) -> bytes:
    values = context(meeting)
    styles = getSampleStyleSheet()
    title = _("Relevé de décisions — %(c)s du %(d)s") % {"c": values["committee"], "d": values["held_on"]}
    out = BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=title, author=values["contract"], lang="fr-FR",
                                 leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    story: list[Any] = [Paragraph(_safe(title), styles["Title"]),
                        Paragraph(_safe(values["contract"]), styles["Normal"]),
                        Paragraph(_safe(_("État du relevé : %(s)s") % {"s": values["minutes_state"]}),
                                  styles["Normal"]),
                        Spacer(1, 4 * mm)]
    sections = [
        (_("Présents"), ", ".join(values["present"]) or "—"),
        (_("Ordre du jour"), values["agenda"] or "—"),
        (_("Relevé"), values["minutes"] or "—"),
        (_("Décisions"), "\n".join(f"{d['reference']} — {d['title']}" + (f" ({d['subject']})" if d["subject"] else "")
                                   for d in values["decisions"]) or "—"),
        (_("Actions"), "\n".join(f"{a['reference']} — {a['title']} — {a['owner']} — {a['due_on']} — {a['status']}"
                                 for a in values["actions"]) or "—"),
    ]
    for heading, text in sections:
        story += [Paragraph(_safe(heading), styles["Heading2"]), Paragraph(_safe(text), styles["Normal"])]
    document.build(story)
    return out.getvalue()
