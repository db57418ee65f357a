"""The kinds of structured report, their fields, and the check of a report's data.

A report is entered as data (JSON: the API's body, the page's form) and checked here field by
field; every problem names its place (``findings[2].severity``). The kinds follow seed 000:

- ``one_off_intervention`` — the one-off intervention report (§7.4.4): request, operations,
  results, recommendations;
- ``audit`` — the audit report (§7.5.7, annex A.4): executive summary, results for each of the
  seven domains of §7.5.3, findings rated Critique / Majeur / Mineur, corrective actions done
  during the audit, recommendations each followed up as an action, a ticket or an order (with
  its reference and whether it is done); the report is updated after them (a new revision);
- ``delivery_note`` — the delivery note (annex A.1): version, content, installation, known
  limits;
- ``test_report`` — the test report (annex A.2): campaign, tests with their result, verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

AUDIT_DOMAINS = (
    ("versions", _lazy("Conformité des versions")),
    ("configuration", _lazy("Configuration des composants")),
    ("supervision", _lazy("Processus de supervision et de maintenance")),
    ("purges", _lazy("Purges et archivage")),
    ("journaux", _lazy("Analyse des journaux d’activité")),
    ("haute_disponibilite", _lazy("Vérifications de la haute disponibilité")),
    ("base_de_donnees", _lazy("Base de données")),
)
"""The seven domains of an audit (seed 000 §7.5.3, L229-275)."""
SEVERITIES = ("Critique", "Majeur", "Mineur")
"""How a finding is rated (seed 000 §7.5.7, L325-328)."""
FOLLOW_UPS = ("action", "ticket", "order")
TEST_RESULTS = ("ok", "ko", "non_joue")
VERDICTS = ("conforme", "conforme_avec_reserves", "non_conforme")


class ReportDataError(ValueError):
    """The data of a report does not fit its kind: every problem, each with its place."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    fields: tuple[tuple[str, str], ...]
    """(name, shape): ``text`` (required), ``text?`` (optional), ``list`` (of objects),
    ``domains`` (the seven audit domains)."""


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("one_off_intervention", str(_lazy("Rapport d’intervention ponctuelle")),
         (("request", "text"), ("operations", "text"), ("results", "text"), ("recommendations", "text?"))),
    Kind("audit", str(_lazy("Rapport d’audit")),
         (("summary", "text"), ("domains", "domains"), ("findings", "list"), ("corrective_actions", "list"),
          ("recommendations", "list"), ("annexes", "text?"))),
    Kind("delivery_note", str(_lazy("Note de livraison")),
         (("version", "text"), ("content", "text"), ("installation", "text"), ("known_limits", "text?"))),
    Kind("test_report", str(_lazy("Rapport de tests")),
         (("campaign", "text"), ("tests", "list"), ("verdict", "text"), ("comments", "text?"))),
)}

ITEMS: dict[tuple[str, str], dict[str, Any]] = {
    ("audit", "findings"): {"domain": [d for d, _label in AUDIT_DOMAINS], "severity": list(SEVERITIES),
                            "text": None},
    ("audit", "corrective_actions"): {"text": None},
    ("audit", "recommendations"): {"text": None, "follow_up": list(FOLLOW_UPS), "reference": "?",
                                   "done": bool},
    ("test_report", "tests"): {"name": None, "result": list(TEST_RESULTS), "detail": "?"},
}
"""The fields of each list's rows: a list of allowed values, None (required text), "?" (optional
text) or ``bool``."""


def check(kind_id: str, data: Any) -> dict[str, Any]:
    """``data`` checked against its kind, normalised (texts stripped, unknown keys refused);
    :class:`ReportDataError` with every problem otherwise."""
    kind = KINDS.get(kind_id)
    if kind is None:
        raise ReportDataError([("kind", _("Nature de rapport inconnue : %(v)s (attendu : %(ok)s).")
                                % {"v": kind_id, "ok": ", ".join(KINDS)})])
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise ReportDataError([("data", _("Un objet est attendu."))])
    known = {name for name, _shape in kind.fields}
    problems += [(name, _("Champ inconnu pour ce rapport.")) for name in data if name not in known]
    clean: dict[str, Any] = {}
    for name, shape in kind.fields:
        value = data.get(name)
        if shape in ("text", "text?"):
            if value is None:
                value = ""
            if not isinstance(value, str):
                problems.append((name, _("Texte attendu.")))
                continue
            if shape == "text" and not value.strip():
                problems.append((name, _("Champ obligatoire.")))
            if name == "verdict" and value and value not in VERDICTS:
                problems.append((name, _("Valeur attendue : %(ok)s.") % {"ok": ", ".join(VERDICTS)}))
            clean[name] = value.strip()
        elif shape == "domains":
            clean[name] = _domains(value, problems)
        else:
            clean[name] = _items(kind_id, name, value, problems)
    if problems:
        raise ReportDataError(problems)
    return clean


def _domains(value: Any, problems: list[tuple[str, str]]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(("domains", _("Un objet par domaine d’audit est attendu.")))
        return {}
    ids = [d for d, _label in AUDIT_DOMAINS]
    problems += [(f"domains.{k}", _("Domaine inconnu (attendu : %(ok)s).") % {"ok": ", ".join(ids)})
                 for k in value if k not in ids]
    found = {}
    for domain in ids:
        text = value.get(domain)
        if not isinstance(text, str) or not text.strip():
            problems.append((f"domains.{domain}", _("Résultat du domaine obligatoire (les sept domaines "
                                                    "sont revus à chaque audit).")))
        else:
            found[domain] = text.strip()
    return found


def _items(kind_id: str, name: str, value: Any, problems: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append((name, _("Une liste est attendue.")))
        return []
    spec = ITEMS[(kind_id, name)]
    found = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            problems.append((where, _("Un objet est attendu.")))
            continue
        problems += [(f"{where}.{k}", _("Champ inconnu.")) for k in item if k not in spec]
        row: dict[str, Any] = {}
        for key, rule in spec.items():
            v = item.get(key)
            if rule is bool:
                if v is not None and not isinstance(v, bool):
                    problems.append((f"{where}.{key}", _("Vrai ou faux attendu.")))
                row[key] = bool(v)
            elif rule == "?":
                row[key] = v.strip() if isinstance(v, str) else ""
            elif not isinstance(v, str) or not v.strip():
                problems.append((f"{where}.{key}", _("Champ obligatoire.")))
            elif isinstance(rule, list) and v not in rule:
                problems.append((f"{where}.{key}", _("Valeur attendue : %(ok)s.") % {"ok": ", ".join(rule)}))
            else:
                row[key] = v.strip()
        found.append(row)
    return found
