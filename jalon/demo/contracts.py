"""The three demo contracts as their conventions describe them: organisations, the people of
each one besides the printed logins, the sites and groups their indicators select on, and the
requests they receive (types, qualification, effort).

AQUAREEL (seeds 000/001), the water agencies' TME/TMS (``lade``, seed 002) and CD13 Callipso
(``cd13``, seed 003). Each ticket's values are the ones the shipped convention reads: LADE's
groups are named like OCEAN's roles (``N1_TMS_SD``, ``N2_TME_…``, conventions/lade-tmes.yaml
``equipe`` and ``role``), its sites are the agencies' and its priority comes from the
urgency × impact matrix; CD13's come from U1/U2 × 1/2/3 and a major incident is a "majeur" or
"bloquant" criticality (conventions/cd13-callipso.yaml ``majeur``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jalon.accounts.models import OrganisationKind, Role
from jalon.tickets.models import Channel

Qualification = dict[str, str]


@dataclass(frozen=True)
class Request:
    """A kind of request a contract receives: its type, how often, how level 1 qualifies it,
    its titles, how long the holder takes (business hours) and what the holder records."""

    type: str
    weight: int
    titles: tuple[str, ...]
    qualifications: tuple[tuple[Qualification, int], ...]
    effort: tuple[float, float] = (4, 40)
    urgent: bool = False
    logs_time: bool = True
    reported: bool = False

    def qualification(self, rng: random.Random) -> Qualification:
        options, weights = zip(*self.qualifications, strict=True)
        return dict(rng.choices(options, weights=weights)[0])


@dataclass(frozen=True)
class Contact:
    """A person of one contract only (not a printed login: no usable password)."""

    login: str
    first_name: str
    last_name: str
    organisation: str
    role: Role
    site: str = ""


@dataclass(frozen=True)
class DemoContract:
    slug: str
    reference: str
    name: str
    convention: str
    buyer: str
    holder: str
    organisations: tuple[tuple[str, OrganisationKind], ...]
    requests: tuple[Request, ...]
    groups: tuple[tuple[str, int], ...]
    """The groups the holder's manager assigns to, with their weights."""
    contacts: tuple[Contact, ...] = ()
    requesters: tuple[str, ...] = ("demandeur", "demandeur2")
    """Who declares requests: printed logins and contacts."""
    sites: dict[str, str] = field(default_factory=dict)
    """The site of each printed requester on this contract (contacts carry their own)."""
    lots: dict[str, str] = field(default_factory=dict)
    """The lot of a ticket by its group's prefix."""
    channels: tuple[tuple[str, int], ...] = ((Channel.PORTAL, 70), (Channel.MAIL, 15),
                                             (Channel.PHONE, 15))
    third_party_waits: float = 0.0
    """The share of waits that are on a third party rather than on the requester."""
    starts_on: date = date(2026, 1, 1)
    ends_on: date = date(2029, 12, 31)
    hotline: str = ""
    """The holder's urgent line (numbers of the ranges ARCEP keeps for fiction)."""

    def lot_of(self, group: str) -> str:
        return next((lot for prefix, lot in self.lots.items() if group.startswith(prefix)), "")


def _q(weight: int, **values: Any) -> tuple[Qualification, int]:
    return ({name: str(value) for name, value in values.items()}, weight)


AQUAREEL = DemoContract(
    slug="aquareel", reference="AQR", convention="aquareel-tma.yaml",
    name="TMA AQUAREEL — concentrateur de données Vigicrues",
    buyer="Service Central Vigicrues", holder="Titulaire TMA AQUAREEL",
    organisations=(
        ("Service Central Vigicrues", OrganisationKind.BUYER),
        ("SPC Grand Delta", OrganisationKind.LEVEL1),
        ("SPC Rhône amont Saône", OrganisationKind.USER_SERVICE),
        ("SPC Seine moyenne Yonne Loing", OrganisationKind.USER_SERVICE),
        ("Titulaire TMA AQUAREEL", OrganisationKind.HOLDER),
    ),
    requests=(
        Request("urgente", 10, (
            "Arrêt du service de concentration des données",
            "Plus aucune donnée temps réel reçue depuis les stations",
            "Bascule haute disponibilité en échec sur le serveur principal",
        ), (_q(1, priority="urgent", criticality="bloquant"),), effort=(2, 12), urgent=True, reported=True),
        Request("anomalie", 40, (
            "Données de hauteur dupliquées après la reprise de la collecte",
            "Purge des archives non exécutée cette nuit",
            "Écart entre les débits calculés et les valeurs de référence",
            "Message d'erreur à l'export des séries vers le modèle de prévision",
            "Journal applicatif saturé par des avertissements de réplication",
        ), (_q(1, priority="majeur", criticality="majeur"),), effort=(4, 60)),
        Request("corrective", 25, (
            "Correction : réplication interrompue vers le site de secours",
            "Correction : horodatage erroné au changement d'heure",
            "Correction : import des stations rejeté (format de fichier)",
        ), (_q(1, priority="bloquant", criticality="bloquant"),), effort=(6, 30), logs_time=False),
        Request("ponctuelle", 15, (
            "Ajout de dix stations hydrométriques au concentrateur",
            "Montée de version du système de base de données",
            "Paramétrage d'un nouveau flux vers le réseau partenaire",
        ), (_q(1, priority="mineur", criticality="mineur"),), effort=(10, 120), logs_time=False),
        Request("audit", 3, ("Audit périodique de l'instance de production",),
                (_q(1, priority="mineur", criticality="mineur"),), effort=(10, 120), logs_time=False),
        Request("installation_ha", 2, ("Installation haute disponibilité du site de secours",),
                (_q(1, priority="mineur", criticality="mineur"),), effort=(10, 120), logs_time=False),
    ),
    groups=(("TMA niveau 2", 1),),
    hotline="04 65 71 00 42",
)

