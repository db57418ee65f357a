from __future__ import annotations

from pathlib import Path

import pytest

from jalon.conventions import InputError, Period, evaluate, load, load_measures, loads
from jalon.conventions.tests.support import CONVENTIONS, ticketset
from jalon.conventions.tests.test_loader import MINIMAL

# Monday 2 March 2026: Paris is UTC+1, so 07:00Z is 08:00, the opening of an 8h-18h calendar.
MONDAY = "2026-03-02"


def at(hhmm: str, day: str = MONDAY) -> str:
    return f"{day} {hhmm}"


def snow(number: str, opened: str, resolved: str, events: list[tuple[str, str]], **extra: object) -> dict[str, object]:
    ticket: dict[str, object] = {
        "id": number,
        "opened": opened,
        "resolved": resolved,
        "events": events,
        "priority": "1 - Critical",
        "urgency": "1 - High",
        "impact": "1 - High",
        "contact_type": "Phone",
        "group": "Group 1",
    }
    ticket.update(extra)
    return ticket


def card_for(path: str | Path, tickets, period: str = "2026-03", measures=(), profile="servicenow"):
    convention = load(path) if isinstance(path, Path) else loads(path, "conv.yaml")
    return evaluate(convention, tickets, list(measures), Period.parse(period), profile)


def indicator(card, family_id: str, indicator_id: str):
    family = next(f for f in card.families if f.id == family_id)
    return next(i for i in family.indicators if i.id == indicator_id)


def test_seed_003_example_1_per_item_clock_gives_8_points():
    # expected 1 h, step 30 min, weight 2; the clock runs 2h45 of business time -> 8 points
    tickets = ticketset(
        [
            {
                "id": "T1",
                "priority": "1",
                "opened": at("07:00"),
                "resolved": at("09:45"),
                "events": [(at("07:00"), "New"), (at("09:45"), "Done")],
            }
        ]
    )
    card = card_for(MINIMAL, tickets, profile="tool")
    result = indicator(card, "f", "I1")
    assert card.clocks["gtr"].elapsed.tolist() == [2 * 3600 + 45 * 60]
    assert result.points == 8
    assert result.steps == 4
    assert card.total_points == 8


def test_it_pauses_clock_while_waiting_for_the_user():
    tickets = ticketset(
        [
            snow(
                "INC1",
                at("07:00"),
                at("11:45"),
                [
                    (at("07:00"), "New"),
                    (at("07:20"), "Active"),
                    (at("08:00"), "Awaiting User Info"),
                    (at("09:00"), "Active"),
                    (at("11:45"), "Resolved"),
                ],
            )
        ]
    )
    card = card_for(CONVENTIONS / "cd13-callipso.yaml", tickets)
    gtr = card.clocks["gtr"]
    assert gtr.elapsed.tolist() == [3 * 3600 + 45 * 60]  # 4h45 minus the 1 h wait
    assert gtr.target.tolist() == [2 * 3600]  # P1 from U1 x impact 1
    assert card.clocks["gti-p1"].elapsed.tolist() == [20 * 60]
    # R09: 1h45 beyond the 2 h GTR = 2 started hours x weight 2
    assert indicator(card, "exploitation", "R09").points == 4


def test_waiting_for_a_vendor_does_not_pause_the_clock():
    tickets = ticketset(
        [
            snow(
                "INC1",
                at("07:00"),
                at("09:00"),
                [
                    (at("07:00"), "New"),
                    (at("07:30"), "Awaiting Vendor"),
                    (at("09:00"), "Resolved"),
                ],
            )
        ]
    )
    card = card_for(CONVENTIONS / "cd13-callipso.yaml", tickets)
    assert card.clocks["gtr"].elapsed.tolist() == [2 * 3600]
    assert card.clocks["gtr"].met().tolist() == [True]  # exactly on the deadline is on time


def test_seed_003_example_2_monthly_share_gives_6_points():
    # 25 P1 incidents in March, 22 resolved within the 2 h GTR: 88 % < 90 % -> 2 steps x 3
    tickets = ticketset(
        [
            snow(
                f"INC{i}",
                at("07:00"),
                at("08:00" if i < 22 else "10:00"),
                [(at("07:00"), "New"), (at("07:05"), "Active"), (at("08:00" if i < 22 else "10:00"), "Resolved")],
            )
            for i in range(25)
        ]
    )
    card = card_for(CONVENTIONS / "cd13-callipso.yaml", tickets, period="2026-Q1")
    r11 = indicator(card, "exploitation", "R11")
    assert r11.value == pytest.approx(88.0)
    assert r11.points == 6
    assert [w.period for w in r11.windows] == ["2026-01", "2026-02", "2026-03"]
    assert indicator(card, "exploitation", "R12").points == 0  # all within 2 x GTR
    assert indicator(card, "exploitation", "R09").points == 3 * 2  # 3 x 1 started hour x 2


