"""The demo's deliverables: the register planned from the convention over the last quarter and
the next month, lived through the domain methods at their dates (:func:`replaying`): versions
remitted on time or late, accepted, rejected then remitted again, validated tacitly, and an
audit report accepted with a reservation still to be lifted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.contracts.models import Contract
from jalon.deliverables.models import Deliverable
from jalon.lib.clock import replaying


def _file(d: Deliverable, version: int) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% {d.reference} — {d.title} — version {version}\n".encode()
    return SimpleUploadedFile(f"{d.reference}-v{version}.pdf", body, content_type="application/pdf")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def load_deliverables(contract: Contract, people: dict[str, User], now: datetime) -> int:
    """Plan and live the deliverables of ``contract`` (once: nothing when some exist, or when
    its convention declares none). ``people``: logins of the demo (holder manager
    ``chefdeprojet``, technician ``technicien``, buyer manager ``acheteur``)."""
    version = contract.current_convention()
    terms = version.parsed().deliverables if version else None
    if terms is None or Deliverable.objects.filter(contract=contract).exists():
        return 0
    holder, buyer = people["chefdeprojet"], people["acheteur"]
    start = (now - timedelta(days=91)).date()
    with replaying(_at(start, 8)):
        made = Deliverable.plan(contract, (now + timedelta(days=31)).date())
    types = [t.id for t in terms.types]
    audit_type = next((t for t in ("A.4", "documentaire", "livrable") if t in types), types[-1])
    with replaying(_at(start + timedelta(days=20), 8)):
        audit = Deliverable.expect(contract, holder, type=audit_type,
                                   title="Rapport d'audit de l'instance de production",
                                   due_on=start + timedelta(days=41))
    made.append(audit)
    past = sorted((d for d in made if d.due_on < now.date()), key=lambda d: d.due_on)
    for index, d in enumerate(past):
        if d.pk == audit.pk:
            continue
        late = index % 3 == 2
        remitted = d.due_on + timedelta(days=3 if late else -2)
        if _at(remitted) > now:
            continue
        with replaying(_at(remitted)):
            d.submit(holder, file=_file(d, 1), note="")
        decided = _at(remitted + timedelta(days=2), 15)
        if decided > now:
            continue
        with replaying(decided):
            if index % 4 == 1:
                d.reject(buyer, reason="Indicateurs du mois incomplets : compléter la volumétrie.")
                again = decided + timedelta(days=2)
                if again <= now:
                    with replaying(again):
                        d.submit(holder, file=_file(d, 2))
            elif index % 4 != 3 or not d.kind.tacit:
                d.accept(buyer, note="")
            # index % 4 == 3 on a tacit type: left undecided, validated tacitly below
    with replaying(_at(audit.due_on - timedelta(days=1))):
        audit.submit(holder, file=_file(audit, 1))
    with replaying(_at(audit.due_on + timedelta(days=3), 14)):
        audit.accept_with_reservations(
            buyer, reservations="Recommandation R3 (purge des archives) sans échéance de mise en œuvre",
            lift_by=max(now.date() + timedelta(days=10), audit.due_on + timedelta(days=20)))
    for d in Deliverable.objects.filter(contract=contract):
        d.recompute_clocks(now)
    return len(made)
