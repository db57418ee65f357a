"""Speed on the real ServiceNow log (20,769 tickets, 119,998 events) and, with JALON_BENCH=1,
on a million tickets (the log copied 49 times)."""

from __future__ import annotations

import os
import time
from functools import cache

import pytest

from jalon.conventions import Period, evaluate, load
from jalon.conventions.tests.support import CONVENTIONS, SERVICENOW_LOG, read_servicenow_log, replicate
from jalon.imports.ticketset import TicketSet

pytestmark = pytest.mark.skipif(not SERVICENOW_LOG.exists(), reason="the shared ServiceNow log is absent")


@cache
def servicenow_log() -> TicketSet:
    return read_servicenow_log()


@pytest.mark.parametrize("name", ["aquareel-tma.yaml", "lade-tmes.yaml", "cd13-callipso.yaml"])
def test_real_log_scores_well_within_three_seconds(name: str):
    tickets = servicenow_log()
    convention = load(CONVENTIONS / name)
    began = time.perf_counter()
    card = evaluate(convention, tickets, [], Period.parse("2016"), "servicenow")
    elapsed = time.perf_counter() - began
    assert card.warnings == []
    assert sum(len(t) for t in card.clocks.values()) > 10_000
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"


@pytest.mark.skipif(os.environ.get("JALON_BENCH") != "1", reason="set JALON_BENCH=1 (about a minute)")
def test_a_million_tickets_score_within_twenty_seconds():
    tickets = replicate(servicenow_log(), 49)
    assert len(tickets) > 1_000_000
    convention = load(CONVENTIONS / "cd13-callipso.yaml")
    began = time.perf_counter()
    evaluate(convention, tickets, [], Period.parse("2016"), "servicenow")
    elapsed = time.perf_counter() - began
    assert elapsed < 20.0, f"{elapsed:.1f} s"
