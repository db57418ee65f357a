from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from jalon.lib import xlsx
from jalon.lib.xlsx import XlsxWriter, column_letter


def test_sheets_read_back_with_their_names_order_and_values(tmp_path: Path):
    path = tmp_path / "card.xlsx"
    with XlsxWriter(path) as book:
        book.sheet("Synthèse", None, [["Contrat", "TMA « Aquaréel »"], ["Note", 17.25], []])
        book.sheet("Preuves", ["ticket", "minutes", "ok", "vide"],
                   [["INC1", 12, True, None], ["INC2", -0.5, False, ""], ["INC3", 10**12]])
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Synthèse", "Preuves"]
    assert list(workbook["Synthèse"].values) == [("Contrat", "TMA « Aquaréel »"), ("Note", 17.25)]
    assert list(workbook["Preuves"].values) == [
        ("ticket", "minutes", "ok", "vide"), ("INC1", 12, True, None), ("INC2", -0.5, False, None),
        ("INC3", 10**12, None, None)]
    assert workbook["Preuves"]["A1"].font.b
    assert not workbook["Preuves"]["A2"].font.b
    assert workbook["Preuves"].freeze_panes == "A2"


def test_texts_keep_markup_spaces_control_characters_and_escape_lookalikes(tmp_path: Path):
    texts = ["a < b & c > d", "  indenté ", "ligne 1\nligne 2", "tab\there", "bell\x07",
             "cr\r\n", "_x0041_ is not A", '"quoted" \'too\'', "emoji 🙂", "Ω"]
    path = tmp_path / "texts.xlsx"
    with XlsxWriter(path) as book:
        book.sheet("t", None, [[text] for text in texts])
    read = [row[0] for row in load_workbook(path)["t"].values]
    # openpyxl leaves the _xHHHH_ escapes as written; Excel decodes them, as unescape does
    assert [unescape(text) for text in read] == texts
    assert read[4] == "bell_x0007_"


def test_numbers_of_other_types_and_non_finite_floats(tmp_path: Path):
    path = tmp_path / "numbers.xlsx"
    with XlsxWriter(path) as book:
        book.sheet("n", None, [[np.int64(7), np.float64(0.1), float("nan"), float("inf"), 1e-7]])
    assert list(load_workbook(path)["n"].values) == [(7, 0.1, "nan", "inf", 1e-7)]


def test_a_long_sheet_is_streamed_and_columns_go_past_z(tmp_path: Path):
    path = tmp_path / "long.xlsx"
    rows = ([f"T{n}", n, *range(30)] for n in range(2_500))
    with XlsxWriter(path) as book:
        book.sheet("long", [f"c{i}" for i in range(32)], rows)
    sheet = load_workbook(path, read_only=True)["long"]
    values = list(sheet.values)
    assert len(values) == 2_501
    assert values[-1][:3] == ("T2499", 2499, 0)
    assert values[-1][31] == 29
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "x[1]", "'quoted'", "what?"])
def test_sheet_names_excel_refuses_are_refused(tmp_path: Path, name: str):
    with XlsxWriter(tmp_path / "bad.xlsx") as book:
        book.sheet("ok", None, [])
        with pytest.raises(ValueError, match="sheet name"):
            book.sheet(name, None, [])


def test_a_name_used_twice_is_refused_whatever_its_case(tmp_path: Path):
    with XlsxWriter(tmp_path / "twice.xlsx") as book:
        book.sheet("Preuves", None, [])
        with pytest.raises(ValueError, match="already used"):
            book.sheet("PREUVES", None, [])


def test_more_rows_than_excel_holds_are_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 10)
    with XlsxWriter(tmp_path / "full.xlsx") as book:
        book.sheet("fits", ["h"], [[n] for n in range(9)])
        with pytest.raises(ValueError, match="more than 10 rows"):
            book.sheet("too long", ["h"], [[n] for n in range(10)])


def test_the_package_holds_the_parts_excel_needs(tmp_path: Path):
    path = tmp_path / "parts.xlsx"
    with XlsxWriter(path) as book:
        book.sheet("a", None, [[1]])
        book.sheet("b", None, [[2]])
    names = set(zipfile.ZipFile(path).namelist())
    assert names == {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                     "xl/worksheets/sheet2.xml"}


def test_a_sheet_with_a_header_is_ready_for_the_office(tmp_path: Path):
    """Issue 16: numbers as numbers, dates as dates, a frozen header, an autofilter over the
    columns, widths fitted to the header and the values."""
    from datetime import date, datetime
    from decimal import Decimal

    path = tmp_path / "office.xlsx"
    long_title = "Concentrateur hydrométrique de la station de Saint-Martin arrêté depuis la nuit"
    with XlsxWriter(path) as book:
        book.sheet("Tickets", ["Réf.", "Objet", "Ouvert le", "Jour", "Temps passé (h)", "Montant HT (€)"],
                   [["T-1", long_title, datetime(2026, 12, 25, 9, 30), date(2026, 12, 24), 1.5,
                     Decimal("1234.50")],
                    ["T-2", "Court", None, None, 2, Decimal("0.10")]])
        book.sheet("Synthèse", None, [["Note", 17]])
    workbook = load_workbook(path)
    sheet = workbook["Tickets"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    row = [cell.value for cell in sheet[2]]
    assert row[2] == datetime(2026, 12, 25, 9, 30)
    assert sheet["C2"].is_date
    assert row[3] == datetime(2026, 12, 24)
    assert sheet["D2"].number_format == "mm-dd-yy"
    assert isinstance(row[4], float)
    assert row[4] == 1.5
    assert row[5] == 1234.5
    assert sheet["F3"].value == 0.1
    assert sheet["E3"].data_type == "n"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["A"] == xlsx.MIN_WIDTH + 2  # short values: the minimum
    assert widths["B"] == xlsx.MAX_WIDTH + 2  # a long title: capped
    assert widths["E"] == len("Temps passé (h)") + 2
    assert widths["C"] >= 16  # a date and time is readable without widening the column
    # Excel names the filtered range, and the sheet without a header has neither filter nor pane
    assert "_xlnm._FilterDatabase" in zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    assert workbook["Synthèse"].auto_filter.ref is None
    assert workbook["Synthèse"].freeze_panes is None
