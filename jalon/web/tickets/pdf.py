"""The intervention report as a PDF (seed 000 §7.3.3, annex A.3).

What the holder wrote (context, diagnosis, tests, solution, status, recommendations) with what
the ticket holds: the parties (buyer, holder, requester, assignee), each contractual delay (its
target, the business time elapsed, met or not), the pauses (the waits and their reasons), the
time spent, and a signature block for each party of the contract. It is laid out by the
platform's one PDF renderer (:func:`jalon.documents.render.template_pdf`) from the HTML template
beside this module, as a tagged PDF/A-3a file whose language and title screen readers announce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jalon.documents.render import template_pdf
from jalon.tickets.events import EventKind
from jalon.tickets.models import InterventionReport, Ticket, TicketState
from jalon.tickets.workflow import WaitReason
from jalon.web.rules import Rules
from jalon.web.tickets import clockview

TEMPLATE = Path(__file__).with_name("intervention_report.html.j2")


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def _when(instant: datetime | None) -> str:
    return date_format(localtime(instant), "DATETIME_FORMAT") if instant else "—"


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


def _duration(minutes: int) -> str:
    """``2 h 05 min``; a reversal's negative minutes with a minus sign."""
    text = clockview.duration_text(abs(minutes) * 60)
    return f"−{text}" if minutes < 0 else text


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()] or ["—"]


def report_facts(ticket: Ticket, report: InterventionReport, type_label: str) -> list[Fact]:
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
        Fact(_("Clos le"), _when(ticket.closed_at)),
        Fact(_("Rédigé par"), f"{_name(report.author)}, {_when(report.updated_at)}"),
    ]


