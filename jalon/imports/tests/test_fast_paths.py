"""The CSV fast path (cells read where they lie, dates without per-value work, one dictionary
update per block of new ticket ids) gives what the csv-module path gives on the same file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from jalon.imports import read_export, sources
from jalon.imports.reader import ImportResult

HEADER = ("ID;Titre;Statut;Date d'ouverture;Date de prise en compte;Date de résolution;"
          "Date de clôture;Dernière modification;Priorité")
ROWS = [
    "1;Écran;Clos;2025-03-30 02:30;2025-03-30 03:10:00;2025-03-31 09:00;2025-04-02 10:00;"
    "2025-04-02 10:00;Haute",  # spring gap
    "2;VPN;Résolu;2025-10-26 02:30;2025-10-26 02:45;2025-10-26 03:30:00;;2025-10-26 04:00;Basse",
    "3;Compte;En attente;26-10-2025 01:59;;;;26-10-2025 02:59:59;Moyenne",  # day first
    "4;Imprimante;Clos;2025-06-02 10:00;2025-06-02 09:00;2025-06-01 18:00;2025-06-03 08:00;"
    "2025-06-03 08:00;Haute",  # milestones out of order
    "5;Messagerie;Nouveau;2025-02-29 10:00;;;;;Basse",  # not a date
    "6;Wi-Fi;En cours (Attribué);2025-06-02 25:00;;;;2025-06-01 10:00;Haute",  # not a date
    "7;Poste;En cours (Attribué);2025-06-02 10:00;;;;2025-06-01 10:00;Haute",  # undated status
    "3;Doublon;Clos;2025-06-02 10:00;;;;;Haute",  # ticket already read
    "8;  Espaces  ;Clos; 2025-06-02 10:00 ;;2025-6-2 11:00;;;Haute",  # 1-digit month: not a date
    "9;Sans date;Clos;;;;;;Haute",  # required date missing
    "10;Écran 2;Clos;2025-07-01 08:00;2025-07-01 08:30;2025-07-01 09:00;2025-07-02 09:00;"
    "2025-07-02 09:00;Très haute",
    "11;  Espaces  ; Clos ; 2025-06-02 10:00 ;;;;;Haute",  # spaces around cells are dropped
    '12;" Écran 3 ";"Clos";"2025-07-01 08:00 ";;;;;"Haute"',  # inside quotes too
]


def csv_module_only(path: Path, table: sources.Table, wanted, max_bytes: int) -> Iterator[sources.Block]:
    return sources.csv_module_blocks(path, table, wanted)


def both_ways(monkeypatch: pytest.MonkeyPatch, path: Path) -> tuple[ImportResult, ImportResult]:
    fast = read_export(path, "glpi", on_error="skip")
    with monkeypatch.context() as patch:
        patch.setattr(sources, "_fast_blocks", csv_module_only)
        slow = read_export(path, "glpi", on_error="skip")
    return fast, slow


def test_the_fast_path_reads_dates_problems_and_history_as_the_csv_module_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", "utf-8")
    fast, slow = both_ways(monkeypatch, path)
    assert [str(p) for p in fast.problems] == [str(p) for p in slow.problems]
    assert [p.row for p in fast.problems] == [6, 7, 9, 10, 11]
    a, b = fast.tickets, slow.tickets
    assert a.ids.tolist() == b.ids.tolist() == ["1", "2", "3", "4", "7", "10", "11", "12"]
    for name in ("opened_at", "resolved_at", "closed_at", "event_at"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name
    assert a.instants["taken_at"].tolist() == b.instants["taken_at"].tolist()
    assert a.event_ticket.tolist() == b.event_ticket.tolist()
    assert a.event_state.tolist() == b.event_state.tolist()
    assert {k: v.tolist() for k, v in a.attributes.items()} == {
        k: v.tolist() for k, v in b.attributes.items()}
    for stat in ("dst_ambiguous", "dst_nonexistent", "status_undated", "rows_read", "rows_skipped"):
        assert getattr(fast.stats, stat) == getattr(slow.stats, stat), stat
    assert (fast.stats.dst_nonexistent, fast.stats.dst_ambiguous) == (1, 3)
    assert a.attributes["title"].tolist()[-2:] == ["Espaces", "Écran 3"]


def test_a_million_style_block_of_new_ids_keeps_first_appearance_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    lines = [f"{n};T;Clos;2025-01-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d};;;;;Haute"
             for n in range(5000, 0, -1)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join([HEADER, *lines, lines[10]]) + "\n", "utf-8")
    fast, slow = both_ways(monkeypatch, path)
    assert [str(p) for p in fast.problems] == [str(p) for p in slow.problems] == [
        'many.csv: row 5002, column ID: ticket "4990" already read at row 12']
    assert fast.tickets.ids.tolist() == slow.tickets.ids.tolist()
    assert np.array_equal(fast.tickets.opened_at, slow.tickets.opened_at)


@pytest.mark.parametrize("values", [
    [f"Groupe {n % 3}" for n in range(5000)],  # a slot per value
    [f"Demandeur {n % 1747} de la direction" for n in range(5000)],  # sorted keys
    ["Clos"] * 300 + [f"TCK{n:07d}" for n in range(5000)],  # few values first, then many
    ["", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgh\xe9"] * 50,  # word boundaries
])
def test_factorising_a_column_gives_every_cell_back(values: list[str]):
    encoded = [value.encode() for value in values]
    data = b";".join(encoded) + b"\n"
    ends = np.cumsum([len(v) + 1 for v in encoded]) - 1
    starts = ends - np.array([len(v) for v in encoded])
    cells = sources.factorise(sources.padded(data), starts, ends)
    assert cells.distinct_matrix is not None
    assert len(cells.distinct_matrix) == len(set(values))
    rebuilt = cells.distinct_matrix[cells.inverse].view(f"S{cells.distinct_matrix.shape[1]}")
    assert [text.decode() for text in rebuilt.ravel().tolist()] == values
