"""The actions of the ticket page, generated from the workflow table
(:data:`jalon.tickets.workflow.STEPS`): each step gets a form and a message; who may take it,
from which states, and what it does are the table's."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jalon.accounts.access import Need
from jalon.commitments.workflow import StepInput, input_fields
from jalon.tickets.models import Ticket
from jalon.tickets.workflow import STEPS, Step
from jalon.web.tickets import forms as f

Done = Callable[[Ticket, Any, Any], str]
"""The message after a step: (ticket, its input, what the domain method returned) → text."""

FORMS: dict[str, type[f.RulesForm]] = {
    "qualify": f.QualifyForm, "assign": f.AssignForm, "escalate": f.EscalateForm,
    "start": f.EmptyForm, "confirm": f.ConfirmForm, "diagnose": f.DiagnosisForm,
    "wait": f.WaitForm, "resume": f.NoteForm, "resolve": f.ResolveForm,
    "close": f.NoteForm, "reopen": f.ReopenForm, "cancel": f.CancelForm, "comment": f.CommentForm,
    "attach": f.AttachmentForm, "log_time": f.TimeForm, "phone_call": f.PhoneCallForm,
    "write_report": f.ReportForm, "inform": f.InformForm, "deliver_fix": f.DeliverFixForm,
}

DONE: dict[str, Done] = {
    "qualify": lambda t, given, result: _("Ticket qualifié : priorité %(p)s.") % {"p": t.priority or "—"},
    "assign": lambda t, given, result: _("Ticket affecté."),
    "escalate": lambda t, given, result: _("Ticket escaladé au niveau %(level)s.") % {"level": t.level},
    "start": lambda t, given, result: _("Traitement commencé."),
    "confirm": lambda t, given, result: (_("Faisabilité confirmée : réalisation en %(n)d jours ouvrés.")
                                         % {"n": given.lead_time_days}),
    "diagnose": lambda t, given, result: _("Diagnostic rendu."),
    "wait": lambda t, given, result: _("Ticket mis en attente."),
    "resume": lambda t, given, result: _("Traitement repris."),
    "resolve": lambda t, given, result: _("Ticket résolu."),
    "close": lambda t, given, result: _("Ticket clos."),
    "reopen": lambda t, given, result: _("Ticket rouvert."),
    "cancel": lambda t, given, result: _("Ticket annulé."),
    "comment": lambda t, given, result: (_("Commentaire interne ajouté.") if given.internal
                                         else _("Commentaire ajouté.")),
    "attach": lambda t, given, result: (_("Pièce jointe « %(name)s » déposée.")
                                        % {"name": result.original_name}),
    "log_time": lambda t, given, result: _("Temps passé enregistré : %(m)d min.") % {"m": given.minutes},
    "phone_call": lambda t, given, result: _("Appel téléphonique tracé."),
    "write_report": lambda t, given, result: _("Rapport d’intervention enregistré."),
    "inform": lambda t, given, result: _("Point de suivi partagé avec l’acheteur."),
    "deliver_fix": lambda t, given, result: _("Correction définitive livrée : le suivi du "
                                              "contournement est terminé."),
}


@dataclass(frozen=True)
class Action:
    """A step of the workflow as the ticket page offers it."""

    step: Step
    form: type[f.RulesForm]
    done: Done

    @property
    def slug(self) -> str:
        return self.step.slug

    @property
    def title(self) -> str | Promise:
        return self.step.label

    @property
    def need(self) -> Need:
        return self.step.need

    @property
    def multipart(self) -> bool:
        return any(field.type is UploadedFile for field in input_fields(self.step.input))

    def perform(self, ticket: Ticket, user: User, data: dict[str, Any]) -> str:
        """Take the step with the form's cleaned ``data``; the message to show."""
        given = input_of(self.step, data)
        return self.done(ticket, given, self.step.run(ticket, user, given))


def input_of(step: Step, data: dict[str, Any]) -> StepInput:
    """The step's typed input from a form's cleaned data (fields the form left out keep their
    default: a requester's comment form has no "internal" box)."""
    names = {field.name for field in dataclasses.fields(step.input)}
    return step.input(**{name: value for name, value in data.items() if name in names})


ACTIONS: dict[str, Action] = {s.slug: Action(s, FORMS[s.name], DONE[s.name]) for s in STEPS.values()}
"""By path segment, in the table's order."""
TRANSITIONS = tuple(s.slug for s in STEPS.values() if s.moves)
"""Shown as one group of buttons; the records (comment, file, time…) below."""
RECORDS = tuple(s.slug for s in STEPS.values() if not s.moves)