LADE_SITES = ("AMIENS", "BESANCON", "DOUAI", "LYON Siège", "MARSEILLE", "NANTES", "ORLEANS Siège",
              "ROZERIEULLES", "TOULOUSE Siège")

LADE = DemoContract(
    slug="lade", reference="LADE", convention="lade-tmes.yaml",
    name="TME / TMS des agences de l'eau — tierce maintenance des systèmes et des applications",
    buyer="Agences de l'eau — DSIUN (coordonnateur AESN)", holder="Titulaire TMES agences de l'eau",
    organisations=(
        ("Agences de l'eau — DSIUN (coordonnateur AESN)", OrganisationKind.BUYER),
        ("Agence de l'eau Artois-Picardie", OrganisationKind.USER_SERVICE),
        ("Agence de l'eau Rhône Méditerranée Corse", OrganisationKind.USER_SERVICE),
        ("Agence de l'eau Loire-Bretagne", OrganisationKind.USER_SERVICE),
        ("Agence de l'eau Rhin-Meuse", OrganisationKind.USER_SERVICE),
        ("Agence de l'eau Adour-Garonne", OrganisationKind.USER_SERVICE),
        ("Titulaire TMES agences de l'eau", OrganisationKind.HOLDER),
    ),
    contacts=(
        Contact("lade.amiens", "Claire", "Dumont", "Agence de l'eau Artois-Picardie", Role.REQUESTER, "AMIENS"),
        Contact("lade.douai", "Karim", "Benali", "Agence de l'eau Artois-Picardie", Role.REQUESTER, "DOUAI"),
        Contact("lade.lyon", "Élise", "Perrin", "Agence de l'eau Rhône Méditerranée Corse", Role.REQUESTER,
                "LYON Siège"),
        Contact("lade.marseille", "Thomas", "Arnaud", "Agence de l'eau Rhône Méditerranée Corse",
                Role.REQUESTER, "MARSEILLE"),
        Contact("lade.orleans", "Nadia", "Roussel", "Agence de l'eau Loire-Bretagne", Role.REQUESTER,
                "ORLEANS Siège"),
        Contact("lade.nantes", "Yann", "Le Goff", "Agence de l'eau Loire-Bretagne", Role.REQUESTER, "NANTES"),
        Contact("lade.metz", "Julie", "Schmitt", "Agence de l'eau Rhin-Meuse", Role.REQUESTER, "ROZERIEULLES"),
        Contact("lade.toulouse", "Marc", "Delpech", "Agence de l'eau Adour-Garonne", Role.REQUESTER,
                "TOULOUSE Siège"),
    ),
    requesters=("demandeur", "demandeur2", "lade.amiens", "lade.douai", "lade.lyon", "lade.marseille",
                "lade.orleans", "lade.nantes", "lade.metz", "lade.toulouse"),
    sites={"demandeur": "BESANCON", "demandeur2": "ORLEANS Siège"},
    requests=(
        Request("incident", 55, (
            "Poste de travail bloqué au démarrage",
            "Messagerie inaccessible depuis le site",
            "Application de gestion des redevances en erreur à l'enregistrement",
            "Lenteurs sur le partage de fichiers de l'agence",
            "Imprimante réseau du 2e étage hors service",
            "Connexion VPN impossible en télétravail",
            "Échec de la synchronisation de l'annuaire",
        ), (_q(2, urgency="critique", impact="site"), _q(8, urgency="majeure", impact="site"),
            _q(10, urgency="majeure", impact="utilisateur"), _q(25, urgency="mineure", impact="utilisateur")),
            effort=(1, 30)),
        Request("assistance", 15, (
            "Aide à la configuration de la double authentification",
            "Question sur l'export des données de prélèvement",
            "Accompagnement à l'utilisation de la visioconférence",
        ), (_q(1, urgency="mineure", impact="utilisateur"),), effort=(1, 10)),
        Request("demande", 18, (
            "Création de compte pour un nouvel arrivant",
            "Droits d'accès au répertoire du service Interventions",
            "Installation du logiciel de cartographie",
            "Mise à disposition d'un ordinateur portable de prêt",
        ), (_q(3, urgency="majeure", impact="utilisateur"), _q(7, urgency="mineure", impact="utilisateur")),
            effort=(2, 40)),
        Request("changement", 8, (
            "Montée de version du serveur de bases de données",
            "Ouverture d'un flux réseau vers le portail partenaire",
            "Renouvellement du certificat du site public",
        ), (_q(1, urgency="majeure", impact="site"), _q(2, urgency="mineure", impact="site")),
            effort=(4, 45)),
        Request("tache", 4, ("Contrôle mensuel des sauvegardes", "Revue des comptes à privilèges"),
                (_q(1, urgency="mineure", impact="utilisateur"),), effort=(2, 30)),
    ),
    groups=(("N1_TMS_SD", 45), ("N1_TMS_PROXIMITE_AGENCE", 20), ("N2_TMS_SYSTEMES", 15),
            ("N2_TMS_RESEAU", 8), ("N2_TME_APPLICATIONS", 12)),
    lots={"N1_TMS": "TMS", "N2_TMS": "TMS", "N2_TME": "TME"},
    channels=((Channel.PORTAL, 55), (Channel.PHONE, 25), (Channel.MAIL, 15), (Channel.SUPERVISION, 5)),
    third_party_waits=0.4,
    starts_on=date(2026, 1, 1), ends_on=date(2029, 12, 31),
    hotline="01 99 00 13 13",
)

