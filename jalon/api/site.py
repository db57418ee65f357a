"""``/api/v1/``: the API object, its authentication, its error shape and its routes."""

from __future__ import annotations

from ninja import NinjaAPI

from jalon.api import errors
from jalon.api.auth import AUTH
from jalon.api.billing.endpoints import router as billing
from jalon.api.calendars.endpoints import router as calendars
from jalon.api.contracts.endpoints import router as contracts
from jalon.api.deliverables.endpoints import router as deliverables
from jalon.api.documents.endpoints import router as documents
from jalon.api.forfait.endpoints import router as forfait
from jalon.api.governance.endpoints import router as governance
from jalon.api.orders.endpoints import router as orders
from jalon.api.scorecards.endpoints import router as scorecards
from jalon.api.tickets.endpoints import router as tickets

DESCRIPTION = """API de la plateforme de suivi Jalon.

Authentification : en-tête `Authorization: Bearer <jeton>` (jeton créé par
`jalon create_api_token IDENTIFIANT NOM` ou dans l’administration), ou la session du navigateur
pour les appels de même origine (les écritures demandent alors l’en-tête `X-CSRFToken`).

Mêmes droits que les pages : un marché sur lequel vous n’avez aucun rôle n’existe pas pour vous
(404) ; un rôle qui ne permet pas l’action reçoit un 403. Chaque erreur répond
`{"detail": "…", "field": "…"}` : la première erreur, en clair, avec le champ en cause."""

api = NinjaAPI(
    title="Jalon", version="1", description=DESCRIPTION, auth=AUTH,
    urls_namespace="api-v1", docs_url="/docs", openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/contracts", contracts)
api.add_router("/contracts", scorecards)
api.add_router("/tickets", tickets)
api.add_router("/contracts", governance)
api.add_router("/contracts", forfait)
api.add_router("/contracts", deliverables)
api.add_router("/contracts", documents)
api.add_router("/contracts", calendars)
api.add_router("/contracts", orders)
api.add_router("/contracts", billing)
