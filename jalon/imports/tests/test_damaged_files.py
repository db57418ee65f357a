"""Imports never lose or invent a row: quotes as Excel and the csv module read them, and every
damaged file (header only, lone carriage returns, truncated archives and workbooks, a wrong
delimiter, a decompression bomb) a message naming the file, never a traceback."""

from __future__ import annotations

import gzip
import lzma
from pathlib import Path

import openpyxl
import pytest

from jalon.imports import ExportError, read_export, sources
from jalon.imports.quotes import TEXT_AFTER, UNCLOSED

HEADER = '"ID";"Titre";"Statut";"Date d\'ouverture";"Date de résolution";"Priorité"'


def glpi_row(n: int, title: str | None = None, *, quoted: bool = True) -> str:
    cells = [str(n), title or f"Ticket {n}", "Clos", f"2025-03-03 08:{n % 60:02d}",
             f"2025-03-03 09:{n % 60:02d}", "Haute"]
    if title is not None and not quoted:
        return ";".join(f'"{c}"' if i != 1 else c for i, c in enumerate(cells))
    return ";".join(f'"{c}"' for c in cells)


def export(tmp_path: Path, rows: list[str], name: str = "tickets.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


def forty_tickets(tmp_path: Path, title: str) -> Path:
    """The issue's 40-ticket GLPI export, ticket 20 with an odd title, written unquoted."""
    return export(tmp_path, [glpi_row(n, title if n == 20 else None, quoted=n != 20)
                             for n in range(1, 41)])


def test_a_quote_inside_an_unquoted_cell_is_text_and_every_ticket_is_kept(tmp_path):
    result = read_export(forty_tickets(tmp_path, 'Ecran 24" casse'), "glpi")
    assert len(result.tickets) == 40
    assert result.problems == []
    assert result.tickets.attributes["title"][19] == 'Ecran 24" casse'
    assert result.tickets.rows.tolist() == list(range(2, 42))


def test_literal_quotes_across_blocks_read_as_the_csv_module_reads_them(tmp_path, monkeypatch):
    rows = []
    for n in range(1, 301):
        if n % 7 == 0:
            rows.append(glpi_row(n, f'Ecran {n}" casse', quoted=False))
        elif n % 11 == 0:
            rows.append(glpi_row(n, f'Texte ""cité"" et\nsur deux lignes {n}'))
        else:
            rows.append(glpi_row(n))
    path = export(tmp_path, rows)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 97)  # every record crosses a block boundary
    fast = read_export(path, "glpi")
    monkeypatch.setattr(sources, "_fast_blocks",
                        lambda path, table, wanted, max_bytes: sources.csv_module_blocks(path, table, wanted))
    reference = read_export(path, "glpi")
    assert len(fast.tickets) == 300
    assert fast.tickets.ids.tolist() == reference.tickets.ids.tolist()
    assert fast.tickets.rows.tolist() == reference.tickets.rows.tolist()
    assert fast.tickets.attributes["title"].tolist() == reference.tickets.attributes["title"].tolist()
    assert fast.tickets.attributes["title"][6] == 'Ecran 7" casse'
    assert fast.tickets.attributes["title"][10] == 'Texte "cité" et\nsur deux lignes 11'


def test_an_unclosed_quote_is_an_error_at_its_line_and_cell(tmp_path):
    rows = [glpi_row(n) for n in range(1, 41)]
    rows[9] = rows[9].replace('"Ticket 10"', '"Ecran 24 casse')
    path = export(tmp_path, rows)
    with pytest.raises(ExportError) as error:
        read_export(path, "glpi")
    assert str(error.value) == f"tickets.csv: row 11, column Titre: {UNCLOSED}"


def test_an_unclosed_quote_swallows_no_row_in_skip_mode(tmp_path):
    rows = [glpi_row(n, quoted=False).replace('"', "") for n in range(1, 41)]
    rows[9] = rows[9].replace("Ticket 10", '"Ecran 24 casse')  # no other quote in the file
    result = read_export(export(tmp_path, rows, header=HEADER.replace('"', "")), "glpi",
                         on_error="skip")
    assert [(p.row, p.column, p.reason) for p in result.problems] == [(11, "Titre", UNCLOSED)]
    assert len(result.tickets) == 39
    assert "10" not in result.tickets.ids.tolist()


def test_text_after_a_closing_quote_is_an_error_at_its_cell(tmp_path):
    rows = [glpi_row(n) for n in range(1, 6)]
    rows[2] = rows[2].replace('"Ticket 3"', '"Ecran 24" casse"')
    result = read_export(export(tmp_path, rows), "glpi", on_error="skip")
    assert [(p.row, p.column, p.reason) for p in result.problems] == [(4, "Titre", TEXT_AFTER)]
    assert result.tickets.ids.tolist() == ["1", "2", "4", "5"]


