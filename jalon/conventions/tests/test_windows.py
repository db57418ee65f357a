"""The truth at each window's end (D-08, issue 11 §2): every figure of a period, and of every
month inside a quarter, is judged on the history up to that window's end."""

from __future__ import annotations

import pytest

from jalon.conventions import Period, evaluate, load, loads
from jalon.conventions.evaluate import IndicatorResult, Scorecard
from jalon.conventions.report import evidence_rows, scorecard_dict
from jalon.conventions.tests.support import CONVENTIONS, REPO, ticketset
from jalon.imports import read_export
from jalon.imports.ticketset import TicketSet

# Paris is UTC+1 until 29 March 2026, UTC+2 after: the first quarter ends at 2026-03-31 22:00Z.
CONVENTION = """\
format: jalon-convention/1
version: "1"
contract: {id: c, title: C, buyer: {name: B}, holder: {name: H}}
families:
  - {id: suivi, label: Suivi, scoring: none}
  - {id: penalites, label: Pénalités, scoring: penalty}
calendars:
  ho: {hours: "mon-fri 08:00-18:00", holidays: FR, business_day: 10h}
  h24: {hours: "24/7", holidays: none, business_day: none}
types: [incident]
states:
  - {id: nouveau, phase: new}
  - {id: en_cours, phase: active}
  - {id: resolu, phase: resolved}
  - {id: clos, phase: closed}
  - {id: annule, phase: cancelled}
priorities: [P1]
profiles:
  tool:
    priority: {values: {"1": P1}}
    state: {values: {New: nouveau, Active: en_cours, Resolved: resolu, Closed: clos, Cancelled: annule}}
clock_defaults: {on_reopen: resume}
clocks:
  - {id: gtr, types: [incident], start: opened, stop: resolved, calendar: ho, targets: {P1: 10h}}
  - {id: cloture, types: [incident], start: opened, stop: closed, calendar: h24, targets: {P1: 1h}}
  - {id: prise, types: [incident], start: opened, stop: {leave: [nouveau]}, calendar: ho,
     targets: {P1: 1h}}
indicators:
  - {id: backlog, label: Backlog, family: suivi, kind: backlog_count}
  - {id: resolus, label: Résolus, family: suivi, kind: count, counted_on: stop}
  - {id: reouverture, label: Réouvertures, family: suivi, kind: reopen_rate}
  - {id: contact, label: Premier contact, family: suivi, kind: first_contact, within: cloture}
  - {id: prises, label: Prises en charge, family: suivi, kind: clock_share, clock: prise,
     counted_on: start}
  - id: gtr_mois
    label: GTR dans le mois
    family: penalites
    kind: clock_share
    clock: gtr
    frequency: monthly
    penalty: {expected: 90, step: 1, weight: 3}
  - id: prises_mois
    label: Prises en charge dans le mois
    family: penalites
    kind: clock_share
    clock: prise
    counted_on: start
    frequency: monthly
    penalty: {expected: 90, step: 1, weight: 3}
"""


def score(tickets: TicketSet, period: str) -> Scorecard:
    return evaluate(loads(CONVENTION, "c.yaml"), tickets, [], Period.parse(period), "tool")


def figure(card: Scorecard, indicator_id: str) -> IndicatorResult:
    return next(i for f in card.families for i in f.indicators if i.id == indicator_id)


def incident(number: str, events: list[tuple[str, str]], **columns: object) -> dict[str, object]:
    return {"id": number, "priority": "1", "opened": events[0][0], "events": events, **columns}


# Resolved in March, reopened in April, resolved again in April; a tool's resolution column
# dates the last resolution.
RESOLVED_IN_MARCH_REOPENED_IN_APRIL = incident(
    "R1",
    [
        ("2026-03-02 08:00", "New"),
        ("2026-03-02 09:00", "Active"),
        ("2026-03-02 10:00", "Resolved"),
        ("2026-04-07 08:00", "Active"),
        ("2026-04-07 09:00", "Resolved"),
    ],
    resolved="2026-04-07 09:00",
    reopen_count=1,
)


# Resolved on time in January (2 h), reopened in February and resolved again 10 h of business
# time later (12 h in all): late in February, on time at the end of January.
RESOLVED_IN_JANUARY_REOPENED_IN_FEBRUARY = incident(
    "M1",
    [
        ("2026-01-05 07:00", "New"),
        ("2026-01-05 09:00", "Resolved"),
        ("2026-02-02 07:00", "Active"),
        ("2026-02-03 07:00", "Resolved"),
    ],
    resolved="2026-02-03 07:00",
    reopen_count=1,
)


