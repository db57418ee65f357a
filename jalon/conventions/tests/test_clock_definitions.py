"""What a clock definition can say beyond "from this event to that one, in this many hours":
the tickets it applies to (``filter``), a calendar chosen by team or site, an instant written on
the record as its stop, and targets read from the record (a duration, a due instant, several
delays from several events). Each with the shipped row that needs it (issue 11 §5), on the file
path: a TicketSet as an import gives it, scored by :func:`evaluate` or clocked by
:func:`build_clocks`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from jalon.conventions import ConventionError, Period, evaluate, load, loads
from jalon.conventions.clocks import ClockTable, build_clocks
from jalon.conventions.errors import InputError
from jalon.conventions.mapping import map_tickets
from jalon.conventions.tests.support import CONVENTIONS, instant, ticketset
from jalon.imports.ticketset import TicketSet

LADE = load(CONVENTIONS / "lade-tmes.yaml")
CD13 = load(CONVENTIONS / "cd13-callipso.yaml")
AQUAREEL = load(CONVENTIONS / "aquareel-tma.yaml")

HOUR = 3600
DAY = 10 * HOUR  # a business day of the shipped calendars
WEEK = 5 * DAY
END_OF_Q2 = "2026-07-01T00:00"


def paris(day: str, hhmm: str) -> str:
    """UTC text of a Paris wall time in June or July 2026 (UTC+2): ``paris("06-01", "08:00")``."""
    hours, minutes = map(int, hhmm.split(":"))
    utc = np.datetime64(f"2026-{day}T{hours:02d}:{minutes:02d}") - np.timedelta64(2, "h")
    return str(utc).replace("T", " ")[:16]


def with_instants(tickets: TicketSet, **columns: list[str]) -> TicketSet:
    """``tickets`` with record instants (``audit_at=["", "2026-06-15 06:00"]``), as an import
    puts an export's ``*_at`` columns."""
    return dataclasses.replace(
        tickets,
        instants={name: np.array([instant(v) for v in values], "datetime64[s]") for name, values in columns.items()},
    )


def clocks_of(convention, tickets: TicketSet, profile: str, horizon: str = END_OF_Q2) -> dict[str, ClockTable]:
    mapped = map_tickets(convention, convention.profiles[profile], tickets)
    assert mapped.problems == []
    return build_clocks(convention, mapped, np.datetime64(horizon, "s"))


def by_ticket(table: ClockTable, tickets: TicketSet, values) -> dict[str, object]:
    return {tickets.ids[t]: v for t, v in zip(table.ticket.tolist(), list(values), strict=True)}


def indicator(card, indicator_id: str):
    return next(i for f in card.families for i in f.indicators if i.id == indicator_id)


# -- LADE (seed 002) ----------------------------------------------------------------------------


def ocean(number: str, opened: str, resolved: str, *, priority: str, type: str = "Incident",
          group: str = "N1_TMS_SD", **extra: object) -> dict[str, object]:
    events = [(opened, "Nouveau"), (resolved, "Résolu")] if resolved else [(opened, "Nouveau")]
    return {"id": number, "opened": opened, "resolved": resolved, "events": events, "priority": priority,
            "type": type, "group": group, **extra}


def test_lade_change_delays_are_one_business_day_for_p2_and_five_for_p3_and_none_for_p1():
    # seed 002 L6159: "Changement  Non applicable  1j ouvré  5j ouvrés"
    tickets = ticketset([
        ocean("CHN1", paris("06-01", "09:00"), paris("06-02", "09:00"), priority="Élevée", type="Changement"),
        ocean("CHN2", paris("06-01", "09:00"), paris("06-02", "09:00"), priority="Moyenne", type="Changement"),
        ocean("CHN3", paris("06-01", "09:00"), paris("06-08", "10:00"), priority="Faible", type="Changement"),
    ])
    table = clocks_of(LADE, tickets, "ocean")["resolution_changement"]
    assert by_ticket(table, tickets, table.target) == {"CHN2": DAY, "CHN3": 5 * DAY}
    assert by_ticket(table, tickets, table.met()) == {"CHN2": True, "CHN3": False}  # 51 h of 50
    card = evaluate(LADE, tickets, [], Period.parse("2026-Q2"), profile="ocean")
    assert (indicator(card, "C1").value, indicator(card, "C2").value) == (100.0, 0.0)
    assert next(f for f in card.families if f.id == "suivi").note is None  # shown, not scored


