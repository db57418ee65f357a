"""The water agencies' convention scores the platform's tickets as it scores an OCEAN export of
them (issue 11 §4).

A quarter of LADE tickets is played through the domain methods (portal, phone, mail, supervision
and SOC requests; the service desk, an agency's proximity role and the TME; P1 to P3; waits,
an escalation, a reopening, a cancellation, tickets still open at the end). The quarter is
scored twice with the same convention: from the platform (``tickets_to_ticketset``, profile
``jalon``) and from the same tickets written as Matrix42 writes its list export (the columns
and French labels of the ``ocean`` profile, ``docs/imports.md``) and read back by
``read_export(..., "ocean")``. Every indicator, note and clock is the same, and the TMS and TME
families are not empty.

What an OCEAN list export cannot carry (D-47): it has one row per ticket, its history rebuilt
from the creation, take-in-charge, resolution and closure dates and the current status at the
last change. A wait that has *ended* and a resolution that a reopening *undid* leave no trace
in it, so the pause they make in LADE's resolution clock (waiting for the user; the time spent
resolved before a reopening, D-LADE-22) is counted by the export. The quarter below keeps them
out; the last two tests show the exact difference each makes. Everything else — a wait or a
reopening still under way at the end, a wait for a third party (it does not pause LADE's
clocks), an escalation, a cancellation — is carried and gives the same figures.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import time_machine

from jalon.contracts.models import ConventionVersion
from jalon.conventions import IndicatorResult, Period, Scorecard, evaluate
from jalon.conventions.tests.support import CONVENTIONS
from jalon.imports import read_export
from jalon.testing.cast import JalonTestCase
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Ticket, TicketState

PARIS = ZoneInfo("Europe/Paris")
QUARTER = Period.parse("2026-Q1")

MATRIX = {"P1": ("critique", "site"), "P2": ("majeure", "site"), "P3": ("mineure", "site")}
"""Urgency × impact giving each priority (seed 002 L1442-1454)."""

# How Matrix42 writes each value in its French list export: the labels LADE's ocean profile
# reads (conventions/lade-tmes.yaml, profiles.ocean).
NATURE = {"incident": "Incident", "assistance": "Assistance", "demande": "Demande de service",
          "tache": "Tâche", "changement": "Changement"}
PRIORITE = {"P1": "Élevée", "P2": "Moyenne", "P3": "Faible"}
ORIGINE = {"portal": "Portail", "phone": "Téléphone", "mail": "Mail", "supervision": "Supervision",
           "soc": "SOC"}
STATUT = {TicketState.NEW: "Nouveau", TicketState.QUALIFYING: "Nouveau", TicketState.ASSIGNED: "Nouveau",
          TicketState.IN_PROGRESS: "En cours", TicketState.RESOLVED: "Résolu",
          TicketState.CLOSED: "Clôturé", TicketState.CANCELLED: "Annulé"}
ATTENTE = {"requester": "En attente utilisateur", "third_party": "En attente tiers"}
COLUMNS = ("Numéro", "Objet", "Nature", "Statut", "Priorité", "Origine", "Rôle assigné",
           "Date de création", "Date de prise en charge", "Date de résolution", "Date de clôture",
           "Date de modification")


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@dataclass(frozen=True)
class Life:
    """One ticket: how it came, what it is, then (minutes after the opening, act, argument)."""

    opened: datetime
    channel: str
    type: str
    priority: str
    acts: tuple[tuple[int, str, str], ...]


SD, PROXIMITE, TME = "N1_TMS_SD", "N1_TMS_PROXIMITE_AG", "N2_TME_LB"
DAY = 24 * 60

QUARTER_LIVES = (
    # portal incidents: taken in charge within 10 min / 40 min / 1h30 or not (S8a-c), resolved
    # within 4h / 1 day / 5 days or not (S9a-c)
    Life(paris(1, 5, 9), "portal", "incident", "P1",
         ((5, "assign", SD), (8, "start", ""), (180, "resolve", ""), (600, "close", ""))),
    Life(paris(1, 6, 9), "portal", "incident", "P1",
         ((5, "assign", SD), (25, "start", ""), (300, "resolve", ""), (DAY, "close", ""))),
    Life(paris(1, 7, 10), "portal", "incident", "P2",  # a wait for a third party: still counted
         ((5, "assign", PROXIMITE), (30, "start", ""), (60, "wait", "third_party"), (240, "resume", ""),
          (480, "resolve", ""), (DAY, "close", ""))),
    Life(paris(1, 8, 14), "portal", "incident", "P2",
         ((10, "assign", SD), (90, "start", ""), (1500, "resolve", ""))),
    Life(paris(1, 12, 9), "portal", "incident", "P3",
         ((5, "assign", PROXIMITE), (60, "start", ""), (2 * DAY, "resolve", ""), (3 * DAY, "close", ""))),
    Life(paris(1, 13, 11), "portal", "incident", "P3",  # still in progress at the end
         ((5, "assign", SD), (120, "start", ""))),
    # phone incidents: closed within the hour or not (S7)
    Life(paris(1, 14, 9), "phone", "incident", "P2",
         ((3, "assign", SD), (5, "start", ""), (40, "resolve", ""), (120, "close", ""))),
    Life(paris(1, 15, 9), "phone", "incident", "P3",
         ((3, "assign", SD), (10, "start", ""), (150, "resolve", ""))),
    # escalated from the desk to the TME: TME calendar, T4 (mean resolution delay)
    Life(paris(2, 2, 10), "mail", "incident", "P2",
         ((5, "assign", SD), (10, "start", ""), (60, "escalate", TME), (90, "start", ""),
          (400, "resolve", ""), (DAY, "close", ""))),
    Life(paris(2, 3, 8), "supervision", "incident", "P1",
         ((5, "assign", TME), (15, "start", ""), (200, "resolve", ""), (DAY, "close", ""))),
    Life(paris(2, 4, 16), "soc", "incident", "P3",  # waiting for the user at the end (T1, T2)
         ((10, "assign", TME), (30, "start", ""), (60, "wait", "requester"))),
    Life(paris(2, 10, 9), "portal", "incident", "P3",
         ((5, "assign", TME), (20, "start", ""), (3 * DAY, "resolve", ""), (4 * DAY, "close", ""))),
    # the desk's backlog at the end (S3-S6): an assistance waiting for a third party, tasks
    Life(paris(2, 16, 9), "phone", "assistance", "P3",
         ((5, "assign", SD), (15, "start", ""), (60, "wait", "third_party"))),
    Life(paris(2, 17, 10), "portal", "tache", "P3", ((5, "assign", PROXIMITE),)),
    Life(paris(3, 2, 9), "portal", "tache", "P3",
         ((5, "assign", SD), (30, "start", ""), (DAY, "resolve", ""))),
    # reopened, still open at the end: its resolution clock runs again
    Life(paris(3, 3, 9), "portal", "incident", "P2",
         ((5, "assign", SD), (20, "start", ""), (120, "resolve", ""), (300, "reopen", ""))),
    # cancelled before anyone took it: no clock
    Life(paris(3, 4, 9), "mail", "incident", "P3", ((30, "cancel", ""),)),
    # changes (C1, C2, outside the notes)
    Life(paris(3, 5, 9), "portal", "changement", "P2",
         ((5, "assign", TME), (30, "start", ""), (500, "resolve", ""))),
    Life(paris(3, 9, 9), "portal", "changement", "P3",
         ((5, "assign", SD), (30, "start", ""), (3 * DAY, "resolve", ""))),
    # declared on the last Monday afternoon, assigned, not yet taken in charge
    Life(paris(3, 30, 16), "phone", "incident", "P1", ((5, "assign", SD),)),
)


class OceanParityBase(JalonTestCase):
    lade: ClassVar[ConventionVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        text = (CONVENTIONS / "lade-tmes.yaml").read_text(encoding="utf-8")
        cls.lade, _ = ConventionVersion.load(cls.contract, text, "lade-tmes.yaml")

    def live(self, life: Life) -> Ticket:
        """``life`` through the domain methods: declared (on the portal by the requester, else
        by level 1 on their behalf), qualified two minutes later, then its acts."""
        declarer = self.requester if life.channel == "portal" else self.level1
        with time_machine.travel(life.opened, tick=False):
            ticket = Ticket.open(self.contract, actor=declarer, requester=self.requester, type=life.type,
                                 title=f"{life.type} {life.priority} {life.opened:%d/%m}", channel=life.channel)
        urgency, impact = MATRIX[life.priority]
        with time_machine.travel(life.opened.timestamp() + 120, tick=False):
            ticket.qualify(self.level1, urgency=urgency, impact=impact)
        for minutes, act, argument in life.acts:
            with time_machine.travel(life.opened.timestamp() + 60 * minutes, tick=False):
                self.act(ticket, act, argument)
        return ticket

    def act(self, ticket: Ticket, act: str, argument: str) -> None:
        technician, level1 = self.technician, self.level1
        {
            "assign": lambda: ticket.assign(level1, group=argument, person=technician),
            "escalate": lambda: ticket.escalate(technician, level="N2", group=argument, person=technician),
            "start": lambda: ticket.start_work(technician),
            "wait": lambda: ticket.wait(technician, argument),
            "resume": lambda: ticket.resume(technician),
            "resolve": lambda: ticket.resolve(technician, "definitive"),
            "close": lambda: ticket.close(level1),
            "reopen": lambda: ticket.reopen(level1, "Le défaut est revenu."),
            "cancel": lambda: ticket.cancel(level1, reason="Doublon."),
        }[act]()

    # -- both sides ------------------------------------------------------------------------

    def platform_card(self) -> Scorecard:
        tickets = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        return evaluate(self.lade.parsed(), tickets, [], QUARTER, profile="jalon")

    def ocean_card(self, tmp: Path) -> Scorecard:
        path = tmp / "OCEAN_ExportTickets.csv"
        write_ocean_export(Ticket.objects.filter(contract=self.contract).order_by("pk"), path)
        result = read_export(path, "ocean")
        assert result.problems == []
        return evaluate(self.lade.parsed(), result.tickets, [], QUARTER, profile="ocean")


def write_ocean_export(tickets: Iterable[Ticket], path: Path) -> None:
    """``tickets`` as Matrix42's French list export writes them: one row per ticket, local
    wall times, the status entered at the last change (its last event)."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(COLUMNS)
        for ticket in tickets:
            events = list(ticket.events.order_by("at", "pk"))
            taken = next((e.at for e in events if e.state_to == TicketState.IN_PROGRESS), None)
            status = ATTENTE[ticket.wait_reason] if ticket.state == TicketState.WAITING else STATUT[
                TicketState(ticket.state)]
            writer.writerow((
                ticket.reference, ticket.title, NATURE[ticket.type], status, PRIORITE[ticket.priority],
                ORIGINE[ticket.channel], ticket.assigned_group, local(ticket.opened_at), local(taken),
                local(ticket.resolved_at), local(ticket.closed_at), local(events[-1].at),
            ))