def test_it_leaves_out_of_the_backlog_a_ticket_resolved_at_the_end_even_if_reopened_later():
    card = score(ticketset([RESOLVED_IN_MARCH_REOPENED_IN_APRIL]), "2026-Q1")
    assert figure(card, "backlog").value == 0


def test_it_counts_in_the_backlog_a_ticket_reopened_before_the_end_whatever_its_column_says():
    # the column still dates the first resolution: the history says the ticket was open again
    reopened = incident(
        "R2",
        [("2026-02-02 08:00", "New"), ("2026-02-02 10:00", "Resolved"), ("2026-03-20 08:00", "Active")],
        resolved="2026-02-02 10:00",
        reopen_count=1,
    )
    assert figure(score(ticketset([reopened]), "2026-Q1"), "backlog").value == 1


def test_it_counts_a_ticket_resolved_in_the_period_and_reopened_after_it_as_resolved_in_the_period():
    tickets = ticketset([RESOLVED_IN_MARCH_REOPENED_IN_APRIL])
    q1, q2 = score(tickets, "2026-Q1"), score(tickets, "2026-Q2")
    assert figure(q1, "resolus").value == 1  # its first resolution
    assert figure(q2, "resolus").value == 1  # and its last one
    # not reopened by the end of March: the later reopening belongs to the second quarter
    assert figure(q1, "reouverture").value == 0
    assert figure(q2, "reouverture").value == 100


def test_a_ticket_resolved_in_the_period_whose_other_clock_still_runs_is_not_judged_on_it():
    # resolved in March, not closed by the end of March: the closure clock still runs then
    resolved_open = incident(
        "C1",
        [("2026-03-30 08:00", "New"), ("2026-03-30 08:30", "Resolved"), ("2026-04-01 08:00", "Closed")],
        resolved="2026-03-30 08:30",
        closed="2026-04-01 08:00",
    )
    contact = figure(score(ticketset([resolved_open]), "2026-Q1"), "contact")
    assert (contact.value, contact.evidence) == (None, 0)


def test_the_summary_does_not_count_a_clock_still_running_as_overrun():
    running = incident("C2", [("2026-03-02 08:00", "New")])
    summary = scorecard_dict(score(ticketset([running]), "2026-Q1"))["clocks"]["gtr"]
    assert summary == {"count": 1, "met": 0, "overrun": 0, "running": 1}


def test_a_month_inside_a_quarter_gives_the_figures_of_the_month_scored_alone():
    tickets = ticketset(
        [
            RESOLVED_IN_MARCH_REOPENED_IN_APRIL,
            RESOLVED_IN_JANUARY_REOPENED_IN_FEBRUARY,
            # taken in charge after the end of January: running then, late in February
            incident("M2", [("2026-01-30 16:00", "New"), ("2026-02-02 12:00", "Active")]),
        ]
    )
    quarter = score(tickets, "2026-Q1")
    for month_index, month in enumerate(("2026-01", "2026-02", "2026-03")):
        alone = score(tickets, month)
        for name in ("gtr_mois", "prises_mois"):
            inside, single = figure(quarter, name).windows[month_index], figure(alone, name)
            assert (inside.value, inside.evidence, inside.points) == (single.value, single.evidence, single.points)
    january = score(tickets, "2026-01")
    gtr = figure(january, "gtr_mois")
    assert (gtr.value, gtr.evidence, gtr.points) == (100.0, 1, 0.0)
    # M1 was taken in charge late in January; M2 still waited then: it is not judged failed
    prises = figure(january, "prises_mois")
    assert (prises.value, prises.evidence) == (0.0, 1)


def test_a_cancelled_ticket_is_never_pending():
    cancelled = incident("X1", [("2026-03-02 08:00", "New"), ("2026-03-02 08:20", "Cancelled")])
    card = score(ticketset([cancelled]), "2026-Q1")
    assert figure(card, "backlog").value == 0
    # nor is any of its clocks: cancelling is neither taking charge nor a resolution
    assert {name: len(table) for name, table in card.clocks.items()} == {"gtr": 0, "cloture": 0, "prise": 0}


