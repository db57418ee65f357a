"""The order pages' forms: one per workflow step, generated from the step's input, and the
creation form with its lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.workflow import Described, Text, input_fields
from jalon.orders.models import WorkUnit
from jalon.orders.workflow import Step

LABELS = {
    "note": _lazy("Note"), "execution_days": _lazy("Délai d’exécution (jours ouvrés)"),
    "commitment_number": _lazy("Numéro d’engagement juridique"), "file": _lazy("Livrable"),
    "amount": _lazy("Montant de la réfaction HT (€)"), "reason": _lazy("Motif"),
    "new_deadline": _lazy("Nouvelle échéance"),
}


def step_form(taken: Step) -> type[forms.Form]:
    """A form of the step's input fields, as the API's schema reads them."""
    fields: dict[str, forms.Field] = {}
    for field in input_fields(taken.input):
        meaning, label = field.meaning, LABELS.get(field.name, field.name)
        help_text = getattr(meaning, "description", "")
        made: forms.Field
        if field.type is UploadedFile:
            made = forms.FileField(label=label)
        elif field.type is int:
            made = forms.IntegerField(label=label, required=field.required, help_text=help_text,
                                      min_value=getattr(meaning, "minimum", None),
                                      max_value=getattr(meaning, "maximum", None))
        elif field.type is Decimal:
            made = forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
        elif field.type is date:
            made = forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))
        else:
            length = meaning.max_length if isinstance(meaning, Text) else 2000
            made = forms.CharField(label=label, required=field.required, max_length=length,
                                   widget=forms.Textarea(attrs={"rows": 3}) if length > 200 else None)
        if not field.required and field.default not in (None, "") and not isinstance(meaning, Described | None):
            made.initial = field.default
        fields[field.name] = made
    return type(f"{taken.name.title()}Form", (forms.Form,), fields)


LINES = 6


class OrderCreateForm(forms.Form):
    title = forms.CharField(label=_lazy("Objet"), max_length=200)
    description = forms.CharField(label=_lazy("Expression du besoin"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, units: list[WorkUnit], audits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if audits:
            self.fields["audit"] = forms.ChoiceField(
                label=_lazy("Audit préalable"), required=False, choices=[("", "—"), *audits],
                help_text=_lazy("Pour une installation haute disponibilité : due 4 semaines après la "
                                "commande ou après l’audit, s’il est réalisé plus tard."))
        choices = [("", "—")] + [(u.code, f"{u.code} — {u.label} ({u.unit_price} € HT / {u.unit})") for u in units]
        for i in range(1, LINES + 1):
            self.fields[f"unit_{i}"] = forms.ChoiceField(label=_lazy("Unité d’œuvre, ligne %(n)s") % {"n": i},
                                                         choices=choices, required=i == 1)
            self.fields[f"quantity_{i}"] = forms.DecimalField(
                label=_lazy("Quantité, ligne %(n)s") % {"n": i}, required=i == 1, max_digits=10,
                decimal_places=2, min_value=Decimal("0.01"))

    def lines(self) -> list[tuple[str, Decimal]]:
        found = []
        for i in range(1, LINES + 1):
            code, quantity = self.cleaned_data.get(f"unit_{i}"), self.cleaned_data.get(f"quantity_{i}")
            if code and quantity:
                found.append((code, quantity))
            elif code or quantity:
                self.add_error(f"quantity_{i}" if code else f"unit_{i}",
                               _lazy("Une ligne a une unité d’œuvre et une quantité."))
        return found
