"""Write a realistic ticket export of any size, for import and scorecard benchmarks.

    python benchmarks/generate_tickets.py --rows 1000000 --profile servicenow --out var/sn.csv

``--rows`` counts data rows: events for ``servicenow`` (about six per incident, the shape of the
real UCI event log, all 36 columns), tickets for ``glpi`` (a French GLPI export: ``;``, quoted
cells, UTF-8 with BOM). Output is the same for the same ``--seed`` and written as it is generated,
so memory stays flat whatever the size. A name ending in ``.gz`` or ``.xz`` is compressed.

GLPI's list export has no reopen counter, which the AQUAREEL convention's reopen rate needs: the
``glpi`` export ends with a ``Nombre de réouvertures`` column, as a custom field would add one,
read with ``read_export(..., mapping={"reopen_count": GLPI_REOPEN_COLUMN})``.
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

START = datetime(2016, 2, 29, 0, 0)
SPAN_MINUTES = 365 * 24 * 60
SERVICENOW_HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,"
    "contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,"
    "assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,"
    "caused_by,closed_code,resolved_by,resolved_at,closed_at"
)
# (impact, urgency, priority) with the real log's frequencies, most common first
SERVICENOW_LEVELS = [
    (("2 - Medium", "2 - Medium", "3 - Moderate"), 0.93),
    (("3 - Low", "3 - Low", "4 - Low"), 0.03),
    (("1 - High", "2 - Medium", "2 - High"), 0.02),
    (("1 - High", "1 - High", "1 - Critical"), 0.02),
]
PAUSES = ["Awaiting User Info"] * 30 + ["Awaiting Vendor", "Awaiting Problem"]
GLPI_REOPEN_COLUMN = "Nombre de réouvertures"
GLPI_HEADER = [
    "ID", "Titre", "Statut", "Date d'ouverture", "Date de prise en compte",
    "Dernière modification", "Date de résolution", "Date de clôture", "Priorité", "Urgence",
    "Impact", "Type", "Catégorie", "Attribué à - Groupe de techniciens", "Demandeur - Demandeur",
    GLPI_REOPEN_COLUMN,
]
GLPI_GROUPS = ["N1_TMS_SD", "N1_TMS_PROXIMITE_AG", "N1_TMS_PROXIMITE_RMC", "N2_TME", "N2_TME_RX",
               "N2_TME_DBA", "N2_TMS_O365"]
GLPI_LEVELS = ["Très haute", "Haute", "Moyenne", "Basse"]
GLPI_CATEGORIES = ["Poste de travail"] * 6 + ["Anomalie", "Maintenance corrective",
                                              "Intervention urgente", "Audit"]
GLPI_TITLES = ["Imprimante hors service", "Accès VPN refusé", "Mot de passe expiré",
               "Demande de création de compte", "Lenteur de l'application « Redevances »"]


def servicenow_rows(rng: random.Random) -> Iterator[str]:
    number = 0
    while True:
        number += 1
        yield from _incident_rows(rng, number)


def _incident_rows(rng: random.Random, number: int) -> Iterator[str]:
    opened = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
    states = ["New", *_middle_states(rng), "Resolved", "Closed"]
    moments = [opened + timedelta(minutes=rng.randrange(1, 30))]
    for _ in states[1:]:
        moments.append(moments[-1] + timedelta(minutes=int(rng.expovariate(1 / 600)) + 1))
    resolved = moments[states.index("Resolved")]
    levels = rng.choices([lv for lv, _ in SERVICENOW_LEVELS], [w for _, w in SERVICENOW_LEVELS])[0]
    fixed = _incident_fields(rng, number, opened, resolved, moments[-1], levels)
    for count, (state, moment) in enumerate(zip(states, moments, strict=True)):
        active = "false" if state == "Closed" else "true"
        yield fixed.format(state=state, active=active, count=count, updated=_dmy(moment))


def _middle_states(rng: random.Random) -> list[str]:
    states = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        states.append(rng.choice(PAUSES) if rng.random() < 0.3 else "Active")
    return states


def _incident_fields(
    rng: random.Random, number: int, opened: datetime, resolved: datetime, closed: datetime,
    levels: tuple[str, str, str],
) -> str:
    """The row of one incident with its per-event cells left as format fields."""
    impact, urgency, priority = levels
    group = f"Group {rng.randrange(1, 80)}"
    category = rng.randrange(1, 60)
    return (
        f"INC{number:07d},{{state}},{{active}},{rng.randrange(3)},0,{{count}},"
        f"{rng.choice(['true'] * 9 + ['false'])},Caller {rng.randrange(5000)},"
        f"Opened by  {rng.randrange(300)},{_dmy(opened)},?,?,Updated by {rng.randrange(900)},"
        f"{{updated}},Phone,Location {rng.randrange(200)},Category {category},"
        f"Subcategory {rng.randrange(250)},Symptom {rng.randrange(500)},?,{impact},{urgency},"
        f"{priority},{group},Resolver {rng.randrange(200)},true,false,Do Not Notify,?,?,?,?,"
        f"code {rng.randrange(1, 12)},Resolved by {rng.randrange(200)},{_dmy(resolved)},"
        f"{_dmy(closed)}"
    )


def _dmy(moment: datetime) -> str:
    return f"{moment.day}/{moment.month}/{moment.year} {moment:%H:%M}"


def glpi_rows(rng: random.Random) -> Iterator[str]:
    number = 1000
    while True:
        number += 1
        yield ";".join(f'"{cell}"' for cell in _glpi_cells(rng, number))


def _glpi_cells(rng: random.Random, number: int) -> list[str]:
    opened = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
    taken = opened + timedelta(minutes=rng.randrange(1, 240))
    resolved = taken + timedelta(minutes=int(rng.expovariate(1 / 900)) + 1)
    closed = resolved + timedelta(days=rng.choice([1, 2, 3, 7]))
    status = rng.choices(["Clos", "Résolu", "En attente", "En cours (Attribué)"],
                         [80, 10, 5, 5])[0]
    if status in {"En attente", "En cours (Attribué)"}:
        resolved_text = closed_text = ""
        updated = taken + timedelta(minutes=rng.randrange(1, 600))
    else:
        resolved_text = f"{resolved:%Y-%m-%d %H:%M}"
        closed_text = f"{closed:%Y-%m-%d %H:%M}" if status == "Clos" else ""
        updated = closed if status == "Clos" else resolved
    level = rng.choice(GLPI_LEVELS)
    return [
        str(number), rng.choice(GLPI_TITLES), status, f"{opened:%Y-%m-%d %H:%M}",
        f"{taken:%Y-%m-%d %H:%M}", f"{updated:%Y-%m-%d %H:%M}", resolved_text, closed_text,
        level, level, "Moyen", rng.choice(["Incident", "Incident", "Demande"]),
        rng.choice(GLPI_CATEGORIES), rng.choice(GLPI_GROUPS), f"Demandeur {rng.randrange(1747)}",
        rng.choice("0000000001"),
    ]


def _open(path: Path, encoding: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding=encoding, newline="")
    if path.suffix == ".xz":
        return lzma.open(path, "wt", encoding=encoding, newline="")
    return path.open("w", encoding=encoding, newline="")


def write(path: Path, profile: str, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    if profile == "servicenow":
        header, body, encoding = SERVICENOW_HEADER, servicenow_rows(rng), "utf-8"
    else:
        header = ";".join(f'"{name}"' for name in GLPI_HEADER)
        body, encoding = glpi_rows(rng), "utf-8-sig"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open(path, encoding) as out:
        out.write(header + "\n")
        batch: list[str] = []
        for _, line in zip(range(rows), body, strict=False):
            batch.append(line)
            if len(batch) == 10_000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="data rows to write")
    parser.add_argument("--profile", choices=["servicenow", "glpi"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args(argv)
    write(args.out, args.profile, args.rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