def report_parties(ticket: Ticket) -> list[Fact]:
    """Who the report concerns: the contract's two parties, the requester, the assignee."""
    assignee = _name(ticket.assignee) if ticket.assignee_id else "—"
    if ticket.assigned_group:
        assignee = f"{assignee} ({ticket.assigned_group})"
    return [
        Fact(_("Acheteur"), ticket.contract.buyer.name),
        Fact(_("Titulaire"), ticket.contract.holder.name),
        Fact(_("Demandeur"), _name(ticket.requester)),
        Fact(_("Intervenant"), assignee),
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


def report_clocks(ticket: Ticket, rules: Rules, now: datetime) -> list[dict[str, str]]:
    """Each contractual delay: its target and the business time elapsed on its calendar (up to
    ``now`` for one still running), when it stopped or falls due, and whether it was met."""
    rows = []
    for clock in ticket.clocks.all():
        view = clockview.view_of(clock, now, rules.calendar(clock.calendar_name))
        elapsed = clock.elapsed_seconds
        if clock.stopped_at is None and view.remaining_seconds is not None:
            elapsed = clock.target_seconds - view.remaining_seconds
        if clock.stopped_at is not None:
            due = _("arrêté le %(d)s") % {"d": _when(clock.stopped_at)}
        elif clock.due_at is not None:
            due = _("échéance le %(d)s") % {"d": _when(clock.due_at)}
        else:
            due = "—"
        tone = {clockview.Status.MET: "met", clockview.Status.LATE: "late",
                clockview.Status.BREACHED: "late"}.get(view.status, "")
        rows.append({"label": view.label, "target": clockview.duration_text(clock.target_seconds),
                     "elapsed": clockview.duration_text(max(elapsed, 0)), "due": due,
                     "outcome": view.status.label, "tone": tone})
    return rows


def report_pauses(ticket: Ticket, now: datetime) -> list[dict[str, str]]:
    """The ticket's waits, from its history: from the wait to the step that ended it (still
    running: "en cours"), with the reason given."""
    reasons = dict(WaitReason.choices)
    pauses: list[dict[str, Any]] = []
    for event in ticket.events.filter(internal=False).order_by("at", "pk"):
        if event.kind == EventKind.WAITING:
            payload = event.payload
            reason = str(reasons.get(payload.get("reason") or WaitReason.REQUESTER, ""))
            if payload.get("note"):
                reason = f"{reason} — {payload['note']}"
            pauses.append({"start": event.at, "end": None, "reason": reason})
        elif pauses and pauses[-1]["end"] is None and event.state_from == TicketState.WAITING \
                and event.state_to and event.state_to != TicketState.WAITING:
            pauses[-1]["end"] = event.at
    return [{"start": _when(p["start"]),
             "end": _when(p["end"]) if p["end"] else _("en cours"),
             "reason": p["reason"],
             "duration": clockview.duration_text(int(((p["end"] or now) - p["start"]).total_seconds()))}
            for p in pauses]


def report_time(ticket: Ticket) -> tuple[list[dict[str, str]], str]:
    """The time entries (corrections included, a reversal negative) and their total."""
    entries = list(ticket.time_entries.select_related("person").order_by("spent_on", "pk"))
    rows = [{"day": date_format(e.spent_on, "DATE_FORMAT"), "person": _name(e.person),
             "note": e.note or (e.get_kind_display() if e.kind != e.Kind.ENTRY else "—"),
             "duration": _duration(e.minutes)} for e in entries]
    return rows, _duration(sum(e.minutes for e in entries))


def report_signatures(ticket: Ticket) -> list[dict[str, str]]:
    """A block per signatory of ``JALON_REPORT_SIGNATORIES`` (D-125), in its order."""
    contract = ticket.contract
    titles = {
        "holder": _("Pour le titulaire — %(org)s") % {"org": contract.holder.name},
        "requester": _("Pour le service utilisateur — %(name)s") % {"name": _name(ticket.requester)},
        "buyer": _("Pour l’acheteur — %(org)s") % {"org": contract.buyer.name},
    }
    return [{"title": titles[who]} for who in settings.JALON_REPORT_SIGNATORIES]


def report_context(ticket: Ticket, report: InterventionReport, rules: Rules,
                   now: datetime) -> dict[str, Any]:
    title = _("Rapport d’intervention %(ref)s") % {"ref": ticket.reference}
    time_entries, time_total = report_time(ticket)
    contract = ticket.contract
    return {
        "lang": (get_language() or "fr").split("-")[0],
        "title": title, "subtitle": ticket.title, "author": _name(report.author),
        "description": f"{contract.reference} — {ticket.reference} — {ticket.title}",
        "facts": report_facts(ticket, report, rules.type_label(ticket.type)),
        "parties": report_parties(ticket),
        "sections": [{"title": t, "lines": _lines(text)} for t, text in report_sections(report)],
        "clocks": report_clocks(ticket, rules, now),
        "pauses": report_pauses(ticket, now),
        "time_entries": time_entries, "time_total": time_total,
        "signatures": report_signatures(ticket),
        "labels": {
            "facts": _("L’intervention"), "parties": _("Parties"),
            "parties_caption": _("Les parties de l’intervention"), "role": _("Rôle"),
            "name": _("Nom"), "delays": _("Délais contractuels"),
            "delays_caption": _("Chaque délai : cible, temps ouvré écoulé et résultat"),
            "delay": _("Délai"), "target": _("Cible"), "elapsed": _("Écoulé"),
            "due": _("Échéance ou arrêt"), "outcome": _("Résultat"),
            "delays_note": _("Durées en temps ouvré, selon les horaires et les jours fériés du "
                             "calendrier de chaque délai, pauses déduites ; état au %(now)s.")
            % {"now": _when(now)},
            "no_delay": _("Aucun délai contractuel ne s’applique à ce ticket."),
            "pauses": _("Pauses"), "pauses_caption": _("Les mises en attente et leur motif"),
            "from": _("Du"), "to": _("Au"), "reason": _("Motif"), "duration": _("Durée"),
            "no_pause": _("Aucune mise en attente."),
            "time": _("Temps passé"), "time_caption": _("Les saisies de temps passé"),
            "day": _("Date"), "person": _("Intervenant"), "entry_note": _("Note"),
            "total": _("Total"), "no_time": _("Aucun temps passé saisi."),
            "signatures": _("Signatures"), "signer": _("Nom et qualité du signataire"),
            "signed_on": _("Date"), "signature": _("Signature"),
        },
    }


def intervention_report_pdf(ticket: Ticket, report: InterventionReport, rules: Rules, *,
                            now: datetime | None = None, compress: bool = True) -> bytes:
    """The report as PDF bytes, as the ticket stands at ``now`` (default: now);
    ``compress=False`` leaves the file's objects readable."""
    context = report_context(ticket, report, rules, now or timezone.now())
    return template_pdf(TEMPLATE, context, compress=compress)