def test_a_header_only_file_says_it_has_no_rows(tmp_path):
    with pytest.raises(ExportError, match=r"^tickets.csv: no ticket rows under the header line"):
        read_export(export(tmp_path, []), "glpi")


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_bytes(b"")
    with pytest.raises(ExportError, match=r"^tickets.csv: the file is empty"):
        read_export(path, "glpi")


def test_lone_carriage_returns_end_lines(tmp_path):
    path = tmp_path / "tickets.csv"
    rows = [glpi_row(n) for n in range(1, 4)]
    rows[1] = rows[1].replace('"Ticket 2"', '"Deux\rlignes"')
    path.write_bytes("\r".join([HEADER, *rows]).encode("cp1252") + b"\r")
    result = read_export(path, "glpi")
    assert result.tickets.ids.tolist() == ["1", "2", "3"]
    assert result.tickets.rows.tolist() == [2, 3, 5]
    assert result.tickets.attributes["title"][1] == "Deux\nlignes"


@pytest.mark.parametrize(("suffix", "compress"), [(".gz", gzip.compress), (".xz", lzma.compress)])
def test_a_truncated_archive_is_named_not_a_traceback(tmp_path, suffix, compress):
    data = "\n".join([HEADER, *(glpi_row(n) for n in range(1, 2000))]).encode()
    path = tmp_path / f"tickets.csv{suffix}"
    packed = compress(data)
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ExportError, match=rf"^tickets.csv{suffix}: the compressed file is truncated or corrupt"):
        read_export(path, "glpi")


def test_a_corrupt_archive_is_named_not_a_traceback(tmp_path):
    path = tmp_path / "tickets.csv.gz"
    path.write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10)
    with pytest.raises(ExportError, match=r"^tickets.csv.gz: the compressed file is truncated or corrupt"):
        read_export(path, "glpi")


def workbook(tmp_path: Path, rows: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Titre", "Statut", "Date d'ouverture"])
    for n in range(1, rows + 1):
        sheet.append([n, f"Ticket {n}" * 20, "Clos", f"2025-03-03 08:{n % 60:02d}"])
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    return path


def test_a_truncated_workbook_is_named_not_a_traceback(tmp_path):
    path = workbook(tmp_path, 2000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ExportError, match=r"^tickets.xlsx: not a readable XLSX workbook"):
        read_export(path, "glpi")


def test_a_corrupt_sheet_inside_a_sound_archive_is_named(tmp_path):
    import zipfile

    path = workbook(tmp_path, 5)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                content = content[: len(content) // 2]  # the XML breaks off
            target.writestr(item, content)
    with pytest.raises(ExportError, match=r"^damaged.xlsx: .*(truncated or corrupt|not a readable)"):
        read_export(damaged, "glpi")


def test_an_unknown_sheet_is_named_with_the_sheets_found(tmp_path):
    with pytest.raises(ExportError, match=r"no sheet named 'Tickets' \(sheets: Sheet\)"):
        read_export(workbook(tmp_path, 2), "glpi", sheet="Tickets")


def test_a_wrong_delimiter_is_pointed_out(tmp_path):
    path = export(tmp_path, [glpi_row(1)])
    with pytest.raises(ExportError) as error:
        read_export(path, "glpi", delimiter=",")
    first = str(error.value).splitlines()[0]
    assert first == ("tickets.csv: row 1: the header is one single column with the delimiter ','; "
                     "its text holds ';': is that the delimiter?")


def test_a_decompression_bomb_stops_at_the_bound(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    line = glpi_row(1).encode() + b"\n"
    path.write_bytes(gzip.compress(HEADER.encode() + b"\n" + line * 40_000))  # 2.4 MB inflated
    with pytest.raises(ExportError, match=r"^bomb.csv.gz: expands to more than 1,000,000 bytes once "
                                          "decompressed: refused as a possible decompression bomb"):
        read_export(path, "glpi", max_bytes=1_000_000)
    assert len(read_export(path, "glpi", on_error="skip").problems) > 0  # the default bound reads it


def test_a_bomb_without_line_ends_stops_after_the_first_megabyte(tmp_path):
    path = tmp_path / "zeros.csv.gz"
    path.write_bytes(gzip.compress(bytes(64 << 20)))
    with pytest.raises(ExportError, match=r"^zeros.csv.gz: no line end in the first 1,048,576 bytes"):
        read_export(path, "glpi")


def test_a_workbook_bomb_is_refused_before_it_is_read(tmp_path):
    with pytest.raises(ExportError, match=r"^tickets.xlsx: expands to [\d,]+ bytes once decompressed"):
        read_export(workbook(tmp_path, 200), "glpi", max_bytes=10_000)


def test_a_record_without_end_is_refused_with_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_RECORD_BYTES", 4096)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 1024)
    path = export(tmp_path, [glpi_row(1), "x" * 10_000])
    with pytest.raises(ExportError, match=r"^tickets.csv: line 3: no line end in 4,096 bytes"):
        read_export(path, "glpi")
