"""Each shipped convention scores the real ServiceNow log (20,769 tickets, 119,998 events).

Speed is measured by benchmarks/scorecard_bench.py, not here: a timed test fails on a busy
machine and proves nothing on an idle one."""

from __future__ import annotations

from functools import cache

import pytest

from jalon.conventions import Period, evaluate, load
from jalon.conventions.tests.support import CONVENTIONS, read_servicenow_log
from jalon.imports.ticketset import TicketSet


@cache
def servicenow_log() -> TicketSet:
    return read_servicenow_log()


@pytest.mark.parametrize("name", ["aquareel-tma.yaml", "lade-tmes.yaml", "cd13-callipso.yaml"])
def test_each_convention_scores_the_real_log_without_warnings(name: str):
    card = evaluate(load(CONVENTIONS / name), servicenow_log(), [], Period.parse("2016"), "servicenow")
    assert card.warnings == []
    assert sum(len(t) for t in card.clocks.values()) > 10_000
