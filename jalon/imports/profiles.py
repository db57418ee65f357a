"""What each tool's export looks like: its columns, its date formats, its row layout.

A profile maps *canonical fields* (``id``, ``opened_at``, ``priority``…) to the headers a tool
writes, several spellings per field because each version and language of a tool names its columns
a little differently. Headers are compared without case, accents, typographic apostrophes or
repeated spaces. A user ``mapping`` (canonical field → source column) overrides a profile or adds
fields to it; a field it maps to ``None`` is not read.

Canonical fields and where they land in a :class:`~jalon.imports.ticketset.TicketSet`:

* ``id`` → ``ids``; ``state`` → the state history (and ``attributes["state"]`` for one-row-per-
  ticket exports, where it is the current status);
* ``opened_at``, ``resolved_at``, ``closed_at`` → the columns of the same name; every other field
  ending in ``_at`` (``taken_at``, ``updated_at``, ``planned_at``…) → ``instants``;
* ``reopen_count``, ``reassignment_count`` → ``counters``;
* anything else → ``attributes`` (text as written, ``""`` when missing).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from jalon.imports.dates import DateFormat

Layout = Literal["ticket", "event"]
COUNTERS = frozenset({"reopen_count", "reassignment_count"})
TICKET_DATES = ("opened_at", "resolved_at", "closed_at")


def is_date_field(name: str) -> bool:
    return name.endswith("_at")


@dataclass(frozen=True)
class Profile:
    name: str
    layout: Layout
    """``event``: one row per update of a ticket (state + instant); ``ticket``: one row per
    ticket, its history synthesised from the date columns (``milestones``) and its status."""
    columns: Mapping[str, tuple[str, ...]]
    """Canonical field → accepted headers, in order of preference."""
    date_formats: tuple[str, ...]
    required: frozenset[str] = frozenset({"id", "opened_at"})
    missing_values: frozenset[str] = frozenset({""})
    """Cell values meaning "no value" besides the empty cell (ServiceNow writes ``?``)."""
    ignored_states: frozenset[str] = frozenset()
    """States that are noise rather than history: their rows are read, their events dropped."""
    milestones: tuple[tuple[str, str], ...] = ()
    """One-row-per-ticket layout: (date field, state the ticket entered at that date)."""
    defaults: Mapping[str, str] = field(default_factory=dict)
    """Attribute values for every ticket when the export has no such column."""

    def formats(self) -> tuple[DateFormat, ...]:
        return tuple(DateFormat.parse(label) for label in self.date_formats)

    def with_mapping(self, mapping: Mapping[str, str | None] | None) -> Profile:
        """This profile with a user's column mapping applied on top."""
        if not mapping:
            return self
        columns = dict(self.columns)
        for canonical, source in mapping.items():
            if source is None:
                columns.pop(canonical, None)
            else:
                columns[canonical] = (source,)
        return replace(self, columns=MappingProxyType(columns))


