"""The whole contract as a ZIP (reversibility), for the buyer's and the holder's managers: the
archive ``jalon contract export`` writes (``jalon.reversibility``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.lib import clock
from jalon.reversibility.archive import archive_name, export_to_spool


@login_required
def contract_export(request: AuthedRequest, slug: str) -> FileResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.EXPORT_CONTRACT)
    now = clock.now()
    response = FileResponse(export_to_spool(contract, now), as_attachment=True,
                            content_type="application/zip", filename=archive_name(contract, now))
    response["Cache-Control"] = "no-store"
    return response
