from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import jalon.imports
from jalon.conventions import cli, scorecard_cli
from jalon.conventions.tests.support import CONVENTIONS, SERVICENOW_LOG, ticketset
from jalon.conventions.tests.test_evaluate import at, snow

LADE = str(CONVENTIONS / "lade-tmes.yaml")
CD13 = str(CONVENTIONS / "cd13-callipso.yaml")


def test_check_prints_ok_for_each_shipped_convention(capsys):
    assert cli.main(["check", *map(str, sorted(CONVENTIONS.glob("*.yaml")))]) == 0
    assert capsys.readouterr().out.count(": ok — ") == 3


def test_check_prints_each_error_and_exits_2(tmp_path: Path, capsys):
    bad = tmp_path / "bad.yaml"
    text = Path(LADE).read_text().replace("calendar: ho\n", "calendar: hx\n")
    bad.write_text(text.replace("default: ho}", "default: hx}"))
    assert cli.main(["check", str(bad)]) == 2
    lines = capsys.readouterr().err.splitlines()
    # prise_en_charge's calendar; resolution's and resolution_changement's default calendar
    assert len([line for line in lines if ": clocks[" in line]) == 3
    # and each committee's and the météo's calendar
    assert len([line for line in lines if ": committees[" in line or ": meteo." in line]) == 7
    assert len(lines) == 10
    assert all(line.startswith(f"{bad}:") and "calendar" in line and "'hx' is not declared" in line for line in lines)


@pytest.fixture
def fake_importer(monkeypatch):
    tickets = ticketset(
        [
            snow(
                "INC1",
                at("07:00"),
                at("08:00"),
                [(at("07:00"), "New"), (at("07:05"), "Active"), (at("08:00"), "Resolved")],
            ),
            snow(
                "INC2",
                at("07:00"),
                at("12:00"),
                [
                    (at("07:00"), "New"),
                    (at("07:05"), "Active"),
                    (at("08:00"), "Awaiting User Info"),
                    (at("09:00"), "Active"),
                    (at("12:00"), "Resolved"),
                ],
            ),
        ],
        source="incidents.csv",
    )
    calls = []

    def read_export(path, profile, **options):
        calls.append((path, profile))
        return SimpleNamespace(tickets=tickets, problems=[])

    monkeypatch.setattr(jalon.imports, "read_export", read_export, raising=False)
    return calls


def test_scorecard_json_holds_families_indicators_and_hash(fake_importer, capsys):
    status = scorecard_cli.main(
        [
            "--convention",
            CD13,
            "--tickets",
            "incidents.csv",
            "--profile",
            "servicenow",
            "--period",
            "2026-03",
        ]
    )
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    assert fake_importer == [("incidents.csv", "servicenow")]
    assert data["contract"]["id"] == "cd13-callipso"
    assert data["period"] == "2026-03"
    assert len(data["convention"]["sha256"]) == 64
    exploitation = next(f for f in data["families"] if f["id"] == "exploitation")
    r09 = next(i for i in exploitation["indicators"] if i["id"] == "R09")
    # INC2: 5 h minus a 1 h wait = 4 h against a 2 h GTR -> 2 started hours x weight 2
    assert r09["penalty_points"] == 4
    assert r09["evidence_count"] == 2
    assert data["total_penalty_points"] >= 4


