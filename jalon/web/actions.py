"""The actions of the ticket page: one form, one need, one domain method each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts.access import Need
from jalon.tickets.models import ACTIVE_STATES, Ticket, TicketState
from jalon.web import forms as f

S = TicketState
ANY_STATE: tuple[TicketState, ...] = tuple(TicketState)

Perform = Callable[[Ticket, Any, dict[str, Any]], str]


@dataclass(frozen=True)
class Action:
    slug: str
    title: Any
    need: Need
    form: type[f.RulesForm]
    states: tuple[TicketState, ...]
    perform: Perform
    multipart: bool = False


def _qualify(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.qualify(user, type=d["type"], urgency=d.get("urgency", ""), impact=d.get("impact", ""),
              priority=d.get("priority", ""), criticality=d["criticality"])
    return _("Ticket qualifié : priorité %(p)s.") % {"p": t.priority or "—"}


def _assign(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.assign(user, group=d["group"], person=d["person"])
    return _("Ticket affecté.")


def _escalate(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.escalate(user, level=d["level"], group=d["group"], person=d["person"])
    return _("Ticket escaladé au niveau %(level)s.") % {"level": t.level}


def _start(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.start_work(user)
    return _("Traitement commencé.")


def _wait(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.wait(user, d["reason"], d["note"])
    return _("Ticket mis en attente : le délai est suspendu.")


def _resume(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.resume(user, d["note"])
    return _("Traitement repris.")


def _resolve(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.resolve(user, d["kind"], d["note"])
    return _("Ticket résolu.")


def _close(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.close(user, d["note"])
    return _("Ticket clos.")


def _reopen(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.reopen(user, d["reason"])
    return _("Ticket rouvert.")


def _comment(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.add_comment(user, d["body"], internal=d.get("internal", False))
    return _("Commentaire interne ajouté.") if d.get("internal") else _("Commentaire ajouté.")


def _attach(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    attachment = t.add_attachment(user, d["file"], internal=d.get("internal", False))
    return _("Pièce jointe « %(name)s » déposée.") % {"name": attachment.original_name}


def _log_time(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.log_time(user, minutes=d["minutes"], spent_on=d["spent_on"], note=d["note"],
               charged_to_forfait=d["charged_to_forfait"])
    return _("Temps passé enregistré : %(m)d min.") % {"m": d["minutes"]}


def _phone_call(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.log_phone_call(user, d["called_at"], d["note"])
    return _("Appel téléphonique tracé.")


def _report(t: Ticket, user: Any, d: dict[str, Any]) -> str:
    t.write_intervention_report(user, **{k: d[k] for k in (
        "context", "diagnosis", "tests", "solution", "status", "recommendations")})
    return _("Rapport d’intervention enregistré.")


ACTIONS: dict[str, Action] = {a.slug: a for a in (
    Action("qualifier", _lazy("Qualifier"), Need.QUALIFY, f.QualifyForm,
           (S.NEW, *ACTIVE_STATES), _qualify),
    Action("affecter", _lazy("Affecter"), Need.ASSIGN, f.AssignForm, ACTIVE_STATES, _assign),
    Action("escalader", _lazy("Escalader"), Need.ESCALATE, f.EscalateForm,
           (S.ASSIGNED, S.IN_PROGRESS, S.WAITING), _escalate),
    Action("demarrer", _lazy("Commencer le traitement"), Need.WORK, f.EmptyForm,
           (S.ASSIGNED,), _start),
    Action("attente", _lazy("Mettre en attente"), Need.WORK, f.WaitForm,
           (S.ASSIGNED, S.IN_PROGRESS), _wait),
    Action("reprise", _lazy("Reprendre le traitement"), Need.WORK, f.NoteForm,
           (S.WAITING,), _resume),
    Action("resoudre", _lazy("Résoudre"), Need.RESOLVE, f.ResolveForm, ACTIVE_STATES, _resolve),
    Action("clore", _lazy("Clore"), Need.CLOSE, f.NoteForm, (S.RESOLVED,), _close),
    Action("rouvrir", _lazy("Rouvrir"), Need.REOPEN, f.ReopenForm,
           (S.RESOLVED, S.CLOSED), _reopen),
    Action("commenter", _lazy("Commenter"), Need.COMMENT, f.CommentForm, ANY_STATE, _comment),
    Action("joindre", _lazy("Joindre un fichier"), Need.COMMENT, f.AttachmentForm, ANY_STATE,
           _attach, multipart=True),
    Action("temps", _lazy("Saisir du temps passé"), Need.LOG_TIME, f.TimeForm, ANY_STATE,
           _log_time),
    Action("appel", _lazy("Tracer un appel téléphonique"), Need.OPEN, f.PhoneCallForm,
           ANY_STATE, _phone_call),
    Action("rapport", _lazy("Rapport d’intervention"), Need.WRITE_REPORT, f.ReportForm,
           ANY_STATE, _report),
)}

# Transitions are shown as one group of buttons; records (comment, file, time…) below.
TRANSITIONS = ("qualifier", "affecter", "escalader", "demarrer", "attente", "reprise",
               "resoudre", "clore", "rouvrir")
RECORDS = ("commenter", "joindre", "temps", "appel", "rapport")