CD13 = DemoContract(
    slug="cd13", reference="CD13", convention="cd13-callipso.yaml",
    name="Callipso — infogérance de la téléphonie et des communications unifiées du Département",
    buyer="Département des Bouches-du-Rhône — DSIUN", holder="Titulaire Callipso",
    organisations=(
        ("Département des Bouches-du-Rhône — DSIUN", OrganisationKind.BUYER),
        ("Direction des routes et des ports", OrganisationKind.USER_SERVICE),
        ("Direction de l'enfance et de la famille", OrganisationKind.USER_SERVICE),
        ("Titulaire Callipso", OrganisationKind.HOLDER),
    ),
    contacts=(
        Contact("cd13.routes", "Sandrine", "Gilles", "Direction des routes et des ports", Role.REQUESTER, "HD13"),
        Contact("cd13.enfance", "Olivier", "Mercier", "Direction de l'enfance et de la famille",
                Role.REQUESTER, "HD13"),
        Contact("cd13.secours", "Inès", "Ferrand", "Département des Bouches-du-Rhône — DSIUN",
                Role.REQUESTER, "ARENC"),
    ),
    requesters=("demandeur", "demandeur2", "cd13.routes", "cd13.enfance", "cd13.secours"),
    sites={"demandeur": "HD13", "demandeur2": "ARENC"},
    requests=(
        Request("incident", 60, (
            "Plus de tonalité sur les postes de l'étage",
            "Softphone déconnecté en boucle",
            "Messagerie vocale inaccessible",
            "Appels entrants de l'accueil non distribués",
            "Coupure du lien opérateur du site de secours",
            "Conférence téléphonique impossible à lancer",
        ), (_q(2, urgency="U1", impact="1", criticality="bloquant"), _q(6, urgency="U1", impact="2"),
            _q(10, urgency="U2", impact="2"), _q(12, urgency="U2", impact="3")), effort=(1, 24)),
        Request("demande", 25, (
            "Attribution d'un numéro et d'un poste à un nouvel agent",
            "Renvoi d'appels d'un service pendant les congés",
            "Ajout d'un groupe d'interception",
        ), (_q(1, urgency="U2", impact="3"),), effort=(2, 40)),
        Request("changement", 10, (
            "Mise à jour du serveur de communications unifiées",
            "Reconfiguration du serveur vocal interactif",
        ), (_q(1, urgency="U2", impact="2"),), effort=(8, 60)),
        Request("probleme", 5, ("Coupures récurrentes des appels de plus d'une heure",),
                (_q(1, urgency="U2", impact="2", criticality="majeur"),), effort=(20, 120)),
    ),
    groups=(("GO_TELEPHONIE", 50), ("GO_COMMUNICATIONS_UNIFIEES", 30), ("GO_RESEAU", 20)),
    channels=((Channel.PHONE, 40), (Channel.PORTAL, 40), (Channel.MAIL, 10), (Channel.SUPERVISION, 10)),
    third_party_waits=0.5,
    hotline="04 65 71 13 13",
)

CONTRACTS = (AQUAREEL, LADE, CD13)