def test_scorecard_xlsx_has_a_sheet_per_family_and_evidence(fake_importer, tmp_path: Path):
    from openpyxl import load_workbook

    out = tmp_path / "card.xlsx"
    status = scorecard_cli.main(
        [
            "--convention",
            CD13,
            "--tickets",
            "incidents.csv",
            "--profile",
            "servicenow",
            "--period",
            "2026-03",
            "--format",
            "xlsx",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Synthèse", "pilotage", "exploitation", "complements", "suivi", "Preuves"]
    rows = list(book["Preuves"].values)
    assert rows[0][7:] == ("Minutes ouvrées", "Cible (minutes ouvrées)", "Résultat", "Fenêtre")
    gtr = [r for r in rows if r[1] == "gtr"]
    assert [r[0] for r in gtr] == ["INC1", "INC2"]
    assert gtr[1][5].startswith("2026-03-02 08:00:00 → 2026-03-02 09:00:00")
    assert gtr[1][7:] == (240.0, 120.0, "dépassé", "2026-03")


def test_scorecard_html_lists_evidence(fake_importer, tmp_path: Path):
    out = tmp_path / "card.html"
    assert (
        scorecard_cli.main(
            [
                "--convention",
                LADE,
                "--tickets",
                "x.csv",
                "--profile",
                "servicenow",
                "--period",
                "2026-Q1",
                "--format",
                "html",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert "Prestations récurrentes TMS" in text
    assert "<td>INC2</td><td>resolution</td>" in text


def test_scorecard_with_measures_only(tmp_path: Path, capsys):
    measures = tmp_path / "m.csv"
    measures.write_text("indicator,period,value\nS1,2026-Q1,88\n")
    assert scorecard_cli.main(["--convention", LADE, "--measures", str(measures), "--period", "2026-Q1"]) == 0
    data = json.loads(capsys.readouterr().out)
    tms = next(f for f in data["families"] if f["id"] == "tms")
    assert tms["note"] == 18
    assert data["global_note"] == 18


def test_bad_input_prints_one_line_each_and_exits_2(tmp_path: Path, capsys):
    measures = tmp_path / "m.csv"
    measures.write_text("indicator,period,value\nS99,2026-Q1,88\nS1,2026-Q1,x\n")
    assert scorecard_cli.main(["--convention", LADE, "--measures", str(measures), "--period", "2026-Q1"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {measures}:3: value: 'x' is not a number"]
    measures.write_text("indicator,period,value\nS99,2026-Q1,88\n")
    assert scorecard_cli.main(["--convention", LADE, "--measures", str(measures), "--period", "2026-Q1"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {measures}:2: indicator: 'S99' is not in")
    assert scorecard_cli.main(["--convention", LADE, "--period", "2026-Q7"]) == 2
    assert capsys.readouterr().err.startswith("error: --period: '2026-Q7'")


def test_unknown_profile_is_refused(fake_importer, capsys):
    assert (
        scorecard_cli.main(
            [
                "--convention",
                LADE,
                "--tickets",
                "x.csv",
                "--profile",
                "remedy",
                "--period",
                "2026-Q1",
            ]
        )
        == 2
    )
    assert "has no profile 'remedy'" in capsys.readouterr().err


def test_on_error_fail_refuses_unmapped_tickets(monkeypatch, capsys):
    tickets = ticketset([snow("INC1", at("07:00"), at("08:00"), [(at("07:00"), "New")], priority="9 - Odd")])
    monkeypatch.setattr(
        jalon.imports,
        "read_export",
        lambda path, profile, **options: SimpleNamespace(tickets=tickets, problems=[]),
        raising=False,
    )
    args = ["--convention", LADE, "--tickets", "x.csv", "--profile", "servicenow", "--period", "2026-Q1"]
    assert scorecard_cli.main([*args, "--on-error", "fail"]) == 2
    assert capsys.readouterr().err.startswith("error: export.csv:2: priority: '9 - Odd' is not mapped")
    assert scorecard_cli.main(args) == 2  # fail is the default, as the README says
    assert scorecard_cli.main([*args, "--on-error", "skip"]) == 0


def test_scorecard_of_the_real_log_through_the_real_importer(capsys):
    args = ["--convention", LADE, "--tickets", str(SERVICENOW_LOG), "--profile", "servicenow"]
    assert scorecard_cli.main([*args, "--period", "2016"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["tickets"] == {"file": SERVICENOW_LOG.name, "profile": "servicenow", "count": 20_769}
    assert [f["id"] for f in data["families"]] == ["pilotage", "tms", "tme", "ponctuel", "suivi"]
    tms = next(f for f in data["families"] if f["id"] == "tms")
    assert tms["note"] is not None
    assert any(i["evidence_count"] > 1000 for i in tms["indicators"])
    assert sum(clock["count"] for clock in data["clocks"].values()) > 10_000
    assert data["warnings"] == []
    assert captured.err == ""