def test_s3_to_s6_count_the_service_desk_and_proximity_roles_only():
    # "Backlog TMS (SD et proximité)", "en attente N1_TMS" (L6409-6422), "affecté aux rôles TMS
    # (SD et proximité)" (L6477): N2_TMS_O365, N1_TMS_MANAGER and the TME are not counted
    opened = paris("06-01", "09:00")
    groups = ["N1_TMS_SD", "N1_TMS_PROXIMITE_AG", "N1_TMS_PROXIMITE_RMC", "N2_TMS_O365", "N1_TMS_MANAGER",
              "N2_TME_DBA"]
    tickets = ticketset([ocean(f"TCK{i}", opened, "", priority="Faible", group=g) for i, g in enumerate(groups)]
                        + [ocean("TSK1", opened, "", priority="Faible", type="Tâche", group="N1_TMS_PROXIMITE_SN"),
                           ocean("TSK2", opened, "", priority="Faible", type="Tâche", group="N2_TMS_O365")])
    card = evaluate(LADE, tickets, [], Period.parse("2026-Q2"), profile="ocean")
    assert (indicator(card, "S3").value, indicator(card, "S4").value) == (3, 1)
    assert (indicator(card, "S5").evidence, indicator(card, "S6").evidence) == (3, 1)
    assert indicator(card, "T1").value == 1  # the TME's backlog is its own


