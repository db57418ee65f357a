"""The README of a contract export, generated from the models (French, then English)."""

from __future__ import annotations

from django.utils import translation

from jalon.reversibility.discovery import EXCLUDED, Column, Part, Role
from jalon.reversibility.values import type_name

INTRO = """\
# Export de marché Jalon — Jalon contract export

## Français

Cette archive contient **tout le marché** tel que la plateforme de suivi Jalon le conserve
(réversibilité), dans des formats ouverts :

- `manifest.json` : le marché exporté, la date de l'export, la version de Jalon, la liste des
  types d'enregistrements **dans l'ordre des dépendances** (chacun avec ses colonnes et son
  nombre de lignes) et l'**empreinte SHA-256** et la taille de **chaque autre fichier** de
  l'archive. Vérification : `sha256sum` de chaque membre, comparé au manifeste.
- `data/<application>.<modèle>.jsonl` : une ligne JSON par enregistrement (fait foi : c'est ce que
  `jalon contract import` relit) ; `data/<application>.<modèle>.csv` : les mêmes lignes en CSV
  (UTF-8, virgule, ligne d'en-tête, RFC 4180 ; vide = valeur absente ; `true`/`false` ; les
  structures en JSON). Les cellules sont brutes : ouvrez le CSV avec l'assistant d'import de votre
  tableur (sans interpréter de formule).
- `files/<chemin>` : les fichiers déposés (pièces jointes…), au chemin que donne la colonne fichier.
- `conventions/v<numéro>-<fichier>` : le texte YAML de chaque version de la convention de service.

Les instants sont en ISO 8601 avec leur décalage (UTC). Les identifiants (`id`, colonnes `…_id`)
relient les fichiers entre eux ; l'import les conserve. Les personnes (`auth.user`) sont exportées
sans mot de passe ni droit d'administration : l'import les recrée avec un mot de passe inutilisable
(à réinitialiser). Les historiques (événements) sont en ajout seul : l'import les insère.

## English

This archive holds **the whole contract** as the Jalon platform keeps it (reversibility), in open
formats: `manifest.json` (the contract, the export's instant, Jalon's version, the record types
**in dependency order** with their columns and row counts, and the **SHA-256 digest** and size of
**every other member**); `data/<app>.<model>.jsonl` (one JSON object per row: the reference, read
back by `jalon contract import`) and `data/<app>.<model>.csv` (the same rows as CSV: UTF-8, comma,
header line, RFC 4180; empty = no value; `true`/`false`; structures as JSON; raw cells: open them
with a spreadsheet's import wizard); `files/<path>` (the stored files, at the path the file column
gives); `conventions/v<number>-<file>` (each convention version's YAML).

Instants are ISO 8601 with their offset (UTC). Ids (`id`, `…_id` columns) link the files; the
import keeps them. People (`auth.user`) are exported without password or administration rights:
the import recreates them with an unusable password (to be reset). Histories (events) are
append-only: the import inserts them.

## Types d'enregistrements — Record types

"""


def render(parts: list[Part]) -> str:
    """The README: the format, then each model with its columns (type, meaning)."""
    lines = [INTRO]
    for part in parts:
        meta = part.model._meta
        with translation.override("fr"):
            french = str(meta.verbose_name_plural)
            french_columns = {c.name: _meaning(c, "valeurs") for c in part.columns}
        with translation.override("en"):
            english = str(meta.verbose_name_plural)
            english_columns = {c.name: _meaning(c, "values") for c in part.columns}
        which = (f"rows of the contract (path: `{part.path}`)" if part.role is Role.OWNED
                 else "only the rows the contract's records refer to")
        lines.append(f"### `{part.label}` — {french} — {english}\n\n"
                     f"`data/{part.label}.jsonl`, `data/{part.label}.csv`: {which}.\n\n"
                     "| colonne / column | type | sens | meaning |\n|---|---|---|---|\n")
        for column in part.columns:
            fr_name, fr_help = french_columns[column.name]
            en_name, en_help = english_columns[column.name]
            lines.append(f"| `{column.name}` | {type_name(column)} | {_cell(fr_name, fr_help)} | "
                         f"{_cell(en_name, en_help)} |\n")
        if part.dropped:
            lines.append("\nNon exporté — not exported: " + ", ".join(f"`{n}`" for n in part.dropped) + ".\n")
        lines.append("\n")
    lines.append("## Non exporté — Left out\n\n")
    for label, reason in sorted(EXCLUDED.items()):
        lines.append(f"- `{label}`: {reason}.\n")
    return "".join(lines)


def _meaning(column: Column, values: str) -> tuple[str, str]:
    """The column's name and help in the active language, with what each choice means."""
    f = column.field
    help_text = str(f.help_text or "")
    if f.choices and not column.many:
        words = "; ".join(f"`{value}` = {label}" for value, label in f.flatchoices)
        help_text = (help_text + " " if help_text else "") + f"({values} : {words})".replace(
            " :", ":" if values == "values" else " :")
    return str(f.verbose_name), help_text


def _cell(name: str, help_text: str) -> str:
    text = name + (f" — {help_text}" if help_text else "")
    return text.replace("|", "\\|").replace("\n", " ")
