"""The whole contract as a ZIP (reversibility), for the buyer's and the holder's managers: the
archive ``jalon contract export`` writes (``jalon.reversibility``)."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.lib import clock
from jalon.reversibility.archive import export_contract


@login_required
def contract_export(request: AuthedRequest, slug: str) -> FileResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.EXPORT_CONTRACT)
    now = clock.now()
    # written whole before the first byte is sent: a failure answers an error, not a cut archive
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    try:
        export_contract(contract, spool, now)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, content_type="application/zip",
                            filename=f"marche-{contract.slug}-{now:%Y%m%d-%H%M}.zip")
    response["Cache-Control"] = "no-store"
    return response