def test_a_ticket_cancelled_after_its_resolution_keeps_its_resolution():
    resolved_then_cancelled = incident(
        "X2", [("2026-03-02 08:00", "New"), ("2026-03-02 09:00", "Resolved"), ("2026-03-02 10:00", "Cancelled")]
    )
    card = score(ticketset([resolved_then_cancelled]), "2026-Q1")
    assert card.clocks["gtr"].elapsed.tolist() == [3600]
    assert figure(card, "backlog").value == 0


def test_a_ticket_cancelled_then_reopened_is_pending_again():
    events = [("2026-03-02 08:00", "New"), ("2026-03-02 08:20", "Cancelled"), ("2026-03-03 08:00", "Active")]
    assert figure(score(ticketset([incident("X3", events)]), "2026-Q1"), "backlog").value == 1


def without(tickets: TicketSet, counter: str) -> TicketSet:
    del tickets.counters[counter]
    return tickets


def test_an_indicator_whose_column_the_export_lacks_reports_no_data_and_the_others_are_computed():
    tickets = without(ticketset([RESOLVED_IN_MARCH_REOPENED_IN_APRIL]), "reopen_count")
    card = score(tickets, "2026-Q1")
    reopen = figure(card, "reouverture")
    assert (reopen.value, reopen.evidence, reopen.counted) == (None, 0, False)
    assert "reopen_count" in reopen.reason
    assert figure(card, "resolus").value == 1


@pytest.mark.parametrize("period", ["2026-03", "2026-Q1"])
def test_the_figures_of_a_period_do_not_move_when_later_history_arrives(period: str):
    history = RESOLVED_IN_MARCH_REOPENED_IN_APRIL["events"]
    assert isinstance(history, list)
    known_then = incident("R1", history[:3], resolved="2026-03-02 10:00")
    before = scorecard_dict(score(ticketset([known_then]), period))
    after = scorecard_dict(score(ticketset([RESOLVED_IN_MARCH_REOPENED_IN_APRIL]), period))
    assert before["families"] == after["families"]
    assert before["clocks"] == after["clocks"]


def test_reopenings_the_history_does_not_date_come_from_the_tool_s_counter():
    # a list export: its history is rebuilt from date columns and never shows a reopening
    listed = incident("L1", [("2026-03-02 08:00", "New"), ("2026-03-02 10:00", "Resolved")],
                      resolved="2026-03-02 10:00", reopen_count=2)
    assert figure(score(ticketset([listed]), "2026-Q1"), "reouverture").value == 100


def test_a_resolution_seen_at_a_window_end_stays_there_when_the_tool_dates_it_later():
    # the history shows the ticket resolved on 17 March; the tool's column says 1 April, with no
    # reopening in between: one resolution, counted once, where the first quarter saw it
    restamped = incident(
        "S1",
        [("2026-03-16 08:00", "New"), ("2026-03-17 09:00", "Resolved"), ("2026-04-06 07:00", "Closed")],
        resolved="2026-04-01 06:00",
    )
    tickets = ticketset([restamped])
    q1, q2 = score(tickets, "2026-Q1"), score(tickets, "2026-Q2")
    assert (figure(q1, "resolus").value, figure(q2, "resolus").value) == (1, 0)
    assert q1.clocks["gtr"].stop.tolist() == q2.clocks["gtr"].stop.tolist()
    assert figure(q2, "gtr_mois").evidence == 0


def test_aquareel_on_a_glpi_list_export_reports_no_reopen_rate_and_scores_the_rest():
    export = read_export(REPO / "jalon" / "imports" / "tests" / "data" / "glpi_tickets.csv", "glpi").tickets
    card = evaluate(load(CONVENTIONS / "aquareel-tma.yaml"), export, [], Period.parse("2025-Q1"), "glpi")
    reopen = figure(card, "V5")
    assert (reopen.value, reopen.counted) == (None, False)
    assert reopen.reason == "no data: the export has no reopen_count column"
    assert figure(card, "V1").value == len(export)
    assert figure(card, "V3").value is not None


def test_the_evidence_shows_the_clock_a_month_was_judged_on_as_it_stood_at_the_month_end():
    card = score(ticketset([RESOLVED_IN_JANUARY_REOPENED_IN_FEBRUARY]), "2026-Q1")
    rows = [(r[0], r[6], r[7], r[9], r[10]) for r in evidence_rows(card) if r[1] == "gtr"]
    assert rows == [
        ("M1", "2026-02-03 07:00:00", 720.0, "dépassé", "2026-Q1"),
        ("M1", "2026-01-05 09:00:00", 120.0, "respecté", "2026-01"),
    ]
