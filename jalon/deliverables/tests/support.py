"""A deliverables section added to the cast's convention, and helpers for the tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.contracts.models import ConventionVersion
from jalon.deliverables.models import Deliverable
from jalon.lib.clock import replaying
from jalon.testing.cast import AQUAREEL_CONVENTION, Cast

DELIVERABLES = """\
deliverables:
  calendar: ho
  warn_days: 2
  types:
    - {id: A.1, label: "Note de livraison", annex: A.1, validators: [buyer_manager], validation: 5d, tacit: true}
    - {id: A.4, label: "Rapport d'audit", annex: A.4, validators: [buyer_manager], validation: 10d,
       tacit: false, lifting: 5d}
  register:
    - {id: paq, type: A.1, title: "Plan d'assurance qualité", due: 2026-03-31}
    - {id: mensuel, type: A.1, title: "Tableau de bord", every: month, due_day: 5}
  measures:
    - {indicator: retard, measure: days_late}
    - {indicator: ajournements, measure: rejections}
    - {indicator: a_l_heure, measure: on_time_share, types: [A.4]}
"""
MEASURES = """\
  - {id: retard, label: Retard des livrables, family: support, kind: measure, unit: j}
  - {id: ajournements, label: Ajournements, family: support, kind: measure, unit: count}
  - {id: a_l_heure, label: Rapports à l'heure, family: support, kind: measure, unit: "%"}
"""
CONVENTION = AQUAREEL_CONVENTION.replace("indicators:\n", DELIVERABLES + "indicators:\n") + MEASURES

# Monday 2 March 2026, 09:00 in Paris.
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def load_terms(cast: type[Cast] | Cast) -> None:
    ConventionVersion.load(cast.contract, CONVENTION, "aquareel-livrables.yaml")
    ConventionVersion.load(cast.other_contract, CONVENTION, "callipso-livrables.yaml")


def pdf(name: str = "note.pdf", body: bytes = b"%PDF-1.4 version") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def expect(cast: Cast, *, type: str = "A.1", due_on: date = date(2026, 3, 6), at: datetime = MONDAY,
           title: str = "Note de livraison v2.3") -> Deliverable:
    with replaying(at):
        return Deliverable.expect(cast.contract, cast.buyer_manager, type=type, title=title, due_on=due_on)