def test_a_tme_ticket_runs_on_the_tme_hours_and_a_desk_ticket_on_the_desk_hours():
    # TME on site 7h30-18h (L3789), the desk 8h-18h (L2322): 07:30-08:30 is 1 h for the TME, 30 min
    # for the desk
    tickets = ticketset([
        ocean("TCK1", paris("06-01", "07:30"), paris("06-01", "08:30"), priority="Élevée", group="N2_TME_AG"),
        ocean("TCK2", paris("06-01", "07:30"), paris("06-01", "08:30"), priority="Élevée", group="N1_TMS_SD"),
    ])
    table = clocks_of(LADE, tickets, "ocean")["resolution"]
    assert by_ticket(table, tickets, table.elapsed) == {"TCK1": HOUR, "TCK2": HOUR // 2}
    assert [table.calendar_id(row) for row in range(len(table))] == ["tme", "ho"]
    assert by_ticket(table, tickets, table.target) == {"TCK1": 4 * HOUR, "TCK2": 4 * HOUR}


# -- CD13 (seed 003) ----------------------------------------------------------------------------


def ezv(number: str, opened: str, *, priority: str, type: str = "Incident", resolved: str = "",
        **extra: object) -> dict[str, object]:
    events = [(opened, "Nouveau"), (resolved, "Résolu")] if resolved else [(opened, "Nouveau")]
    return {"id": number, "opened": opened, "resolved": resolved, "events": events, "priority": priority,
            "type": type, **extra}


def test_cd13_information_delay_is_one_hour_for_p1_two_for_p2_and_fifteen_minutes_when_major():
    # P1 1 heure, P2 2 heures (L1802-1803); a major P1/P2: "Dans les 15'", pas 5', poids 10 (L1461)
    opened = paris("06-02", "09:00")
    tickets = with_instants(
        ticketset([
            ezv("I1", opened, priority="P1"),
            ezv("I2", opened, priority="P2"),
            ezv("I3", opened, priority="P1", majeur="Oui"),
            ezv("I4", opened, priority="P3"),
        ]),
        informed_at=[paris("06-02", "09:50"), paris("06-02", "11:30"), paris("06-02", "09:26"),
                     paris("06-02", "09:10")],
    )
    tables = clocks_of(CD13, tickets, "easyvista")
    information, major = tables["information"], tables["information-majeur"]
    assert by_ticket(information, tickets, information.target) == {"I1": HOUR, "I2": 2 * HOUR, "I3": HOUR}
    assert by_ticket(information, tickets, information.met()) == {"I1": True, "I2": False, "I3": True}
    assert by_ticket(major, tickets, major.elapsed) == {"I3": 26 * 60}
    card = evaluate(CD13, tickets, [], Period.parse("2026-06"), profile="easyvista")
    r17 = indicator(card, "R17")
    assert r17.points == 10 * 3  # 11 minutes beyond 15: three started steps of 5
    assert indicator(card, "S-INFO").value == pytest.approx(200 / 3)


def test_a_source_without_the_information_instant_has_no_information_clock_rather_than_all_late():
    tickets = ticketset([ezv("I1", paris("06-02", "09:00"), priority="P1")])
    tables = clocks_of(CD13, tickets, "easyvista")
    assert len(tables["information"]) == 0
    assert len(tables["gtr"]) == 1


def test_a_missing_information_instant_on_a_record_leaves_its_clock_running():
    tickets = with_instants(
        ticketset([ezv("I1", paris("06-02", "09:00"), priority="P1"),
                   ezv("I2", paris("06-02", "09:00"), priority="P1")]),
        informed_at=["", paris("06-02", "09:30")],
    )
    table = clocks_of(CD13, tickets, "easyvista", horizon="2026-06-02T12:00")["information"]
    assert by_ticket(table, tickets, table.running) == {"I1": True, "I2": False}
    assert by_ticket(table, tickets, table.elapsed) == {"I1": 5 * HOUR, "I2": HOUR // 2}


def test_cd13_changes_are_judged_against_the_delay_agreed_on_their_record():
    # "80% dans le délai", "100% dans le délai convenu * 1,5" (L1473-1474)
    opened = paris("06-01", "09:00")

    def change(number: str, resolved_on: str, agreed: str) -> dict[str, object]:
        resolved = paris(resolved_on, "09:00")
        return ezv(number, opened, priority="P3", type="Changement", resolved=resolved, delai_convenu=agreed)

    tickets = ticketset([change("C1", "06-02", "2j"), change("C2", "06-04", "2j"), change("C3", "06-05", "1 semaine"),
                         change("C4", "06-05", "")])
    table = clocks_of(CD13, tickets, "easyvista")["traitement-changement"]
    assert by_ticket(table, tickets, table.target) == {"C1": 2 * DAY, "C2": 2 * DAY, "C3": WEEK}
    assert by_ticket(table, tickets, table.elapsed) == {"C1": DAY, "C2": 3 * DAY, "C3": 4 * DAY}
    card = evaluate(CD13, tickets, [], Period.parse("2026-06"), profile="easyvista")
    r28, r29 = indicator(card, "R28"), indicator(card, "R29")
    assert (r28.value, r28.evidence) == (pytest.approx(200 / 3), 3)  # C4 has no agreed delay yet
    assert r28.points == 1 * 14  # 66.7 % for 80 %: 14 started steps of 1 %
    assert r29.value == 100.0  # C2 took 3 days of 2 × 1,5


def test_an_agreed_delay_that_is_not_a_duration_is_an_input_error_naming_row_and_column():
    tickets = ticketset([
        ezv("C1", paris("06-01", "09:00"), priority="P3", type="Changement", delai_convenu="10"),
        ezv("C2", paris("06-01", "09:00"), priority="P3", type="Changement", delai_convenu="3j"),
    ], source="ezv.csv")
    mapped = map_tickets(CD13, CD13.profiles["easyvista"], tickets)
    assert mapped.problems[0].startswith("ezv.csv:2: delai_convenu: '10' is not a duration")
    assert mapped.keep.tolist() == [False, True]
    with pytest.raises(InputError):
        evaluate(CD13, tickets, [], Period.parse("2026-06"), profile="easyvista", on_error="fail")


# -- AQUAREEL (seeds 000, 001) ------------------------------------------------------------------


def glpi(number: str, category: str, opened: str, resolved: str = "", **extra: object) -> dict[str, object]:
    events = [(opened, "Nouveau"), (resolved, "Résolu")] if resolved else [(opened, "Nouveau")]
    return {"id": number, "opened": opened, "resolved": resolved, "events": events, "priority": "Moyenne",
            "category": category, **extra}


def test_a_one_off_intervention_is_due_within_the_delay_written_on_its_order():
    # "Le délai d'exécution … est précisé dans le bon de commande" (000 L184), "Respecter
    # strictement le délai convenu" (L188)
    tickets = ticketset([
        glpi("1", "Intervention ponctuelle", paris("06-01", "08:00"), paris("06-05", "18:00"), delai_execution="5j"),
        glpi("2", "Intervention ponctuelle", paris("06-01", "08:00"), paris("06-05", "18:00"), delai_execution="3j"),
    ])
    table = clocks_of(AQUAREEL, tickets, "glpi")["execution_ponctuelle"]
    assert by_ticket(table, tickets, table.target) == {"1": 5 * DAY, "2": 3 * DAY}
    assert by_ticket(table, tickets, table.met()) == {"1": True, "2": False}  # ends exactly at 5 days
    card = evaluate(AQUAREEL, tickets, [], Period.parse("2026-Q2"), profile="glpi")
    assert indicator(card, "A10").value == 50.0


def test_the_ha_installation_is_due_four_weeks_after_the_order_or_after_the_audit_whichever_is_later():
    # "4 semaines après audit (si réalisé) + 4 semaines après bon de commande" (000 L499)
    ordered = paris("06-01", "08:00")
    tickets = with_instants(
        ticketset([
            glpi("1", "Installation HA", ordered),
            glpi("2", "Installation HA", ordered),  # audited two weeks after the order
            glpi("3", "Installation HA", ordered),  # audited the day before the order
        ]),
        audit_at=["", paris("06-15", "08:00"), paris("05-29", "08:00")],
    )
    table = clocks_of(AQUAREEL, tickets, "glpi", horizon="2026-08-01T00:00")["installation_ha"]
    assert by_ticket(table, tickets, table.target) == {"1": 4 * WEEK, "2": 6 * WEEK, "3": 4 * WEEK}
    # the audit is known only once it has happened: at the end of June the first leg alone counts
    early = clocks_of(AQUAREEL, tickets, "glpi", horizon="2026-06-10T00:00")["installation_ha"]
    assert by_ticket(early, tickets, early.target)["2"] == 4 * WEEK


def test_backup_staff_is_mobilised_within_48_business_hours():
    # "mobilisable sous 48h ouvrées" (001 L36, L46-47, L83): Friday 14:00 to Thursday 12:00 is
    # 4 + 3 × 10 + 4 = 38 open hours
    tickets = ticketset([glpi("1", "Renfort", paris("06-05", "14:00"), paris("06-11", "12:00"))])
    convention = dataclasses.replace(AQUAREEL, profiles={"glpi": _with_type(AQUAREEL, "Renfort", "renfort")})
    table = clocks_of(convention, tickets, "glpi")["mobilisation_renfort"]
    assert (table.target.tolist(), table.elapsed.tolist()) == ([48 * HOUR], [38 * HOUR])


def test_remarks_on_minutes_are_merged_within_24_wall_clock_hours():
    # "consolidées et intégrées sous 24 heures" (001 L104): Friday 17:00 to Saturday 18:00 is 25 h
    tickets = ticketset([glpi("1", "Remarques", paris("06-05", "17:00"), paris("06-06", "18:00"))])
    convention = dataclasses.replace(
        AQUAREEL, profiles={"glpi": _with_type(AQUAREEL, "Remarques", "remarques_releve")})
    table = clocks_of(convention, tickets, "glpi")["integration_remarques"]
    assert (table.target.tolist(), table.elapsed.tolist(), table.met().tolist()) == ([24 * HOUR], [25 * HOUR], [False])


def _with_type(convention, category: str, type_id: str):
    """The GLPI profile with one more category (an export's own wording for the type)."""
    profile = convention.profiles["glpi"]
    types = dataclasses.replace(profile.types, values=((category, type_id), *profile.types.values))
    return dataclasses.replace(profile, types=types)


# -- the format's generic parts, on a small convention ------------------------------------------

SMALL = """\
format: jalon-convention/1
version: "1"
contract: {id: c, title: C, buyer: {name: B}, holder: {name: H}}
families: [{id: f, label: F, scoring: none}]
calendars:
  ho: {hours: "mon-fri 08:00-18:00", holidays: FR, business_day: 10h}
  early: {hours: "mon-fri 07:00-18:00", holidays: FR, business_day: 10h}
  short: {hours: "mon-fri 08:00-12:00", holidays: FR, business_day: 4h}
types: [incident]
states:
  - {id: nouveau, phase: new}
  - {id: audite, phase: active}
  - {id: resolu, phase: resolved}
priorities: [P1]
profiles:
  tool:
    priority: {values: {"1": P1}}
    state: {values: {New: nouveau, Audited: audite, Resolved: resolu}}
    dimensions:
      team: {column: group, values: {"A*": alpha, "B*": beta}, default: other}
clocks:
%s
indicators:
  - {id: I1, label: I, family: f, kind: count}
"""


def small(clocks: str):
    return loads(SMALL % clocks, "c.yaml")


def test_a_due_instant_on_the_record_is_the_target_from_the_clock_s_start():
    conv = small("  - {id: k, types: [incident], start: opened, stop: resolved, calendar: ho,\n"
                 "     targets: {P1: {due: due_at}}}")
    opened = paris("06-01", "08:00")
    tickets = with_instants(
        ticketset([{"id": f"T{i}", "priority": "1", "opened": opened, "events": [(opened, "New")]} for i in (1, 2)]),
        due_at=[paris("06-02", "12:00"), ""],
    )
    table = clocks_of(conv, tickets, "tool")["k"]
    assert by_ticket(table, tickets, table.target) == {"T1": 14 * HOUR}  # T2 has no due date: no clock


def test_summed_legs_add_the_delays_of_the_events_that_happened():
    conv = small("  - {id: k, types: [incident], start: opened, stop: resolved, calendar: ho,\n"
                 "     targets: {P1: {legs: [{after: opened, delay: 1j}, {after: {enter: [audite]}, delay: 2j}],\n"
                 "                    combine: sum}}}")
    opened = paris("06-01", "08:00")
    tickets = ticketset([
        {"id": "T1", "priority": "1", "opened": opened, "events": [(opened, "New")]},
        {"id": "T2", "priority": "1", "opened": opened,
         "events": [(opened, "New"), (paris("06-03", "08:00"), "Audited")]},
    ])
    table = clocks_of(conv, tickets, "tool")["k"]
    assert by_ticket(table, tickets, table.target) == {"T1": DAY, "T2": 3 * DAY}


def test_a_clock_filter_keeps_the_clock_off_the_tickets_it_does_not_select():
    conv = small("  - {id: k, types: [incident], filter: {team: [alpha]}, start: opened, stop: resolved,\n"
                 "     calendar: ho, targets: {P1: 1h}}")
    opened = paris("06-01", "08:00")
    tickets = ticketset([{"id": f"T{g}", "priority": "1", "opened": opened, "group": g, "events": [(opened, "New")]}
                         for g in ("A1", "B1", "")])
    table = clocks_of(conv, tickets, "tool")["k"]
    assert tickets.ids[table.ticket].tolist() == ["TA1"]


def test_a_ticket_of_a_value_the_choice_does_not_name_runs_on_the_clock_s_calendar():
    conv = small("  - {id: k, types: [incident], start: opened, stop: resolved,\n"
                 "     calendar: {by: team, values: {alpha: early}, default: ho}, targets: {P1: 1j}}")
    opened, resolved = paris("06-01", "07:00"), paris("06-01", "09:00")
    tickets = ticketset([{"id": f"T{g}", "priority": "1", "opened": opened, "resolved": resolved, "group": g,
                          "events": [(opened, "New"), (resolved, "Resolved")]} for g in ("A1", "B1", "Z")])
    table = clocks_of(conv, tickets, "tool")["k"]
    assert by_ticket(table, tickets, table.elapsed) == {"TA1": 2 * HOUR, "TB1": HOUR, "TZ": HOUR}


@pytest.mark.parametrize(
    ("clock", "field", "message"),
    [
        ("calendar: {by: site, values: {x: early}, default: ho}", "clocks[0].calendar.by",
         "no profile maps a dimension 'site'"),
        ("calendar: {by: team, values: {gamma: early}, default: ho}", "clocks[0].calendar.values.gamma",
         "no profile maps team to 'gamma'"),
        ("calendar: {by: team, values: {alpha: short}, default: ho}", "clocks[0].calendar.values.alpha",
         "different business_day"),
        ("calendar: {by: team, values: {alpha: nuit}, default: ho}", "clocks[0].calendar.values.alpha",
         "'nuit' is not declared"),
        ("calendar: ho, stop: {at: informed}", "clocks[0].stop.at", "columns ending in _at"),
        ("calendar: ho, stop: {at: resolved_at}", "clocks[0].stop.at", "write resolved instead"),
        ("calendar: ho, targets: {P1: {due: echeance}}", "clocks[0].targets.P1.due", "columns ending in _at"),
        ("calendar: ho, targets: {P1: {legs: [{after: opened, delay: 2 mois}]}}",
         "clocks[0].targets.P1.legs[0].delay", "'2 mois' is not a duration"),
        ("calendar: ho, targets: {P1: {legs: [{after: {enter: [audit]}, delay: 1j}]}}",
         "clocks[0].targets.P1.legs[0].after.enter[0]", "'audit' is not declared"),
        ("calendar: ho, filter: {site: [x]}", "clocks[0].filter.site", "no profile maps a dimension 'site'"),
    ],
)
def test_a_bad_clock_definition_names_the_file_line_and_field(clock: str, field: str, message: str):
    base = {"calendar": "calendar: ho", "stop": "stop: resolved", "targets": "targets: {P1: 1h}"}
    for key in base:
        if clock.startswith(f"{key}:") or f", {key}:" in clock:
            base[key] = ""
    text = f"  - {{id: k, types: [incident], start: opened, {clock}, " + ", ".join(v for v in base.values() if v) + "}"
    with pytest.raises(ConventionError) as error:
        small(text)
    assert any(line.startswith(f"c.yaml:22: {field}: ") and message in line for line in error.value.errors), (
        error.value.errors
    )


def test_a_target_object_with_two_sources_is_refused_by_the_schema():
    with pytest.raises(ConventionError) as error:
        small("  - {id: k, types: [incident], start: opened, stop: resolved, calendar: ho,\n"
              "     targets: {P1: {column: delai, due: due_at}}}")
    assert error.value.errors == [
        "c.yaml:23: clocks[0].targets.P1: {'column': 'delai', 'due': 'due_at'} is valid under each of "
        "{'required': ['due']}, {'required': ['column']}"
    ]


def test_a_dimension_of_the_jalon_profile_needs_a_default():
    text = (SMALL % "  - {id: k, types: [incident], start: opened, stop: resolved, calendar: ho, targets: {P1: 1h}}")
    text = text.replace("profiles:\n", "profiles:\n  jalon:\n    state: {values: {}}\n"
                        "    dimensions: {team: {column: group, values: {A: alpha}}}\n")
    with pytest.raises(ConventionError) as error:
        loads(text, "c.yaml")
    assert any(line.startswith("c.yaml:18: profiles.jalon.dimensions.team: ") and "needs a default" in line
               for line in error.value.errors)


def test_a_dimension_of_the_jalon_profile_reads_a_column_the_platform_exports():
    text = (SMALL % "  - {id: k, types: [incident], start: opened, stop: resolved, calendar: ho, targets: {P1: 1h}}")
    text = text.replace("profiles:\n", "profiles:\n  jalon:\n    state: {values: {}}\n"
                        "    dimensions: {origine: {column: contact_type, values: {Phone: telephone}, "
                        "default: autre}}\n")
    with pytest.raises(ConventionError) as error:
        loads(text, "c.yaml")
    [line] = [line for line in error.value.errors if "profiles.jalon.dimensions.origine" in line]
    assert line.startswith("c.yaml:18: profiles.jalon.dimensions.origine.column: ")
    assert "the platform has no column 'contact_type'" in line
    assert "channel" in line
