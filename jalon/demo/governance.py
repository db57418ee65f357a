"""The demo's governance: a quarter of committees of the contract's convention, replayed through
the domain methods at the instants they happened (``replaying``), with minutes in every state the
convention allows (AQUAREEL's committees have no tacit validation, D-85; LADE's COPIL minutes
validated tacitly), decisions, actions (some late, one rescheduled), risks reviewed at each
steering committee, and an alert escalated to the next committee level."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth.models import User

from jalon.contracts.models import Contract
from jalon.governance import jobs, schedule
from jalon.governance.models import Action, Decision, Escalation, Meeting, Risk
from jalon.governance.workflow import MinutesState, RiskKind, RiskStatus
from jalon.lib.clock import replaying

RISKS = [
    ("Réplication vers le site de secours fragile", 3, 4, RiskKind.RISK,
     "Surveillance quotidienne de la réplication ; test de bascule trimestriel."),
    ("Volume des archives proche de la capacité disque", 2, 3, RiskKind.ATTENTION,
     "Purge mensuelle vérifiée ; extension de volume commandée."),
    ("Départ de l'expert base de données du titulaire", 2, 4, RiskKind.RISK,
     "Binôme formé ; documentation d'exploitation à jour."),
    ("Consommation du forfait au-delà du prévisionnel", 3, 2, RiskKind.ATTENTION, "Point mensuel en COPIL."),
]
DECISIONS = [
    ("Plan de progrès v1 validé", "deliverable", "PLAN-PROGRES-v1"),
    ("Correctif de réplication à livrer en préproduction", "ticket", "AQR-2026-12"),
    ("Audit annuel de l'instance de production commandé", "order", "BC-2026-003"),
    ("Indicateurs du trimestre validés", "", ""),
]
ACTIONS = ["Mettre à jour la documentation d'exploitation", "Planifier le test de bascule",
           "Transmettre l'état de consommation du forfait", "Analyser les incidents récurrents de collecte"]


def load_governance(contract: Contract, people: dict[str, User], now: datetime, seed: int = 2026) -> int:
    """A quarter of meetings up to ``now`` (and a month ahead) on ``contract``; nothing if it
    already has meetings. Answers the number of meetings."""
    if Meeting.objects.filter(contract=contract).exists():
        return 0
    rng = random.Random(seed)
    buyer, holder = people["acheteur"], people["chefdeprojet"]
    start = now - timedelta(days=91)
    with replaying(start):
        made = schedule.schedule_contract(contract, start.date(), horizon_days=121)
        risks = [Risk.create(buyer, contract, title=t, probability=p, impact=i, owner=holder, mitigation=m, kind=k)
                 for t, p, i, k, m in RISKS]
    past = [m for m in made if m.ends_at < now]
    tacit = next((m.pk for i, m in enumerate(past[: len(past) // 2])
                  if i not in (2, 5) and (c := m.committee_def()) and c.tacit_days), None)
    for index, meeting in enumerate(past):
        _replay(rng, meeting, index, len(past), buyer, holder, risks, now, leave_to_tacit=meeting.pk == tacit)
    with replaying(now):  # what the periodic job does: minutes left without remarks validated tacitly
        jobs.apply_tacit_validations(now)
    _escalate(past, buyer, now)
    return len(made)


def _escalate(past: list[Meeting], buyer: User, now: datetime) -> None:
    """An alert raised at a committee that has a higher level (002 L1805-1813), settled at the
    next meeting of that level if one was held since."""
    for meeting in past:
        committee = meeting.committee_def()
        if meeting.status != "held" or committee is None or committee.escalates_to is None:
            continue
        with replaying(meeting.ends_at + timedelta(minutes=30)):
            escalation = Escalation.raise_from(buyer, meeting, kind="alert",
                                               subject="Retards répétés de livraison des correctifs")
        above = next((m for m in past if m.committee == committee.escalates_to and m.starts_at > meeting.ends_at
                      and m.status == "held"), None)
        if above is not None:
            with replaying(min(above.ends_at, now - timedelta(minutes=2))):
                escalation.settle(buyer, above, "Plan de rattrapage demandé au titulaire, revu au prochain comité.")
        return


def _at(instant: datetime, days: float, now: datetime) -> datetime:
    return min(instant + timedelta(days=days), now - timedelta(minutes=5))


def _replay(rng: random.Random, meeting: Meeting, index: int, count: int, buyer: User, holder: User,
            risks: list[Risk], now: datetime, *, leave_to_tacit: bool = False) -> None:
    if index == 2:  # one cancelled, one moved
        with replaying(meeting.starts_at - timedelta(days=3)):
            meeting.cancel(buyer, "Indisponibilité des représentants de l'acheteur")
        return
    if index == 5:
        with replaying(meeting.starts_at - timedelta(days=2)):
            meeting.move(buyer, meeting.starts_at + timedelta(hours=4), "Conflit avec une mise en production")
        meeting.refresh_from_db()
        if meeting.ends_at >= now:
            return
    committee = meeting.committee_def()
    if committee is not None and committee.agenda_days_before is not None:
        with replaying(meeting.starts_at - timedelta(days=7)):
            meeting.send_agenda(holder, "1. Indicateurs\n2. Tickets en cours\n3. Plan d'actions")
    with replaying(meeting.ends_at):
        meeting.record_attendance(holder, "Sophie Marchand (SCV)\nLuc Berthier (SPC GD)\nHugo Lemaire (titulaire)")
    if index == count - 1:
        return  # the last meeting: no minutes yet
    with replaying(_at(meeting.ends_at, 0.1, now)):
        meeting.draft_minutes(holder, f"Relevé de décisions — {meeting.committee_label}.\n"
                                      "Points examinés : indicateurs, tickets en cours, plan d'actions.")
    if meeting.committee == "copil":
        _copil_records(rng, meeting, buyer, holder, risks, now)
    if index == count - 2:
        return  # drafted, not sent
    late = index % 6 == 4  # some minutes sent after their delay
    sent_at = _at(meeting.ends_at, 9 if late else rng.choice((1, 2, 3)), now)
    with replaying(sent_at):
        meeting.send_minutes(holder)
    if index == count - 3:
        return  # sent, under review
    if leave_to_tacit:
        return  # sent, no remarks: validated tacitly at its deadline (a state of its own)
    if index % 7 == 3 or index == count - 4:
        with replaying(_at(sent_at, 1, now)):
            meeting.remark(buyer, "Préciser l'échéance de l'action sur la réplication.")
        if index == count - 4:
            return  # remarks not yet merged
        with replaying(_at(sent_at, 1.5, now)):
            meeting.draft_minutes(holder, meeting.minutes_text + "\nÉchéance de l'action précisée.")
            meeting.send_minutes(holder)
    with replaying(_at(sent_at, 2, now)):
        meeting.validate(buyer, "")
    if index < count // 2:
        with replaying(_at(sent_at, 5, now)):
            meeting.archive(holder, "")
    if meeting.minutes_state not in (MinutesState.VALIDATED, MinutesState.ARCHIVED):
        raise AssertionError(meeting.minutes_state)


def _copil_records(rng: random.Random, meeting: Meeting, buyer: User, holder: User, risks: list[Risk],
                   now: datetime) -> None:
    held_on = meeting.starts_at.date()
    with replaying(_at(meeting.ends_at, 0.05, now)):
        for title, kind, ref in rng.sample(DECISIONS, 2):
            Decision.record(buyer, meeting.contract, title=title, decided_on=held_on, meeting=meeting,
                            subject_kind=kind, subject_ref=ref)
        actions = [Action.create(buyer, meeting.contract, title=title, owner=rng.choice((buyer, holder)),
                                 due_on=held_on + timedelta(days=rng.choice((7, 14, 21))), meeting=meeting)
                   for title in rng.sample(ACTIONS, 2)]
        for risk in risks:
            risk.refresh_from_db()
            if risk.status == RiskStatus.CLOSED:
                continue
            status = RiskStatus.MITIGATED if risk.probability <= 1 else RiskStatus.OPEN
            risk.review(buyer, meeting, probability=max(1, risk.probability - rng.choice((0, 0, 1))),
                        impact=risk.impact, status=status, note="Revu en COPIL.")
    for action in actions[1:]:  # one rescheduled the next day, with its reason (kept in its history)
        with replaying(_at(meeting.ends_at, 1, now)):
            action.update(holder, owner=action.owner, due_on=action.due_on + timedelta(days=7),
                          reason="Dépend de la livraison du correctif de réplication.")
    for action in actions[:1]:  # one done, late by a few days, if its time has come
        done = action.due_on + timedelta(days=rng.choice((0, 3)))
        if datetime.combine(done, datetime.min.time(), meeting.starts_at.tzinfo) < now:
            with replaying(min(now - timedelta(minutes=1), meeting.starts_at + (done - held_on))):
                action.set_status(holder, "done", done)