def test_take_in_charge_leaves_the_new_state():
    tickets = ticketset(
        [
            snow(
                "INC1",
                at("07:00"),
                at("08:00"),
                [(at("07:00"), "New"), (at("07:08"), "Active"), (at("08:00"), "Resolved")],
                contact_type="Self service",
            ),
            snow(
                "INC2",
                at("07:00"),
                at("08:00"),
                [(at("07:00"), "New"), (at("07:15"), "Active"), (at("08:00"), "Resolved")],
                contact_type="Self service",
            ),
        ]
    )
    card = card_for(CONVENTIONS / "lade-tmes.yaml", tickets)
    assert card.clocks["prise_en_charge"].elapsed.tolist() == [480, 900]
    s8a = indicator(card, "tms", "S8a")
    assert s8a.value == 50.0
    assert s8a.evidence == 2
    assert s8a.note == 0  # 48 % below 94 % x 2 points + 2, floored at 0


def test_clock_still_running_at_period_end_is_measured_to_it():
    tickets = ticketset([snow("INC1", at("07:00"), "", [(at("07:00"), "New"), (at("08:00"), "Active")])])
    card = card_for(CONVENTIONS / "cd13-callipso.yaml", tickets)
    gtr = card.clocks["gtr"]
    assert gtr.running.tolist() == [True]
    assert gtr.met().tolist() == [False]
    assert indicator(card, "exploitation", "R11").value is None  # judged once stopped


def test_backlog_count_and_age_at_period_end():
    tickets = ticketset(
        [
            snow("A", "2026-03-30 08:00", "", [("2026-03-30 08:00", "New")], priority="3 - Moderate"),
            snow("B", "2026-03-29 22:00", "2026-04-02 08:00", [("2026-03-29 22:00", "New")], priority="3 - Moderate"),
            snow("C", "2026-03-02 08:00", "2026-03-03 08:00", [("2026-03-02 08:00", "New")], priority="3 - Moderate"),
        ]
    )
    card = card_for(CONVENTIONS / "lade-tmes.yaml", tickets)
    assert indicator(card, "tms", "S3").value == 2
    # end of March in Paris is 2026-03-31 22:00Z: ages 1.583 and 2.0 calendar days
    assert indicator(card, "tms", "S5").value == pytest.approx((38 / 24 + 48 / 24) / 2)
    assert indicator(card, "tms", "S5").note == 20


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


FOUR_FAMILIES = """\
format: jalon-convention/1
version: "1"
contract: {id: ex, title: Example, buyer: {name: B}, holder: {name: H}}
families:
  - {id: pilotage, label: P, cost_share: 10}
  - {id: tms, label: S, cost_share: 40}
  - {id: tme, label: T, cost_share: 40}
  - {id: ponctuel, label: O, cost_share: 10}
types: [incident]
states: [{id: new, phase: new}]
priorities: [P1]
profiles: {tool: {priority: {values: {}}, state: {values: {}}}}
indicators:
"""
for family in ("pilotage", "tms", "tme", "ponctuel"):
    FOUR_FAMILIES += (
        f"  - {{id: {family}-x, label: x, family: {family}, kind: measure,\n"
        f"     note: {{deductions: [{{above: 0, per: 1, points: 1, rounding: exact}}]}}}}\n"
    )
FOUR_FAMILIES += """\
scoring:
  divide_by: hundred
  bonus_malus: [{from: 16, outcome: bonus, percent: 2}, {from: 0, outcome: malus, percent: 2}]
"""


def test_seed_002_worked_example_gives_global_note_16_50(tmp_path: Path):
    measures = write(
        tmp_path,
        "measures.csv",
        (
            "indicator,period,value,item,comment\n"
            "pilotage-x,2026-Q1,4,,\ntms-x,2026-Q1,3.5,,\ntme-x,2026-Q1,3,,\nponctuel-x,2026-Q1,5,,\n"
        ),
    )
    convention = loads(FOUR_FAMILIES, "example.yaml")
    card = evaluate(convention, None, load_measures(measures), Period.parse("2026-Q1"))
    assert [f.note for f in card.families] == [16, 16.5, 17, 15]
    assert card.global_note == pytest.approx(16.50)
    assert card.bonus_malus == "bonus"


def test_cost_share_of_the_quarter_comes_from_the_measures(tmp_path: Path):
    measures = write(
        tmp_path,
        "m.yaml",
        (
            "measures:\n"
            "  - {indicator: pilotage-x, period: 2026-Q1, value: 0}\n"
            "  - {indicator: tms-x, period: 2026-Q1, value: 10}\n"
            "  - {indicator: cost_share.pilotage, period: 2026-Q1, value: 50}\n"
            "  - {indicator: cost_share.tms, period: 2026-Q1, value: 50}\n"
        ),
    )
    card = evaluate(loads(FOUR_FAMILIES, "e.yaml"), None, load_measures(measures), Period.parse("2026-Q1"))
    assert card.global_note == pytest.approx((50 * 20 + 50 * 10) / 100)


