"""The platform's live clocks and a scorecard of the same tickets are one computation.

Random lives (open, qualify, assign, work, wait for the requester or a third party/resume,
resolve, reopen, close, at business and non-business instants) are played through the domain
methods; the ``Clock`` rows they leave must equal the scorecard engine's clock tables for the
same tickets exported with ``tickets_to_ticketset``, and both must equal a plain scalar reading
of the written rule. The convention pauses for the requester only (as LADE and CD13 do).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import time_machine
from django.db import connection

from jalon.businesstime import Duration
from jalon.contracts.models import ConventionVersion
from jalon.conventions import Period, evaluate
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import ClockDef, Convention
from jalon.testing.cast import AQUAREEL_CONVENTION, JalonTestCase
from jalon.tickets.clocks import PHASES
from jalon.tickets.clocksummary import LIST_CLOCK_SQL, SUMMARY_SQL
from jalon.tickets.export import tickets_to_ticketset
from jalon.tickets.models import Clock, EventKind, Ticket, TicketEvent, TicketState

PARIS = ZoneInfo("Europe/Paris")
S = TicketState
QUARTER = Period.parse("2026-Q2")
HORIZON = datetime(2026, 7, 1, tzinfo=PARIS)
LIVES = 160

# The test convention with a third-party wait that pauses nothing: its jalon profile keeps the
# single ``waiting`` key (now the requester's wait only) and names the other reason.
THIRD_PARTY_CONVENTION = AQUAREEL_CONVENTION.replace(
    "  - {id: waiting, phase: waiting}\n",
    "  - {id: waiting, phase: waiting}\n  - {id: waiting_third_party, phase: waiting}\n",
).replace("waiting: waiting,", "waiting: waiting, waiting_third_party: waiting_third_party,")
assert THIRD_PARTY_CONVENTION.count("waiting_third_party") == 3

OWN_STATES = {**{state: state for state in PHASES}, "waiting_requester": "waiting"}
"""The test convention's state for each state the platform exports."""


def _utc(instant: np.datetime64) -> datetime | None:
    if np.isnat(instant):
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(instant.astype("datetime64[s]").astype(int)))


