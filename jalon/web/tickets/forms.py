"""The forms of the ticket pages. They check shapes; the domain methods check the rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jalon.tickets.models import (
    Channel,
    Criticality,
    InterventionReport,
    Proposal,
    ResolutionKind,
    SupportLevel,
    Ticket,
    WaitReason,
)
from jalon.web.rules import Rules

BLANK = [("", _("— Choisir —"))]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE_INPUT = "%Y-%m-%d"
"""What ``<input type=date>`` reads and writes (ISO), whatever the language: the browser shows it
in the user's format and rejects anything else (``04/12/2026``)."""
"""What ``<input type=datetime-local>`` reads and writes, whatever the language."""


def choose(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class RulesForm(forms.Form):
    """A form whose choices come from the contract's convention."""

    def __init__(self, *args: Any, rules: Rules, ticket: Ticket | None = None,
                 members: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules, self.ticket = rules, ticket
        self.setup(rules, ticket, members or [])

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        """Fill choices (and initial values) from the convention."""


class TicketCreateForm(RulesForm):
    """The declaration; ``members`` (given to level 1 and the buyer manager only) adds the
    choice of the requester on whose behalf it is declared."""

    requester = forms.ChoiceField(label=_("Demandeur"), required=False,
                                  help_text=_("Pour déclarer au nom d’un membre du marché "
                                              "(demande reçue par téléphone ou par courriel)."))
    channel = forms.ChoiceField(
        label=_("Canal"), required=False,
        choices=[("", _("— Portail, ou téléphone si un appel est tracé —")), *Channel.choices],
        help_text=_("Par où la demande est arrivée : un appel, un courriel, la supervision, le SOC."))
    type = forms.ChoiceField(label=_("Type de demande"))
    title = forms.CharField(label=_("Objet"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    urgency = forms.ChoiceField(label=_("Urgence"), required=False)
    impact = forms.ChoiceField(label=_("Impact"), required=False)
    site = forms.CharField(label=_("Site"), max_length=120, required=False)
    lot = forms.ChoiceField(label=_("Lot"), required=False)
    is_urgent = forms.BooleanField(label=_("Demande urgente (canal ticket + appel téléphonique)"),
                                   required=False)
    phone_call_at = forms.DateTimeField(
        label=_("Appel téléphonique passé le"), required=False,
        # the value a datetime-local input accepts (never the localized 04/12/2026 10:00)
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Pour une urgence, l’appel est tracé avec le ticket : l’heure est pré-remplie "
                    "quand la demande devient urgente."))

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        choose(self, "type", [*BLANK, *rules.types])
        self.urgent_types = rules.urgent_types
        if self.urgent_types:
            labels = ", ".join(f"« {rules.type_label(t)} »" for t in self.urgent_types)
            self.fields["is_urgent"].help_text = _(
                "Une demande de type %(types)s est toujours urgente.") % {"types": labels}
            self.fields["type"].widget.attrs["data-urgent-types"] = " ".join(self.urgent_types)
        if not self.is_bound and self.initial.get("type") in self.urgent_types:
            # an urgent declaration (``?type=urgente``): the call is being made now
            self.initial.update(is_urgent=True, phone_call_at=timezone.localtime().replace(second=0, microsecond=0))
        choose(self, "urgency", [*BLANK, *_choices(rules.urgencies)])
        choose(self, "impact", [*BLANK, *_choices(rules.impacts)])
        choose(self, "lot", [*BLANK, *_choices(rules.lots)])
        if members:
            choose(self, "requester", [("", _("— Moi-même —")), *members])
        else:  # those who only declare for themselves do it on the portal
            del self.fields["requester"], self.fields["channel"]
        if not rules.urgencies:
            del self.fields["urgency"], self.fields["impact"]
        if not rules.lots:
            del self.fields["lot"]

    def clean_requester(self) -> Any:
        value = self.cleaned_data.get("requester")
        return get_user_model().objects.filter(pk=value).first() if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["is_urgent"] = bool(data.get("is_urgent")) or data.get("type") in self.urgent_types
        if data.get("phone_call_at") and not data.get("is_urgent"):
            self.add_error("is_urgent", _("Un appel téléphonique n’est tracé que pour une "
                                          "demande urgente."))
        return data


class QualifyForm(RulesForm):
    type = forms.ChoiceField(label=_("Type"))
    urgency = forms.ChoiceField(label=_("Urgence"))
    impact = forms.ChoiceField(label=_("Impact"))
    priority = forms.ChoiceField(label=_("Priorité"))
    criticality = forms.ChoiceField(label=_("Criticité"), choices=[*BLANK, *Criticality.choices])

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        choose(self, "type", rules.types)
        if rules.urgencies:
            # The priority follows from urgency × impact (the matrix of the convention).
            choose(self, "urgency", [*BLANK, *_choices(rules.urgencies)])
            choose(self, "impact", [*BLANK, *_choices(rules.impacts)])
            del self.fields["priority"]
        else:
            del self.fields["urgency"], self.fields["impact"]
            choose(self, "priority", [*BLANK, *rules.priorities])
        if ticket is not None:
            self.initial.update({name: getattr(ticket, name) for name in self.fields})


class AssignForm(RulesForm):
    group = forms.CharField(label=_("Groupe"), max_length=120, required=False)
    person = forms.ChoiceField(label=_("Intervenant"), required=False)

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        choose(self, "person", [("", _("— Aucun —")), *members])
        if ticket is not None:
            self.initial["group"] = ticket.assigned_group

    def clean_person(self) -> Any:
        value = self.cleaned_data.get("person")
        return get_user_model().objects.filter(pk=value).first() if value else None


class EscalateForm(AssignForm):
    level = forms.ChoiceField(label=_("Niveau"), choices=SupportLevel.choices)
    field_order = ("level", "group", "person")

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        super().setup(rules, ticket, members)
        if ticket is not None:
            choose(self, "level", [c for c in SupportLevel.choices if c[0] > ticket.level])


class NoteForm(RulesForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False, max_length=2000)


class WaitForm(NoteForm):
    reason = forms.ChoiceField(label=_("Motif"), choices=WaitReason.choices)
    field_order = ("reason", "note")


class ResolveForm(NoteForm):
    kind = forms.ChoiceField(label=_("Nature de la résolution"), choices=ResolutionKind.choices,
                             widget=forms.RadioSelect)
    field_order = ("kind", "note")


class DeliverFixForm(RulesForm):
    note = forms.CharField(label=_("Correction livrée"), max_length=2000,
                           help_text=_("Version, bon de commande, procédure : ce qui remplace le "
                                       "contournement."),
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(RulesForm):
    reason = forms.CharField(label=_("Motif de la réouverture"),
                             widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ConfirmForm(NoteForm):
    lead_time_days = forms.IntegerField(label=_("Délai de réalisation proposé (jours ouvrés)"),
                                        min_value=1, max_value=365)
    field_order = ("lead_time_days", "note")


class DiagnosisForm(RulesForm):
    diagnosis = forms.CharField(label=_("Diagnostic et cause"), widget=forms.Textarea(attrs={"rows": 3}),
                                max_length=20000)
    impact = forms.CharField(label=_("Impact constaté"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)
    criticality = forms.ChoiceField(label=_("Criticité évaluée par le titulaire"),
                                    choices=[*BLANK, *Criticality.choices],
                                    help_text=_("La criticité du ticket reste celle que fixe l’acheteur."))
    estimate = forms.CharField(label=_("Charge estimée"), max_length=200,
                               help_text=_("Par exemple « 3 jours »."))
    proposal = forms.ChoiceField(label=_("Proposition"), choices=Proposal.choices, widget=forms.RadioSelect)


class InformForm(RulesForm):
    message = forms.CharField(label=_("Point de suivi partagé avec l’acheteur"),
                              help_text=_("Situation, actions en cours, prochaine étape."),
                              widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CancelForm(RulesForm):
    reason = forms.CharField(label=_("Motif de l’annulation"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class CommentForm(RulesForm):
    body = forms.CharField(label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Commentaire interne (invisible pour le demandeur)"),
                                  required=False)


class AttachmentForm(RulesForm):
    file = forms.FileField(label=_("Fichier"))
    internal = forms.BooleanField(label=_("Pièce jointe interne (invisible pour le demandeur)"),
                                  required=False)


class TimeForm(RulesForm):
    """Time spent, in hours, minutes or days of the contract (the support package's day, or its
    calendars' business day), on a day of the ticket's life."""

    entered_as = frozenset({"amount", "unit"})
    """How the step's ``minutes`` is entered (``clean`` gives it)."""

    amount = forms.DecimalField(label=_("Temps passé"), min_value=Decimal("0.01"), max_digits=7,
                                decimal_places=2, widget=forms.NumberInput(attrs={"step": "any"}))
    unit = forms.ChoiceField(label=_("Unité"), initial="h")
    spent_on = forms.DateField(label=_("Date"),
                               widget=forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT))
    charged_to_forfait = forms.BooleanField(label=_("Imputé au forfait de support"),
                                            required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        zone = ZoneInfo(rules.convention.contract.tz)
        today = timezone.now().astimezone(zone).date()
        self.initial["spent_on"] = today
        attrs = self.fields["spent_on"].widget.attrs
        attrs["max"] = today.isoformat()
        if ticket is not None:
            attrs["min"] = ticket.opened_at.astimezone(zone).date().isoformat()
        self.day_minutes = rules.day_minutes
        units: list[tuple[str, Any]] = [("h", _("heures")), ("min", _("minutes"))]
        if self.day_minutes:
            units.append(("d", _("jours (de %(h)s h)") % {"h": f"{self.day_minutes / 60:g}"}))
        choose(self, "unit", units)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, unit = data.get("amount"), data.get("unit")
        if amount is None or not unit:
            return data
        per_unit = {"h": 60, "min": 1, "d": self.day_minutes or 0}[unit]
        minutes = int((amount * per_unit).to_integral_value(rounding=ROUND_HALF_UP))
        if minutes < 1:
            self.add_error("amount", _("Moins d’une minute : saisissez au moins une minute."))
        else:
            data["minutes"] = minutes
        return data


class PhoneCallForm(RulesForm):
    called_at = forms.DateTimeField(label=_("Appel passé le"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format=DATETIME_LOCAL))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    # its range is checked by the domain (jalon.contracts.instants), the same for the API


class ReportForm(RulesForm):
    context = forms.CharField(label=_("Contexte"), widget=forms.Textarea(attrs={"rows": 3}))
    diagnosis = forms.CharField(label=_("Diagnostic et cause racine"),
                                widget=forms.Textarea(attrs={"rows": 3}))
    tests = forms.CharField(label=_("Tests réalisés"), widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(label=_("Solution mise en œuvre"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Statut"), choices=ResolutionKind.choices,
                               widget=forms.RadioSelect)
    recommendations = forms.CharField(label=_("Recommandations"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def setup(self, rules: Rules, ticket: Ticket | None, members: list[tuple[str, str]]) -> None:
        report = report_of(ticket) if ticket else None
        if report is not None:
            self.initial.update(report.as_payload())


def report_of(ticket: Ticket) -> InterventionReport | None:
    try:
        return ticket.intervention_report
    except InterventionReport.DoesNotExist:
        return None


class EmptyForm(RulesForm):
    """An action with no field (start the work)."""