def test_one_off_family_notes_each_item_then_averages(tmp_path: Path):
    measures = write(
        tmp_path,
        "m.csv",
        (
            "indicator,period,value,item\n"
            "B1,2026-Q1,1,UO-1\nB2,2026-Q1,0,UO-1\nB3,2026-Q1,0,UO-1\n"
            "B1,2026-Q1,0,UO-2\nB2,2026-Q1,2,UO-2\nB3,2026-Q1,1,UO-2\n"
        ),
    )
    card = evaluate(load(CONVENTIONS / "lade-tmes.yaml"), None, load_measures(measures), Period.parse("2026-Q1"))
    ponctuel = next(f for f in card.families if f.id == "ponctuel")
    assert ponctuel.item_notes == pytest.approx({"UO-1": 200 / 11, "UO-2": 165 / 11})
    assert ponctuel.note == pytest.approx(365 / 22)


def test_composite_sums_its_rows_deductions(tmp_path: Path):
    measures = write(tmp_path, "m.csv", "indicator,period,value\nT3-critique,2026-Q1,97\nT3-non-critique,2026-Q1,90\n")
    card = evaluate(load(CONVENTIONS / "lade-tmes.yaml"), None, load_measures(measures), Period.parse("2026-Q1"))
    t3 = indicator(card, "tme", "T3")
    assert [p.note for p in t3.parts] == [16, 12]
    assert t3.note == 8
    assert next(f for f in card.families if f.id == "tme").note == 8


def test_annual_indicator_counts_only_in_the_last_quarter(tmp_path: Path):
    measures = load_measures(write(tmp_path, "m.csv", "indicator,period,value\nP1,2026,17\n"))
    convention = load(CONVENTIONS / "lade-tmes.yaml")
    q3 = evaluate(convention, None, measures, Period.parse("2026-Q3"))
    q4 = evaluate(convention, None, measures, Period.parse("2026-Q4"))
    assert indicator(q3, "pilotage", "P1").counted is False
    assert indicator(q4, "pilotage", "P1").note == 15
    assert next(f for f in q4.families if f.id == "pilotage").note == 15


def test_unmapped_values_name_file_row_and_field():
    tickets = ticketset(
        [
            snow("INC1", at("07:00"), at("08:00"), [(at("07:00"), "New")], priority="5 - Planning"),
            snow("INC2", at("07:00"), at("08:00"), [(at("07:00"), "Parked")], priority="1 - Critical"),
        ]
    )
    convention = load(CONVENTIONS / "lade-tmes.yaml")
    card = evaluate(convention, tickets, [], Period.parse("2026-03"), "servicenow")
    assert card.warnings[0].startswith("export.csv:2: priority: '5 - Planning' is not mapped by profile")
    assert card.warnings[1].startswith("export.csv:3: state: 'Parked' is not mapped")
    assert len(card.clocks["resolution"]) == 0
    with pytest.raises(InputError) as caught:
        evaluate(convention, tickets, [], Period.parse("2026-03"), "servicenow", on_error="fail")
    assert "export.csv:2: priority:" in caught.value.errors[0]


def test_bad_measures_name_file_line_and_field(tmp_path: Path):
    path = write(tmp_path, "m.csv", "indicator,period,value\nS1,2026-Q5,90\nS2,2026-Q1,beaucoup\n")
    with pytest.raises(InputError) as caught:
        load_measures(path)
    assert caught.value.errors[0].startswith(f"{path}:2: period:")
    assert caught.value.errors[1] == f"{path}:3: value: 'beaucoup' is not a number"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", "2026-01-01", "2027-01-01"),
        ("2026-Q4", "2026-10-01", "2027-01-01"),
        ("2026-03", "2026-03-01", "2026-04-01"),
    ],
)
def test_period_parsing(text: str, start: str, end: str):
    period = Period.parse(text)
    assert (str(period.start), str(period.end), str(period)) == (start, end, text)


def test_period_bounds_are_read_in_the_contract_zone():
    begin, end = Period.parse("2026-Q2").bounds("Europe/Paris")
    assert str(begin) == "2026-03-31T22:00:00"
    assert str(end) == "2026-06-30T22:00:00"


def test_bad_period_is_refused():
    with pytest.raises(ValueError, match="2026-13"):
        Period.parse("2026-13")


def test_annual_indicator_counts_in_the_quarter_holding_the_last_day_of_a_year_from_the_start(tmp_path: Path):
    measures = load_measures(write(tmp_path, "m.csv", "indicator,period,value\nP1,2027-Q1,17\n"))
    text = (CONVENTIONS / "lade-tmes.yaml").read_text().replace("year_end_month: 12", "starts: 2026-04-01")
    convention = loads(text, "lade-avril.yaml")
    q4 = evaluate(convention, None, measures, Period.parse("2026-Q4"))
    q1 = evaluate(convention, None, measures, Period.parse("2027-Q1"))
    assert indicator(q4, "pilotage", "P1").counted is False
    assert indicator(q1, "pilotage", "P1").note == 15