class ClockParityTest(JalonTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.convention, _ = ConventionVersion.load(cls.contract, THIRD_PARTY_CONVENTION, "aquareel-tiers.yaml")

    def actions(self, ticket: Ticket, rng: random.Random) -> list[Callable[[], Any]]:
        """What may happen next to ``ticket``, given its state."""
        t = ticket
        qualify: Callable[[], Any] = lambda: t.qualify(  # noqa: E731
            self.level1, urgency=rng.choice(["critique", "majeure", "mineure"]),
            impact=rng.choice(["entreprise", "site", "utilisateur"]))
        assign: Callable[[], Any] = lambda: t.assign(self.level1, group="N2", person=self.technician)  # noqa: E731
        resolve: Callable[[], Any] = lambda: t.resolve(self.technician, "definitive")  # noqa: E731
        reopen: Callable[[], Any] = lambda: t.reopen(self.requester, "Toujours en panne")  # noqa: E731
        by_state: dict[str, list[Callable[[], Any]]] = {
            S.NEW: [qualify],
            S.QUALIFYING: [assign, assign, resolve] if t.priority else [qualify],
            S.ASSIGNED: [lambda: t.start_work(self.technician)] * 2 + [resolve],
            S.IN_PROGRESS: [lambda: t.wait(self.technician, rng.choice(["requester", "third_party"])),
                            resolve, resolve],
            S.WAITING: [lambda: t.resume(self.technician), lambda: t.resume(self.technician), resolve],
            S.RESOLVED: [lambda: t.close(self.requester), reopen],
            S.CLOSED: [reopen],
        }
        return by_state[t.state]

    def live(self, rng: random.Random) -> Ticket:
        # any minute of April to mid-June: nights, weekends and holidays (1 May, 8 May, 14 May) too
        now = datetime(2026, 4, 1, tzinfo=PARIS) + timedelta(minutes=rng.randrange(70 * 24 * 60))
        with time_machine.travel(now, tick=False):
            ticket = Ticket.open(self.contract, actor=self.requester, title="Panne",
                                 type=rng.choice(["urgent_intervention", "anomaly_qualification"]))
        for _ in range(rng.randrange(12)):
            now += timedelta(minutes=rng.choice([rng.randrange(1, 240), rng.randrange(1, 4 * 24 * 60)]))
            with time_machine.travel(now, tick=False):
                rng.choice(self.actions(ticket, rng))()
            ticket.refresh_from_db()
        return ticket

    def scorecard_clocks(self, tickets: list[Ticket]) -> dict[tuple[str, str], tuple[Any, ...]]:
        """(ticket reference, clock) -> (start, stop, elapsed, met) from a scorecard of the export."""
        exported = tickets_to_ticketset(Ticket.objects.filter(pk__in=[t.pk for t in tickets]))
        card = evaluate(self.convention.parsed(), exported, [], QUARTER, profile="jalon")
        assert card.warnings == []
        rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        for kind, table in card.clocks.items():
            met = table.met()
            for r in range(len(table)):
                rows[(exported.ids[table.ticket[r]], kind)] = (
                    _utc(table.start[r]), _utc(table.stop[r]), int(table.elapsed[r]), bool(met[r]))
        return rows

    def stored_clocks(self, tickets: list[Ticket], stopped_only: bool) -> dict[tuple[str, str], tuple[Any, ...]]:
        references = {t.pk: t.reference for t in tickets}
        clocks = Clock.objects.filter(ticket__in=tickets, started_at__isnull=False)
        if stopped_only:
            clocks = clocks.filter(stopped_at__isnull=False)
        return {(references[c.ticket_id], c.kind): (c.started_at, c.stopped_at, c.elapsed_seconds, not c.breached)
                for c in clocks}

    def test_stored_clocks_equal_the_scorecard_and_the_written_rule(self) -> None:
        rng = random.Random(20260507)
        tickets = [self.live(rng) for _ in range(LIVES)]
        kinds = {(t.reference, kind) for t in tickets for kind in t.clocks.values_list("kind", flat=True)}
        assert sum(t.reopen_count > 0 for t in tickets) >= 10  # the reopen rule is exercised
        waits = Counter(TicketEvent.objects.filter(kind=EventKind.WAITING).values_list("payload__reason", flat=True))
        assert min(waits["requester"], waits["third_party"]) >= 10  # both waits are exercised

        # as stored at each ticket's last change: a stopped clock is final
        scored = self.scorecard_clocks(tickets)
        stopped = self.stored_clocks(tickets, stopped_only=True)
        assert len(stopped) >= 50
        assert stopped == {key: scored[key] for key in stopped}

        # every clock, running ones measured to the same instant
        for ticket in tickets:
            ticket.recompute_clocks(HORIZON)
        stored = self.stored_clocks(tickets, stopped_only=False)
        assert stored == scored
        assert set(stored) <= kinds

        self.assert_summaries_agree(tickets)

        convention = self.convention.parsed()
        for ticket in tickets:
            for clock in ticket.clocks.all():
                expected = written_rule(convention, convention.clock(clock.kind), ticket, HORIZON)
                with self.subTest(ticket=ticket.reference, clock=clock.kind):
                    assert (clock.started_at, clock.stopped_at, clock.elapsed_seconds, clock.due_at) == expected


    def assert_summaries_agree(self, tickets: list[Ticket]) -> None:
        """Each ticket row's clock summary and list clock, as the domain wrote them, are what
        ``Ticket.clock_summary`` and ``Ticket.shown_clock`` say of its clocks, and what the bulk
        SQL of :mod:`jalon.tickets.clocksummary` writes again from the clock rows alone."""
        ids = [t.pk for t in tickets]

        def summaries() -> dict[int, tuple[Any, ...]]:
            return {pk: tuple(row) for pk, *row in Ticket.objects.filter(pk__in=ids).values_list(
                "pk", "due_at", "risk_at", "breached", "list_clock_id")}

        written = summaries()
        shown: Counter[Any] = Counter()
        for ticket in Ticket.objects.filter(pk__in=ids).prefetch_related("clocks"):
            clocks = list(ticket.clocks.all())
            summary = Ticket.clock_summary(clocks)
            chosen = Ticket.shown_clock(clocks)
            expected = (summary["due_at"], summary["risk_at"], summary["breached"], chosen.pk if chosen else None)
            assert written[ticket.pk] == expected, ticket.reference
            shown[(chosen.stopped_at is None, chosen.due_at is None) if chosen else None] += 1
        assert len(shown) == 4, shown  # running, suspended, stopped, none
        assert min(shown.values()) >= 5, shown

        Ticket.objects.filter(pk__in=ids).update(due_at=None, risk_at=None, breached=False, list_clock=None)
        with connection.cursor() as cursor:
            cursor.execute(SUMMARY_SQL)
            cursor.execute(LIST_CLOCK_SQL)
        assert summaries() == written


def written_rule(convention: Convention, clock: ClockDef, ticket: Ticket, now: datetime) -> tuple[Any, ...]:
    """docs/convention-format.md, "The clock rule", read literally for one ticket whose platform
    states are the convention's own (the test convention, :data:`OWN_STATES`), one event at a
    time."""
    history = [(step.at, OWN_STATES[step.after]) for step in ticket.history() if step.at <= now]
    phases = {state.id: state.phase for state in convention.states}
    start = ticket.opened_at if clock.start.kind == "opened" else next(
        (at for at, state in history if state in clock.start.states), None)
    if start is None:
        return None, None, 0, None
    after = [(at, state) for at, state in history if at >= start]
    gaps: list[tuple[datetime, datetime]] = []
    stop = None
    if clock.stop.kind == "enter":
        stop = next((at for at, state in after if state in clock.stop.states), None)
    else:  # resolved, on_reopen: resume
        running, last_reopened = True, None
        for at, state in after:
            if phases[state] in ("resolved", "closed") and running:
                running, stop = False, at
            elif phases[state] in ("new", "active", "waiting") and not running:
                assert stop is not None
                gaps.append((stop, at))
                running, stop, last_reopened = True, None, at
        column = ticket.resolved_at
        if column is not None and column <= now and (last_reopened is None or column >= last_reopened):
            stop = column
    end = stop or now
    waits = [(at, following) for (at, state), (following, _) in zip(after, [*after[1:], (end, "")], strict=True)
             if state in clock.pause_states]
    pauses = [(max(a, start), min(b, end)) for a, b in [*waits, *gaps] if min(b, end) > max(a, start)]
    calendar = build_calendar(convention.calendars[clock.calendar])
    elapsed = calendar.elapsed(start, end, pauses)
    paused = stop is None and bool(after) and after[-1][1] in clock.pause_states
    target = (clock.targets.get(ticket.priority) or clock.targets["*"]).seconds
    closed = [(a, b) for a, b in pauses if not (stop is None and b == end and paused)]
    due = None if paused else calendar.deadline(start, Duration(seconds=target), closed)
    return start, stop, elapsed, due


class PlatformSettingsTest(JalonTestCase):
    def test_the_export_takes_two_queries_whatever_the_number_of_tickets(self) -> None:
        for hour in (9, 10, 11):
            with time_machine.travel(datetime(2026, 5, 4, hour, tzinfo=PARIS), tick=False):
                ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention", title="x")
                ticket.qualify(self.level1, urgency="critique", impact="site")
                ticket.assign(self.level1, group="N2")
                ticket.assign(self.level1, group="N3")
        from django.db import connection

        # PostgreSQL names the chosen tickets first, then streams them and packs their history
        with self.assertNumQueries(3 if connection.vendor == "postgresql" else 2):
            exported = tickets_to_ticketset(Ticket.objects.filter(contract=self.contract))
        assert list(exported.ids) == ["AQR-2026-1", "AQR-2026-2", "AQR-2026-3"]
        assert exported.history("AQR-2026-1") == [
            (np.datetime64("2026-05-04T07:00"), state) for state in ("new", "qualifying", "assigned")]
        assert exported.attributes["priority"].tolist() == ["P1"] * 3
        assert exported.attributes["group"].tolist() == ["N3"] * 3
        assert exported.counters["reassignment_count"].tolist() == [1] * 3

    def test_the_convention_s_warn_ratio_sets_when_a_clock_is_at_risk(self) -> None:
        from jalon.contracts.models import ConventionVersion
        from jalon.testing.cast import AQUAREEL_CONVENTION

        ConventionVersion.load(self.contract, AQUAREEL_CONVENTION + "clock_defaults: {warn_ratio: 0.5}\n", "v2.yaml")
        with time_machine.travel(datetime(2026, 5, 7, 15, tzinfo=PARIS), tick=False):
            ticket = Ticket.open(self.contract, actor=self.requester, type="urgent_intervention", title="x")
        clock = ticket.clocks.get(kind="prise_en_charge")
        # 5 h of the 10 h: Thursday 15-18, then (8 May and the weekend closed) Monday 08-10
        assert clock.risk_at == datetime(2026, 5, 11, 10, tzinfo=PARIS)
        assert clock.due_at == datetime(2026, 5, 11, 15, tzinfo=PARIS)


def test_a_list_row_shows_the_running_clock_due_first_then_a_suspended_one_then_the_last_stopped() -> None:
    from types import SimpleNamespace

    def clock(kind: str, started: int | None, stopped: int | None = None, due: int | None = None) -> Any:
        at = {n: datetime(2026, 5, 4, n, tzinfo=PARIS) if n is not None else None for n in (started, stopped, due)}
        return SimpleNamespace(kind=kind, started_at=at[started], stopped_at=at[stopped], due_at=at[due])

    unstarted, qualified, intervened = clock("a", None), clock("b", 8, stopped=9), clock("c", 8, stopped=10)
    suspended, other_suspended = clock("e", 8), clock("d", 8)
    due_late, due_soon, due_soon_too = clock("f", 8, due=12), clock("h", 8, due=11), clock("g", 8, due=11)
    shown = Ticket.shown_clock
    assert shown([unstarted]) is None
    assert shown([unstarted, intervened, qualified]) is intervened  # the last stopped
    last_kind = clock("z", 8, stopped=10)
    assert shown([last_kind, intervened]) is last_kind  # the last kind of equals
    assert shown([intervened, suspended, other_suspended]) is other_suspended  # the first kind
    assert shown([suspended, due_late, due_soon, due_soon_too, intervened]) is due_soon_too  # due first, first kind
