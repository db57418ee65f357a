from __future__ import annotations

import gzip
import lzma
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from jalon.imports import OCEAN, ExportError, read_export

DATA = Path(__file__).parent / "data"


def at(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def test_glpi_export_with_bom_semicolons_and_quoted_newlines():
    result = read_export(DATA / "glpi_tickets.csv", "glpi")
    tickets = result.tickets
    assert (result.stats.encoding, result.stats.delimiter) == ("utf-8-sig", ";")
    assert tickets.ids.tolist() == ["1201", "1202", "1203", "1204"]
    assert tickets.rows.tolist() == [2, 3, 4, 6]  # ticket 1203's title spans two lines
    assert tickets.attributes["title"][1] == 'Accès VPN refusé; message "certificat expiré"'
    assert tickets.attributes["group"][0] == "N1_TMS_PROXIMITE_RM"
    assert tickets.history("1201") == [
        (at("2025-03-03T07:12"), "Nouveau"), (at("2025-03-03T10:47"), "Résolu"),
        (at("2025-03-05T16:40"), "Clos")]


def test_glpi_current_status_enters_at_the_last_update():
    tickets = read_export(DATA / "glpi_tickets.csv", "glpi").tickets
    assert tickets.history("1203") == [
        (at("2025-03-06T13:00"), "Nouveau"), (at("2025-03-07T09:15"), "En attente")]


def test_glpi_day_first_dates_are_read_too():
    tickets = read_export(DATA / "glpi_tickets.csv", "glpi").tickets
    assert tickets.opened_at[3] == at("2025-03-06T14:20")  # written 06-03-2025 15:20


def test_easyvista_cp1252_export_with_crlf():
    result = read_export(DATA / "easyvista_tickets.csv", "easyvista")
    tickets = result.tickets
    assert result.stats.encoding == "cp1252"
    assert tickets.ids.tolist() == ["I250301_000101", "I250301_000102", "S250301_000103"]
    assert tickets.attributes["state"].tolist() == ["Clôturé", "Résolu", "En cours"]
    assert tickets.attributes["category"][2] == "Logiciels > Installation"
    assert tickets.opened_at[0] == at("2025-03-03T07:05:12")
    assert tickets.history("I250301_000101")[-1] == (at("2025-03-04T09:00"), "Clôturé")


def write_ocean(path: Path, rows: list[list[tuple[str, object]]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    header = [aliases[0] for aliases in OCEAN.columns.values()]
    sheet.append(header)
    for row in rows:
        sheet.append([dict(row).get(name, None) for name in header])
    book.save(path)
    return path


def test_ocean_xlsx_reads_every_listed_column(tmp_path):
    created = datetime(2026, 3, 24, 9, 5)
    path = write_ocean(tmp_path / "OCEAN_ExportTickets.xlsx", [
        [("Numéro", "TCK0064681"), ("Statut", "Clôturé"), ("Date de création", created),
         ("Date de prise en charge", "24/03/2026 09:12:00"),
         ("Date de résolution", datetime(2026, 3, 24, 11, 0)),
         ("Date de clôture", datetime(2026, 3, 25, 8, 0)), ("Rôle assigné", "N1_TMS_SD"),
         ("Priorité", "Élevée"), ("Origine", "Portail"), ("Nature", "Incident"),
         ("Standard / Complexe", "Standard"), ("Année", 2026), ("Agence", "AESN")],
        [("Numéro", "CHN0000412"), ("Statut", "En cours"), ("Date de création", created),
         ("Date prévue", datetime(2026, 4, 2, 20, 0)), ("CAB", "eCAB"),
         ("GO/NO GO", "GO")],
    ])
    result = read_export(path, "ocean")
    tickets = result.tickets
    assert result.stats.file_format == "xlsx"
    assert set(result.stats.columns) == set(OCEAN.columns)
    assert tickets.ids.tolist() == ["TCK0064681", "CHN0000412"]
    assert tickets.rows.tolist() == [2, 3]
    assert tickets.attributes["group"][0] == "N1_TMS_SD"
    assert tickets.attributes["year"][0] == "2026"
    assert tickets.attributes["cab"][1] == "eCAB"
    assert tickets.instants["taken_at"][0] == at("2026-03-24T08:12")
    assert tickets.instants["planned_at"][1] == at("2026-04-02T18:00")  # summer time
    assert [state for _, state in tickets.history("TCK0064681")] == [
        "Nouveau", "En cours", "Résolu", "Clôturé"]


def test_a_mapping_overrides_and_extends_a_profile(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Ref;Ouvert;Equipe;Site\nA1;2025-01-02 10:00;Support;Lyon\n", "utf-8")
    mapping = {"id": "Ref", "opened_at": "Ouvert", "group": "Equipe", "site": "Site"}
    tickets = read_export(path, "glpi", mapping=mapping).tickets
    assert tickets.ids.tolist() == ["A1"]
    assert tickets.opened_at[0] == at("2025-01-02T09:00")
    assert tickets.attributes["group"][0] == "Support"
    assert tickets.attributes["site"][0] == "Lyon"


def test_a_mapping_to_a_missing_column_fails(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ID;Date d'ouverture\n1;2025-01-02 10:00\n", "utf-8")
    with pytest.raises(ExportError, match='missing column "Equipe" \\(group\\)'):
        read_export(path, "glpi", mapping={"group": "Equipe"})


@pytest.mark.parametrize("opener", [gzip.open, lzma.open])
def test_compressed_exports_are_read_transparently(tmp_path, opener):
    path = tmp_path / "incidents.csv.z"
    with (DATA / "servicenow_sample.csv").open("rb") as source, opener(path, "wb") as target:
        shutil.copyfileobj(source, target)
    assert len(read_export(path, "servicenow").tickets) == 4


def test_comma_utf8_without_bom_and_utf16(tmp_path):
    text = "ID,Date d'ouverture,Titre\n7,2025-06-01 08:00,Écran\n"
    (tmp_path / "a.csv").write_text(text, "utf-8")
    (tmp_path / "b.csv").write_text(text, "utf-16")
    for name in ("a.csv", "b.csv"):
        tickets = read_export(tmp_path / name, "glpi").tickets
        assert tickets.attributes["title"].tolist() == ["Écran"]
        assert tickets.opened_at[0] == at("2025-06-01T06:00")


def test_a_quote_inside_an_unquoted_cell_is_text(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b'ID;Date d\'ouverture;Titre\n8;2025-06-01 08:00;Ecran 24" HS\n')
    tickets = read_export(path, "glpi").tickets
    assert tickets.attributes["title"].tolist() == ['Ecran 24" HS']
    assert tickets.rows.tolist() == [2]


def test_dst_edges_of_a_local_export(tmp_path):
    path = tmp_path / "dst.csv"
    path.write_text("ID;Date d'ouverture\n1;2025-03-30 02:30\n2;2025-10-26 02:30\n"
                    "3;2025-10-26 03:30\n", "utf-8")
    result = read_export(path, "glpi")
    assert result.tickets.opened_at.tolist() == [
        datetime(2025, 3, 30, 1, 30), datetime(2025, 10, 26, 0, 30),
        datetime(2025, 10, 26, 2, 30)]
    assert (result.stats.dst_nonexistent, result.stats.dst_ambiguous) == (1, 1)


def test_the_ticketset_says_which_fields_the_export_holds(tmp_path):
    path = tmp_path / "glpi.csv"
    path.write_text("ID;Date d'ouverture;Statut;Réouvertures\n1;2025-06-01 08:00;Clos;2\n", "utf-8")
    plain = read_export(path, "glpi").tickets
    assert plain.source_columns == {"id": "ID", "state": "Statut", "opened_at": "Date d'ouverture"}
    assert "reopen_count" not in plain.source_columns  # GLPI's list export has no reopen counter
    mapped = read_export(path, "glpi", mapping={"reopen_count": "Réouvertures"}).tickets
    assert mapped.source_columns["reopen_count"] == "Réouvertures"
    assert mapped.counters["reopen_count"].tolist() == [2]