def normalise_header(header: str) -> str:
    """The form in which headers are compared: ``Date d’Ouverture `` == ``date d'ouverture``."""
    text = header.replace("\ufeff", "").replace("’", "'").replace("`", "'").casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def _frozen(columns: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(columns)


SERVICENOW = Profile(
    name="servicenow",
    layout="event",
    # The UCI "incident management process enriched event log": the instance's own column names.
    columns=_frozen(
        {
            "id": ("number",),
            "state": ("incident_state",),
            "updated_at": ("sys_updated_at",),
            "opened_at": ("opened_at",),
            "resolved_at": ("resolved_at",),
            "closed_at": ("closed_at",),
            "priority": ("priority",),
            "urgency": ("urgency",),
            "impact": ("impact",),
            "group": ("assignment_group",),
            "assigned_to": ("assigned_to",),
            "contact_type": ("contact_type",),
            "category": ("category",),
            "subcategory": ("subcategory",),
            "location": ("location",),
            "made_sla": ("made_sla",),
            "closed_code": ("closed_code",),
            "reopen_count": ("reopen_count",),
            "reassignment_count": ("reassignment_count",),
        }
    ),
    date_formats=("D/M/YYYY HH:MM",),
    required=frozenset({"id", "state", "updated_at", "opened_at"}),
    missing_values=frozenset({"", "?"}),
    # 2 rows of the published log carry -100, a value outside the state list: an export artefact.
    ignored_states=frozenset({"-100"}),
    defaults=MappingProxyType({"type": "Incident"}),
)

GLPI = Profile(
    name="glpi",
    layout="ticket",
    # Headers of GLPI's ticket list exported in French ("Exporter la page/tous en CSV"); linked
    # fields are written "<item> - <field>".
    columns=_frozen(
        {
            "id": ("ID",),
            "title": ("Titre",),
            "state": ("Statut",),
            "opened_at": ("Date d'ouverture",),
            "taken_at": ("Date de prise en compte",),
            "resolved_at": ("Date de résolution",),
            "closed_at": ("Date de clôture",),
            "updated_at": ("Dernière modification",),
            "due_at": ("Temps de résolution", "Date d'échéance"),
            "priority": ("Priorité",),
            "urgency": ("Urgence",),
            "impact": ("Impact",),
            "type": ("Type",),
            "category": ("Catégorie",),
            "group": ("Attribué à - Groupe de techniciens", "Groupe de techniciens"),
            "assigned_to": ("Attribué à - Technicien", "Technicien"),
            "requester": ("Demandeur - Demandeur", "Demandeur"),
            "contact_type": ("Source de la demande",),
            "entity": ("Entité",),
            "location": ("Lieu",),
        }
    ),
    date_formats=(
        "YYYY-MM-DD HH:MM",
        "YYYY-MM-DD HH:MM:SS",
        "DD-MM-YYYY HH:MM",
        "DD-MM-YYYY HH:MM:SS",
    ),
    milestones=(
        ("opened_at", "Nouveau"),
        ("taken_at", "En cours (Attribué)"),
        ("resolved_at", "Résolu"),
        ("closed_at", "Clos"),
    ),
)

EASYVISTA = Profile(
    name="easyvista",
    layout="ticket",
    # EasyVista Service Manager list exports (incidents and requests), French interface.
    columns=_frozen(
        {
            "id": ("N° de ticket", "Numéro", "Numéro de ticket", "N° ticket"),
            "title": ("Objet", "Titre", "Description courte"),
            "state": ("Statut",),
            "opened_at": ("Date d'ouverture", "Date de création", "Date de déclaration"),
            "taken_at": ("Date de prise en charge",),
            "resolved_at": ("Date de résolution",),
            "closed_at": ("Date de clôture",),
            "updated_at": ("Date de dernière modification", "Date de modification"),
            "due_at": ("Date de fin prévue", "Date d'échéance"),
            "priority": ("Priorité",),
            "urgency": ("Urgence",),
            "impact": ("Impact",),
            "type": ("Type", "Type de ticket"),
            "category": ("Catalogue", "Catégorie"),
            "group": ("Groupe", "Groupe de support", "Groupe d'intervention"),
            "assigned_to": ("Intervenant", "Technicien"),
            "requester": ("Demandeur",),
            "beneficiary": ("Bénéficiaire",),
            "contact_type": ("Origine", "Canal"),
            "location": ("Localisation", "Site"),
            "entity": ("Entité", "Département"),
        }
    ),
    date_formats=("DD/MM/YYYY HH:MM:SS", "DD/MM/YYYY HH:MM", "DD/MM/YYYY"),
    milestones=(
        ("opened_at", "Ouvert"),
        ("taken_at", "Pris en charge"),
        ("resolved_at", "Résolu"),
        ("closed_at", "Clôturé"),
    ),
)

OCEAN = Profile(
    name="ocean",
    layout="ticket",
    # Matrix42 "OCEAN" at the LADE: every field seed 002 §10.1 names (id with its TCK/CHN prefix,
    # role assigned, priority Élevée/Moyenne/Faible, origin, opened/requalified/closed by, the four
    # timestamps, status, age, nature, standard/complex, tags, CI, beneficiary, requester, site,
    # agency, entity, parent, third-party reference, category, resolution group, SLA target, and for
    # changes planned/actual dates, CAB/eCAB and GO/NO GO).
    columns=_frozen(
        {
            "id": ("Numéro", "N° de ticket", "Numéro de ticket", "Ticket", "Référence", "ID"),
            "title": ("Objet", "Titre", "Résumé"),
            "state": ("Statut", "État"),
            "year": ("Année",),
            "opened_at": ("Date de création", "Date d'ouverture", "Créé le"),
            "taken_at": ("Date de prise en charge", "Pris en charge le"),
            "resolved_at": ("Date de résolution", "Résolu le"),
            "closed_at": ("Date de clôture", "Clôturé le", "Fermé le"),
            "updated_at": ("Date de modification", "Dernière modification", "Modifié le"),
            "group": ("Rôle assigné", "Rôle", "Groupe assigné"),
            "resolution_group": ("Groupe de résolution", "Rôle de résolution"),
            "priority": ("Priorité",),
            "urgency": ("Urgence",),
            "impact": ("Impact",),
            "contact_type": ("Origine", "Canal", "Source"),
            "opened_by": ("Ouvert par", "Créé par"),
            "requalified_by": ("Requalifié par", "Complété par"),
            "closed_by": ("Clôturé par", "Fermé par"),
            "age": ("Âge", "Âge (jours)", "Ancienneté"),
            "type": ("Nature", "Type"),
            "complexity": ("Standard / Complexe", "Complexité", "Ticket complexe"),
            "tags": ("Étiquettes", "Tags", "Mots-clés"),
            "ci": ("CI", "Élément de configuration"),
            "beneficiary": ("Bénéficiaire",),
            "requester": ("Demandeur",),
            "site": ("Site", "Localisation"),
            "agency": ("Agence",),
            "entity": ("Entité",),
            "parent_id": ("Ticket parent", "Parent"),
            "third_party_ref": ("Référence tiers", "Ticket tiers", "Référence externe"),
            "category": ("Catégorie", "Domaine"),
            "sla_target": ("Cible SLA", "SLA"),
            "planned_at": ("Date prévue", "Date planifiée"),
            "done_at": ("Date réelle", "Date de réalisation"),
            "cab": ("CAB", "Type de CAB"),
            "go_decision": ("GO/NO GO", "Décision"),
        }
    ),
    date_formats=("DD/MM/YYYY HH:MM:SS", "DD/MM/YYYY HH:MM", "DD/MM/YYYY"),
    milestones=(
        ("opened_at", "Nouveau"),
        ("taken_at", "En cours"),
        ("resolved_at", "Résolu"),
        ("closed_at", "Clôturé"),
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {profile.name: profile for profile in (SERVICENOW, GLPI, EASYVISTA, OCEAN)}
)


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown export profile {profile!r} (known: {known})") from None
