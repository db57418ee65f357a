from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.tickets.models import Attachment


@login_required
def download_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    """Serve an attachment to whoever may see it; files are never under the web root."""
    ticket = access.get_ticket_for(request.user, ticket_id, need=Need.DOWNLOAD)
    attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=ticket)
    if attachment.internal and not access.may(request.user, ticket.contract, Need.SEE_INTERNAL):
        raise Http404(_("Pièce jointe introuvable."))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
