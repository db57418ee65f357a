"""The forms of the deliverables pages: one per step of the workflow table, and the creation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.workflow import StepInput
from jalon.deliverables.models import Deliverable
from jalon.deliverables.workflow import AcceptInput, LiftInput, RejectInput, ReserveInput, SubmitInput

SHORT = forms.Textarea(attrs={"rows": 2})


class SubmitForm(forms.Form):
    file = forms.FileField(label=_lazy("Fichier de la version"))
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=2000, widget=SHORT)


class AcceptForm(forms.Form):
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=2000, widget=SHORT)


class ReserveForm(forms.Form):
    reservations = forms.CharField(label=_lazy("Réserves"), help_text=_lazy("Une réserve par ligne."),
                                   max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    lift_by = forms.DateField(label=_lazy("À lever avant le"), required=False,
                              help_text=_lazy("Le délai de levée du type de livrable par défaut."),
                              widget=forms.DateInput(attrs={"type": "date"}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_lazy("Motif du refus"), max_length=2000, widget=SHORT)


class LiftForm(forms.Form):
    number = forms.TypedChoiceField(label=_lazy("Réserve levée"), coerce=int)
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=2000, widget=SHORT)

    def __init__(self, *args: Any, deliverable: Deliverable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["number"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(r.number, f"R{r.number} — {r.text[:80]}")
                         for r in deliverable.reservations.filter(lifted_at__isnull=True)]


FORMS: dict[type[StepInput], type[forms.Form]] = {
    SubmitInput: SubmitForm, AcceptInput: AcceptForm, ReserveInput: ReserveForm,
    RejectInput: RejectForm, LiftInput: LiftForm,
}


def form_for(kind: type[StepInput], deliverable: Deliverable, data: Any = None, files: Any = None,
             prefix: str = "") -> forms.Form:
    form_class = FORMS[kind]
    if form_class is LiftForm:
        return LiftForm(data, files, deliverable=deliverable, prefix=prefix or None)
    return form_class(data, files, prefix=prefix or None)


class CreateForm(forms.Form):
    type = forms.ChoiceField(label=_lazy("Type"))
    title = forms.CharField(label=_lazy("Intitulé"), max_length=200)
    due_on = forms.DateField(label=_lazy("Échéance"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = types
