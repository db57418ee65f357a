from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jalon.imports import describe, read_export

DATA = Path(__file__).parent / "data"
REAL_LOG = (Path(__file__).resolve().parents[3] / "data" / "servicenow-incident-event-log"
            / "incident_event_log.csv.xz")


def at(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


@pytest.fixture(scope="module")
def sample():
    return read_export(DATA / "servicenow_sample.csv", "servicenow")


def test_it_groups_real_rows_into_incidents_in_file_order(sample):
    assert sample.tickets.ids.tolist() == ["INC0000045", "INC0000102", "INC0000137", "INC0028089"]
    assert sample.tickets.rows.tolist() == [2, 6, 25, 29]
    assert sample.stats.rows_read == 33


def test_it_rebuilds_the_state_history_with_pauses_in_utc(sample):
    # Paris is UTC+1 in March 2016: 29/2/2016 09:13 local is 08:13 UTC.
    assert sample.tickets.history("INC0000102") == [
        (at("2016-02-29T08:13"), "New"),
        (at("2016-02-29T19:09"), "Awaiting User Info"),
        (at("2016-03-03T16:29"), "Active"),
        (at("2016-03-07T10:50"), "Awaiting User Info"),
        (at("2016-03-14T07:13"), "Resolved"),
        (at("2016-03-17T15:27"), "Active"),
        (at("2016-03-17T15:28"), "Resolved"),
        (at("2016-03-24T17:59"), "Closed"),
    ]


def test_it_sorts_updates_written_out_of_order(sample):
    # The log lists 29/2/2016 11:10 before 09:52 for this incident.
    assert sample.tickets.history("INC0000137")[0] == (at("2016-02-29T08:52"), "New")


def test_it_drops_minus_100_states_and_counts_them(sample):
    assert [state for _, state in sample.tickets.history("INC0028089")] == [
        "New", "Resolved", "Closed"]
    assert sample.stats.ignored_states == {"-100": 2}
    assert "2 events in state '-100' ignored" in describe(sample)


def test_ticket_fields_come_from_the_last_update(sample):
    tickets = sample.tickets
    index = tickets.ids.tolist().index("INC0000102")
    assert tickets.counters["reopen_count"][index] == 1
    assert tickets.counters["reassignment_count"][index] == 4
    assert tickets.attributes["made_sla"][index] == "false"
    assert tickets.attributes["type"][index] == "Incident"
    assert tickets.opened_at[index] == at("2016-02-29T08:06")
    assert tickets.resolved_at[index] == at("2016-03-17T15:28")


def test_question_marks_are_missing_values(sample):
    index = sample.tickets.ids.tolist().index("INC0000045")
    assert sample.tickets.attributes["assigned_to"][index] == ""


def test_the_real_event_log_reads_end_to_end():
    result = read_export(REAL_LOG, "servicenow")
    assert len(result.tickets) == 20_769
    assert result.stats.rows_read == 119_998
    assert result.problems == []
    assert result.stats.ignored_states == {"-100": 2}
    assert np.all(np.diff(result.tickets.event_ticket) >= 0)
    assert not np.isnat(result.tickets.opened_at).any()
