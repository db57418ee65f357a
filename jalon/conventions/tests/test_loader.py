from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from jalon.conventions import ConventionError, convention_hash, load, loads
from jalon.conventions.loader import SCHEMA_PATH
from jalon.conventions.tests.support import CONVENTIONS

SHIPPED = sorted(CONVENTIONS.glob("*.yaml"))

MINIMAL = """\
format: jalon-convention/1
version: "1"
contract: {id: c, title: C, buyer: {name: B}, holder: {name: H}}
families: [{id: f, label: F, scoring: penalty}]
calendars:
  ho: {hours: "mon-fri 08:00-18:00", holidays: FR, business_day: 10h}
types: [incident]
states: [{id: new, phase: new}, {id: done, phase: resolved}]
priorities: [P1]
profiles:
  tool:
    priority: {values: {"1": P1}}
    state: {values: {New: new, Done: done}}
clocks:
  - {id: gtr, types: [incident], start: opened, stop: resolved, calendar: ho, targets: {P1: 1h}}
indicators:
  - id: I1
    label: late
    family: f
    kind: clock_overrun
    clock: gtr
    penalty: {step: 30min, weight: 2, per_item: true}
"""


def test_shipped_conventions_are_three():
    assert {p.name for p in SHIPPED} == {"aquareel-tma.yaml", "lade-tmes.yaml", "cd13-callipso.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_convention_loads_clean(path: Path):
    convention = load(path)
    assert convention.format == "jalon-convention/1"
    assert "servicenow" in convention.profiles
    assert convention.sha256 == convention_hash(path)


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text()))


def test_minimal_convention_loads():
    convention = loads(MINIMAL, "min.yaml")
    assert convention.clock("gtr").targets["P1"].seconds == 3600
    assert convention.indicator("I1").penalty.step == 1800


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConventionError) as caught:
        loads(text, "bad.yaml")
    return caught.value.errors


def test_schema_errors_name_file_line_and_field():
    text = MINIMAL.replace("penalty: {step: 30min, weight: 2", "penalty: {step: 30min, weight: two")
    (error,) = errors_of(text)
    assert error.startswith("bad.yaml:22: indicators[0].penalty.weight:")
    assert "'two'" in error


def test_every_semantic_error_is_reported_at_once():
    text = (
        MINIMAL.replace("calendar: ho,", "calendar: hx,")
        .replace('"1": P1', '"1": P9')
        .replace("Done: done", "Done: finished")
        .replace("clock: gtr", "clock: gti")
    )
    errors = errors_of(text)
    assert "bad.yaml:12: profiles.tool.priority.values.1: 'P9' is not declared (known: P1)" in errors
    assert any(e.startswith("bad.yaml:13: profiles.tool.state.values.Done: 'finished'") for e in errors)
    assert any(e.startswith("bad.yaml:15: clocks[0].calendar: 'hx' is not declared") for e in errors)
    assert any(e.startswith("bad.yaml:21: indicators[0].clock: 'gti' is not declared") for e in errors)
    assert len(errors) == 4


def test_matrix_cells_must_be_declared_priorities():
    text = MINIMAL.replace(
        "priorities: [P1]\n",
        "priorities: [P1]\npriority_matrix:\n  impacts: [a, b]\n  rows:\n    u1: [P1, P2]\n",
    )
    assert errors_of(text) == ["bad.yaml:13: priority_matrix.rows.u1[1]: 'P2' is not a declared priority"]


def test_day_targets_need_a_fixed_business_day():
    text = MINIMAL.replace("business_day: 10h", "business_day: same_time").replace("{P1: 1h}", "{P1: 2j}")
    (error,) = errors_of(text)
    assert error.startswith("bad.yaml:15: clocks[0].targets.P1:")
    assert "fixed business_day" in error


def test_bad_calendar_hours_name_the_field():
    (error,) = errors_of(MINIMAL.replace("mon-fri 08:00-18:00", "mon-fri 8-18"))
    assert error.startswith("bad.yaml:6: calendars.ho.hours:")


def test_duplicate_keys_are_refused():
    text = MINIMAL.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    assert errors_of(text) == ["bad.yaml:3: version: key written twice"]


def test_yaml_syntax_error_names_the_line():
    (error,) = errors_of(MINIMAL.replace("types: [incident]", "types: [incident"))
    assert error.startswith("bad.yaml:")
    assert "(YAML)" in error


def test_penalty_family_indicator_needs_a_penalty():
    text = MINIMAL.replace("    penalty: {step: 30min, weight: 2, per_item: true}\n", "")
    (error,) = errors_of(text)
    assert error == "bad.yaml:17: indicators[0]: family 'f' is scored by penalty: penalty missing"


def test_unknown_filter_dimension_is_named():
    text = MINIMAL.replace("    clock: gtr\n", "    clock: gtr\n    filter: {origin: [phone]}\n")
    (error,) = errors_of(text)
    assert error.startswith("bad.yaml:22: indicators[0].filter.origin: no profile maps")


def test_missing_file_is_one_clear_error(tmp_path: Path):
    with pytest.raises(ConventionError) as caught:
        load(tmp_path / "none.yaml")
    assert "cannot read" in caught.value.errors[0]


def test_the_contract_year_follows_the_start_date_written_in_the_file():
    text = MINIMAL.replace("holder: {name: H}}", "holder: {name: H}, starts: 2026-03-15}")
    contract = loads(text, "c.yaml").contract
    assert str(contract.contract_year().holding(contract.starts)) == "2026-03-15..2027-03-14"
    # the platform's record of the start, when it has one, wins over the file's (D-50)
    assert str(contract.contract_year(starts_on=date(2026, 4, 1)).holding(date(2026, 5, 1))) == (
        "2026-04-01..2027-03-31")


def test_a_year_end_month_contradicting_the_start_date_is_refused():
    text = MINIMAL.replace("holder: {name: H}}",
                           "holder: {name: H},\n  starts: 2026-03-15, year_end_month: 12}")
    with pytest.raises(ConventionError) as caught:
        loads(text, "c.yaml")
    assert caught.value.errors == [
        "c.yaml:4: contract.year_end_month: 12 contradicts starts (2026-03-15): its contract "
        "years end in month 3; write one of the two"]
    agreeing = text.replace("year_end_month: 12", "year_end_month: 3")
    assert loads(agreeing, "c.yaml").contract.year_end_month == 3
