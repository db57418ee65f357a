"""The notifications centre (/notifications/): the notices the e-mails say, read or unread
(:mod:`jalon.messaging.inbox`). Opening a notice marks it read; one button marks them all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jalon.accounts.access import AuthedRequest
from jalon.messaging import inbox

PAGE_SIZE = 25


@login_required
def notices(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("non_lues") == "1"
    found = inbox.notices_for(request.user, unread_only=unread_only)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/notices.html", {
        "page": page, "unread_only": unread_only, "unread": inbox.unread_count(request.user)})


@login_required
def notice(request: AuthedRequest, pk: int) -> HttpResponse:
    found = inbox.notices_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("Cette notification n’existe pas ou ne vous est pas adressée."))
    inbox.mark_read(request.user, pk=pk)
    ticket_url = reverse("ticket", args=[found.ticket_id]) if found.ticket_id else ""
    return render(request, "web/notice.html", {"notice": found, "ticket_url": ticket_url})


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponseRedirect:
    count = inbox.mark_read(request.user)
    messages.success(request, ngettext("%(n)d notification marquée comme lue.",
                                       "%(n)d notifications marquées comme lues.", count) % {"n": count})
    return redirect("notices")
