"""A structured report entered on a page: one form per kind, built from the kind's fields
(:mod:`jalon.documents.kinds`). Texts are text areas; the audit's seven domains one text area
each; a list (findings, corrective actions, recommendations, tests) a few rows of fields, the
rows left blank ignored. The data is checked by the same :func:`~jalon.documents.kinds.check`
as the API's, and each problem it names (``findings[2].severity``) is shown under its field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _lazy

from jalon.documents.kinds import AUDIT_DOMAINS, ITEMS, KINDS, SEVERITIES, VERDICTS, Kind

BLANK_ROWS = 3
"""Empty rows offered after the filled ones of each list."""

LABELS: dict[str, Any] = {
    "request": _lazy("Demande"), "operations": _lazy("Opérations réalisées"), "results": _lazy("Résultats"),
    "recommendations": _lazy("Recommandations"), "summary": _lazy("Synthèse"), "annexes": _lazy("Annexes"),
    "version": _lazy("Version livrée"), "content": _lazy("Contenu de la livraison"),
    "installation": _lazy("Procédure d’installation"), "known_limits": _lazy("Limites connues"),
    "campaign": _lazy("Campagne de tests"), "verdict": _lazy("Verdict"), "comments": _lazy("Commentaires"),
    "findings": _lazy("Constats"), "corrective_actions": _lazy("Actions correctives réalisées pendant l’audit"),
    "tests": _lazy("Tests"), "domains": _lazy("Résultats par domaine (les sept domaines de l’audit)"),
}
ROW_LABELS: dict[str, Any] = {
    "findings": _lazy("Constat n°%(n)s"), "corrective_actions": _lazy("Action corrective n°%(n)s"),
    "recommendations": _lazy("Recommandation n°%(n)s"), "tests": _lazy("Test n°%(n)s"),
}
KEY_LABELS: dict[str, Any] = {
    "domain": _lazy("Domaine"), "severity": _lazy("Gravité"), "text": _lazy("Description"),
    "follow_up": _lazy("Suivie comme"), "reference": _lazy("Référence de l’action, du ticket ou du bon de commande"),
    "done": _lazy("Réalisée"), "name": _lazy("Test"), "result": _lazy("Résultat"), "detail": _lazy("Détail"),
}
CHOICE_LABELS: dict[str, Any] = {
    "action": _lazy("Action"), "ticket": _lazy("Ticket"), "order": _lazy("Bon de commande"),
    "ok": _lazy("Réussi"), "ko": _lazy("Échoué"), "non_joue": _lazy("Non joué"),
    "conforme": _lazy("Conforme"), "conforme_avec_reserves": _lazy("Conforme avec réserves"),
    "non_conforme": _lazy("Non conforme"),
    **{s: s for s in SEVERITIES},
    **dict(AUDIT_DOMAINS),
}


def field_name(where: str) -> str:
    """The form field of a place named by the check: ``findings[2].severity`` →
    ``findings-2-severity``, ``domains.versions`` → ``domains-versions``."""
    return where.replace("[", "-").replace("].", "-").replace("]", "").replace(".", "-")


def _choices(values: Any, blank: bool = True) -> list[tuple[str, Any]]:
    found = [(v, CHOICE_LABELS.get(v, v)) for v in values]
    return ([("", "—")] if blank else []) + found


class ReportForm(forms.Form):
    title = forms.CharField(label=_lazy("Titre du rapport"), max_length=200)

    def __init__(self, kind: Kind, *args: Any, initial_data: dict[str, Any] | None = None,
                 revision: bool = False, **kwargs: Any) -> None:
        self.kind = kind
        data = initial_data or {}
        kwargs["initial"] = dict(kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.rows: dict[str, int] = {}
        self.layout: list[tuple[str, list[str]]] = [("", ["title"])]
        for name, shape in kind.fields:
            label = LABELS.get(name, name)
            if shape in ("text", "text?"):
                if name == "verdict":
                    self.fields[name] = forms.ChoiceField(label=label, choices=_choices(VERDICTS), required=False)
                else:
                    self.fields[name] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}),
                                                        required=False)
                self.initial.setdefault(name, data.get(name, ""))
                self.layout[0][1].append(name)
            elif shape == "domains":
                names = []
                for domain, domain_label in AUDIT_DOMAINS:
                    key = f"domains-{domain}"
                    self.fields[key] = forms.CharField(label=domain_label, required=False,
                                                       widget=forms.Textarea(attrs={"rows": 3}))
                    self.initial.setdefault(key, (data.get("domains") or {}).get(domain, ""))
                    names.append(key)
                self.layout.append((str(label), names))
            else:
                self._list(name, data.get(name) or [])
        if revision:
            self.fields["note"] = forms.CharField(
                label=_lazy("Ce qui change dans cette révision"), max_length=500,
                help_text=_lazy("Par exemple : « Recommandations R2 et R3 réalisées »."))
            self.layout.append(("", ["note"]))

    def _list(self, name: str, rows: list[dict[str, Any]]) -> None:
        spec = ITEMS[(self.kind.id, name)]
        count = len(rows) + BLANK_ROWS
        self.rows[name] = count
        for index in range(count):
            row = rows[index] if index < len(rows) else {}
            names = []
            for key, rule in spec.items():
                field_id = f"{name}-{index}-{key}"
                label = KEY_LABELS.get(key, key)
                if rule is bool:
                    self.fields[field_id] = forms.BooleanField(label=label, required=False)
                elif isinstance(rule, list):
                    self.fields[field_id] = forms.ChoiceField(label=label, choices=_choices(rule), required=False)
                elif key in ("text", "detail"):
                    self.fields[field_id] = forms.CharField(label=label, required=False,
                                                            widget=forms.Textarea(attrs={"rows": 2}))
                else:
                    self.fields[field_id] = forms.CharField(label=label, required=False, max_length=300)
                self.initial.setdefault(field_id, row.get(key, False if rule is bool else ""))
                names.append(field_id)
            self.layout.append((str(ROW_LABELS[name] % {"n": index + 1}), names))

    def sections(self) -> Iterator[tuple[str, list[forms.BoundField]]]:
        for legend, names in self.layout:
            yield legend, [self[n] for n in names]

    def report_data(self) -> dict[str, Any]:
        """The report's data from the cleaned form: blank rows dropped, the rest for the check."""
        c = self.cleaned_data
        data: dict[str, Any] = {}
        for name, shape in self.kind.fields:
            if shape in ("text", "text?"):
                data[name] = c.get(name, "")
            elif shape == "domains":
                data[name] = {d: c.get(f"domains-{d}", "") for d, _label in AUDIT_DOMAINS}
            else:
                spec = ITEMS[(self.kind.id, name)]
                rows = []
                for index in range(self.rows[name]):
                    row = {key: c.get(f"{name}-{index}-{key}") for key in spec}
                    if any(v for k, v in row.items() if spec[k] is not bool):
                        rows.append({k: (bool(v) if spec[k] is bool else (v or "")) for k, v in row.items()})
                data[name] = rows
        return data

    def show(self, error: ValidationError) -> None:
        """The check's located problems under their fields (those with no field above the form).
        Rows were renumbered when blank ones were dropped: a row's problem is shown under the
        field of the same rank among the filled rows."""
        filled = self._filled_rows()
        for where, problems in error.message_dict.items():
            name = field_name(where)
            parts = name.split("-")
            if len(parts) == 3 and parts[0] in filled and parts[1].isdigit():
                rank = int(parts[1])
                if rank < len(filled[parts[0]]):
                    name = f"{parts[0]}-{filled[parts[0]][rank]}-{parts[2]}"
            for problem in problems:
                self.add_error(name if name in self.fields else None,
                               problem if name in self.fields else f"{where} : {problem}")

    def _filled_rows(self) -> dict[str, list[int]]:
        c = self.cleaned_data
        found: dict[str, list[int]] = {}
        for name, count in self.rows.items():
            spec = ITEMS[(self.kind.id, name)]
            found[name] = [i for i in range(count)
                           if any(c.get(f"{name}-{i}-{k}") for k in spec if spec[k] is not bool)]
        return found


def form_for(kind_id: str, *args: Any, **kwargs: Any) -> ReportForm:
    return ReportForm(KINDS[kind_id], *args, **kwargs)
