"""Each shipped convention reads the real exports of its contract's tool: EasyVista's French
statuses (CD13), Matrix42/OCEAN's (LADE), GLPI's list export (AQUAREEL). A state no profile
maps stops the scorecard with the state and the row, through the real importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jalon.conventions import scorecard_cli
from jalon.conventions.evaluate import evaluate
from jalon.conventions.loader import load
from jalon.conventions.period import Period
from jalon.conventions.tests.support import CONVENTIONS
from jalon.imports import PROFILES, read_export

EASYVISTA = (
    "N° de ticket;Objet;Statut;Date d'ouverture;Date de prise en charge;Date de résolution;"
    "Date de clôture;Date de dernière modification;Priorité;Type\n"
    "I250301_1;Messagerie;Clôturé;03/03/2025 08:05;03/03/2025 08:20;03/03/2025 09:41;"
    "04/03/2025 10:00;04/03/2025 10:00;P2 - Haute;Incident\n"
    "I250301_2;Lenteur;Résolu;03/03/2025 10:15;03/03/2025 10:30;05/03/2025 16:20;;"
    "05/03/2025 16:20;P3 - Moyenne;Incident\n"
    "I250301_3;Poste;En attente;04/03/2025 14:02;04/03/2025 14:30;;;05/03/2025 09:00;"
    "P4 - Basse;Demande\n"
    "I250301_4;Téléphone;Clos;04/03/2025 15:00;04/03/2025 15:10;04/03/2025 16:00;"
    "05/03/2025 08:00;05/03/2025 08:00;P1 - Critique;Incident\n"
    "I250301_5;Badge;Pris en charge;05/03/2025 09:00;05/03/2025 09:05;;;05/03/2025 09:05;"
    "P3 - Moyenne;Incident\n"
    "I250301_6;Casque;Ouvert;05/03/2025 11:00;;;;05/03/2025 11:00;P4 - Basse;Incident\n"
)

OCEAN = (
    "Numéro;Objet;Statut;Date de création;Date de prise en charge;Date de résolution;"
    "Date de clôture;Date de modification;Rôle assigné;Priorité;Nature;Origine\n"
    "TCK0001;VPN;Clôturé;03/03/2026 08:05:00;03/03/2026 08:09:00;03/03/2026 09:41:00;"
    "04/03/2026 10:00:00;04/03/2026 10:00:00;N1_TMS_SD;Élevée;Incident;Téléphone\n"
    "TCK0002;Imprimante;Résolu;03/03/2026 10:15:00;03/03/2026 10:30:00;05/03/2026 16:20:00;;"
    "05/03/2026 16:20:00;N2_TME_RX;Moyenne;Incident;Portail\n"
    "TCK0003;Compte;En attente;04/03/2026 14:02:00;04/03/2026 14:30:00;;;05/03/2026 09:00:00;"
    "N1_TMS_SD;Faible;Incident;Mail\n"
    "TCK0004;Poste;En cours;05/03/2026 09:00:00;05/03/2026 09:05:00;;;05/03/2026 09:05:00;"
    "N1_TMS_PROXIMITE;Faible;Incident;Portail\n"
)


def scorecard(tmp_path: Path, capsys, convention: str, text: str, profile: str, period: str,
              ) -> tuple[int, dict, str]:
    path = tmp_path / f"{profile}.csv"
    path.write_text(text, "utf-8")
    status = scorecard_cli.main(["--convention", str(CONVENTIONS / convention), "--tickets", str(path),
                                 "--profile", profile, "--period", period])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if status == 0 else {}, captured.err


def test_an_easyvista_export_in_french_is_scored_by_cd13_without_setting_a_ticket_aside(tmp_path, capsys):
    status, card, err = scorecard(tmp_path, capsys, "cd13-callipso.yaml", EASYVISTA, "easyvista", "2025-Q1")
    assert status == 0, err
    assert card["tickets"]["count"] == 6
    assert card["warnings"] == []


def test_an_ocean_export_with_closed_tickets_is_scored_by_lade_without_setting_a_ticket_aside(tmp_path, capsys):
    status, card, err = scorecard(tmp_path, capsys, "lade-tmes.yaml", OCEAN, "ocean", "2026-Q1")
    assert status == 0, err
    assert card["tickets"]["count"] == 4
    assert card["warnings"] == []


def test_a_glpi_list_export_with_every_status_is_mapped_by_aquareel(tmp_path):
    statuses = ["Nouveau", "En cours (Attribué)", "En cours (Planifié)", "En attente", "Résolu", "Clos"]
    lines = ["ID;Titre;Statut;Date d'ouverture;Dernière modification;Priorité;Catégorie;Nombre de réouvertures"]
    lines += [f"{n};T{n};{state};2026-03-02 09:00;2026-03-02 1{n}:00;Haute;Anomalie;0"
              for n, state in enumerate(statuses)]
    path = tmp_path / "glpi.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    tickets = read_export(path, "glpi", mapping={"reopen_count": "Nombre de réouvertures"}).tickets
    card = evaluate(load(CONVENTIONS / "aquareel-tma.yaml"), tickets, [], Period.parse("2026-Q1"), "glpi",
                    on_error="fail")
    assert card.mapped is not None
    assert card.mapped.keep.all()
    assert sorted(set(tickets.event_state.tolist())) == sorted(statuses)


@pytest.mark.parametrize(("convention", "profile"), [
    ("cd13-callipso.yaml", "easyvista"), ("lade-tmes.yaml", "ocean"), ("aquareel-tma.yaml", "glpi")])
def test_every_milestone_state_the_importer_writes_is_mapped(convention, profile):
    states = load(CONVENTIONS / convention).profiles[profile].states
    written = {state for _, state in PROFILES[profile].milestones}
    assert written <= {external for external, _ in states.values}


def test_a_state_no_profile_maps_stops_the_scorecard_naming_it_and_its_row(tmp_path, capsys):
    text = EASYVISTA.replace("Lenteur;Résolu;", "Lenteur;Bizarre;").replace(
        "05/03/2025 16:20;;05/03/2025 16:20", "05/03/2025 16:20;;06/03/2025 11:00")
    status, _, err = scorecard(tmp_path, capsys, "cd13-callipso.yaml", text, "easyvista", "2025-Q1")
    assert status == 2
    assert "easyvista.csv:3: state: 'Bizarre' is not mapped by profile" in err