def local(instant: datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(PARIS):%d/%m/%Y %H:%M:%S}"


def figures(card: Scorecard) -> dict[str, tuple[Any, ...]]:
    """Every indicator's (and part's) value, evidence, note and outcome; every family's note;
    the global note."""
    rows: dict[str, tuple[Any, ...]] = {"global": (card.global_note,)}

    def add(indicator: IndicatorResult) -> None:
        rows[indicator.id] = (indicator.value, indicator.evidence, indicator.met, indicator.note,
                              indicator.deducted, indicator.counted)
        for part in indicator.parts:
            add(part)

    for family in card.families:
        rows[f"family {family.id}"] = (family.note, family.points)
        for indicator in family.indicators:
            add(indicator)
    return rows


def clocks(card: Scorecard) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each clock: ticket, start, stop, business seconds, met. A clock still running at the end
    is judged in no window: only its start and that it runs are compared (a reopening under way
    is a pause in the platform's history, not in the export's, D-47)."""
    tickets = card.tickets
    assert tickets is not None
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for clock_id, table in card.clocks.items():
        met = table.met()
        for r in range(len(table)):
            key = (clock_id, str(tickets.ids[table.ticket[r]]))
            if np.isnat(table.stop[r]):
                found[key] = (table.start[r], "running")
            else:
                found[key] = (table.start[r], table.stop[r], int(table.elapsed[r]), bool(met[r]))
    return found


class OceanParityTest(OceanParityBase):
    LIVES: ClassVar[tuple[Life, ...]] = QUARTER_LIVES

    def setUp(self) -> None:
        for life in self.LIVES:
            self.live(life)

    def test_lade_scores_the_platform_tickets_as_it_scores_their_ocean_export(self) -> None:
        platform = self.platform_card()
        with tempfile.TemporaryDirectory() as tmp:
            ocean = self.ocean_card(Path(tmp))
        assert platform.warnings == []
        assert ocean.warnings == []
        assert figures(platform) == figures(ocean)
        assert clocks(platform) == clocks(ocean)

    def test_the_tms_and_tme_families_are_scored_on_the_quarter_s_tickets(self) -> None:
        card = self.platform_card()
        by_id = {i.id: i for f in card.families for i in (*f.indicators, *(p for i in f.indicators for p in i.parts))}
        selecting = ("S3", "S4", "S5", "S6", "S7", "S8a", "S8b", "S8c", "S9a", "S9b", "S9c", "T1", "T2",
                     "T4-bloquant", "T4-prioritaire", "T4-non-prioritaire", "C1", "C2")
        assert {i: by_id[i].evidence for i in selecting if not by_id[i].evidence} == {}
        families = {f.id: f.note for f in card.families}
        assert families["tms"] is not None
        assert families["tme"] is not None
        assert families["tms"] < 20  # the late take-in-charge and resolutions of the quarter
        # the figures the lives above were written for
        assert (by_id["S7"].value, by_id["S8a"].value, by_id["S9a"].value) == (50.0, 50.0, 50.0)
        assert (by_id["T1"].value, by_id["S3"].value, by_id["S4"].value) == (1, 4, 1)


class OceanLimitsTest(OceanParityBase):
    """What an OCEAN list export cannot carry (D-47): exactly the pause the platform's history
    shows and the export's one row cannot."""

    def both(self, life: Life) -> tuple[dict[tuple[str, str], tuple[Any, ...]], dict[tuple[str, str], tuple[Any, ...]]]:
        self.live(life)
        platform = self.platform_card()
        with tempfile.TemporaryDirectory() as tmp:
            ocean = self.ocean_card(Path(tmp))
        return clocks(platform), clocks(ocean)

    def test_a_finished_wait_for_the_user_is_a_pause_the_export_cannot_show(self) -> None:
        # Monday 5 January: opened 09:00, waiting for the user 10:00-14:00, resolved 16:00
        platform, ocean = self.both(Life(paris(1, 5, 9), "portal", "incident", "P2", (
            (5, "assign", SD), (10, "start", ""), (60, "wait", "requester"), (300, "resume", ""),
            (420, "resolve", ""))))
        key = ("resolution", "AQR-2026-1")
        assert platform.pop(key)[2:] == (3 * 3600, True)  # 09-10 and 14-16
        assert ocean.pop(key)[2:] == (7 * 3600, True)  # 09-16: the export shows no wait
        assert platform == ocean  # the other clocks (take-in-charge, contact in 1 h) agree

    def test_a_resolution_undone_by_a_reopening_is_a_pause_the_export_cannot_show(self) -> None:
        # resolved at 10:00, reopened at 11:00, resolved again at 13:00
        platform, ocean = self.both(Life(paris(1, 5, 9), "portal", "incident", "P2", (
            (5, "assign", SD), (10, "start", ""), (60, "resolve", ""), (120, "reopen", ""),
            (150, "start", ""), (240, "resolve", ""))))
        # the resolution clock (on business hours) and the one-hour contact clock (wall time)
        # both resume at the reopening, the time spent resolved a pause (D-LADE-22)
        for clock_id, met in (("resolution", True), ("contact_1h", False)):
            key = (clock_id, "AQR-2026-1")
            assert platform.pop(key)[2:] == (3 * 3600, met)  # 09-10 and 11-13
            assert ocean.pop(key)[2:] == (4 * 3600, met)  # 09-13: the export dates the last resolution only
        assert platform == ocean
