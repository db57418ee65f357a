from __future__ import annotations

from pathlib import Path

import pytest

from jalon.imports import ExportError, describe, read_export

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "servicenow_sample.csv").read_text("utf-8").splitlines()


def incidents(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join([SAMPLE[0], *lines]) + "\n", "utf-8")
    return path


def broken(tmp_path: Path) -> Path:
    bad_date = SAMPLE[3].replace("29/2/2016 11:29,Phone", "31/02/2016 25:00,Phone")
    bad_count = SAMPLE[5].replace("INC0000102,New,true,0,", "INC0000102,New,true,x,")
    return incidents(tmp_path, [SAMPLE[1], SAMPLE[2], bad_date, SAMPLE[4], bad_count,
                                "INC9,New,true", SAMPLE[6]])


def test_fail_mode_lists_every_problem_with_file_row_and_column(tmp_path):
    with pytest.raises(ExportError) as error:
        read_export(broken(tmp_path), "servicenow")
    assert str(error.value).splitlines() == [
        'incidents.csv: row 4, column sys_updated_at: "31/02/2016 25:00" is not a date '
        "(expected D/M/YYYY HH:MM)",
        'incidents.csv: row 6, column reassignment_count: "x" is not a whole number',
        "incidents.csv: row 7: 3 fields where the header has 36",
    ]


def test_skip_mode_drops_bad_rows_and_returns_them(tmp_path):
    result = read_export(broken(tmp_path), "servicenow", on_error="skip")
    assert [problem.row for problem in result.problems] == [4, 6, 7]
    assert result.stats.rows_read == 7
    assert result.stats.rows_skipped == 3
    assert result.tickets.ids.tolist() == ["INC0000045", "INC0000102"]
    assert result.tickets.rows.tolist() == [2, 8]  # INC0000102's row 6 was dropped
    assert "3 skipped for problems" in describe(result)


def test_a_missing_required_value_is_a_row_problem(tmp_path):
    no_opening = SAMPLE[1].replace("Opened by  8,29/2/2016 01:16", "Opened by  8,?")
    with pytest.raises(ExportError, match="row 2, column opened_at: no value \\(required\\)"):
        read_export(incidents(tmp_path, [no_opening]), "servicenow")


def test_a_missing_column_is_named_with_the_columns_found(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ID;Titre;Statut\n1;a;Nouveau\n", "utf-8")
    with pytest.raises(ExportError) as error:
        read_export(path, "glpi")
    assert str(error.value) == (
        "tickets.csv: missing column \"Date d'ouverture\" (opened_at); "
        "columns found: ID, Titre, Statut")


def test_a_missing_column_fails_even_in_skip_mode(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("Titre\na\n", "utf-8")
    with pytest.raises(ExportError, match='missing column "ID" \\(id\\)'):
        read_export(path, "glpi", on_error="skip")


def test_a_ticket_twice_in_a_ticket_export_is_reported(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ID;Date d'ouverture\n1;2025-01-02 10:00\n1;2025-01-03 10:00\n", "utf-8")
    with pytest.raises(ExportError, match='row 3, column ID: ticket "1" already read at row 2'):
        read_export(path, "glpi")


def test_the_listing_is_capped_with_a_count(tmp_path):
    path = tmp_path / "tickets.csv"
    lines = [f"{n};demain" for n in range(25)]
    path.write_text("ID;Date d'ouverture\n" + "\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ExportError) as error:
        read_export(path, "glpi")
    message = str(error.value).splitlines()
    assert len(error.value.problems) == 25
    assert len(message) == 21
    assert message[-1] == "… and 5 more problems (25 in all)"


def test_blank_lines_and_trailing_delimiters_are_not_problems(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ID;Date d'ouverture;\n1;2025-01-02 10:00;\n;;\n\n2;2025-01-02 11:00;\n",
                    "utf-8")
    result = read_export(path, "glpi")
    assert result.tickets.rows.tolist() == [2, 5]
    assert result.stats.blank_rows == 2


def test_an_unknown_profile_or_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown export profile 'jira'"):
        read_export(DATA / "glpi_tickets.csv", "jira")
    with pytest.raises(ValueError, match="on_error"):
        read_export(DATA / "glpi_tickets.csv", "glpi", on_error="ignore")
