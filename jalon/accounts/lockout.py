"""The login lock, by django-axes: failures counted per account *and* client, a global rate.

- axes counts failed logins in the database (``AccessAttempt``, one row per account and client
  address, ``AXES_LOCKOUT_PARAMETERS``): after ``JALON_LOGIN_MAX_FAILURES`` failures that pair
  is locked for ``JALON_LOGIN_LOCK_MINUTES``; a success clears it. Someone who fails on
  another's account from their own address never locks the owner out elsewhere.
- The client address is the connection's, or, when the connection comes from a proxy listed in
  ``JALON_TRUSTED_PROXIES``, the last address that proxy chain did not add to
  ``X-Forwarded-For`` (:func:`client_ip`): behind the recommended reverse proxy each person
  keeps their own counter, and a forged header from outside counts for nothing.
- Attempts on one account are checked one at a time (a row lock on the account, the failure
  committed before the next attempt reads the counter): thirty parallel attempts check no more
  passwords than the limit allows.
- Over the whole platform, at most ``JALON_LOGIN_GLOBAL_FAILURES_PER_MINUTE`` failed logins a
  minute are checked (axes' ``AccessFailureLog``): password spraying over many accounts and
  addresses meets a ceiling.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

T = TypeVar("T")


def lock_period() -> timedelta:
    return timedelta(minutes=int(settings.JALON_LOGIN_LOCK_MINUTES))


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.JALON_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``): ``REMOTE_ADDR``, or, from a trusted
    proxy, the rightmost ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    remote = str(request.META.get("REMOTE_ADDR") or "0.0.0.0")
    if not _trusted(remote):
        return remote
    chain = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for address in reversed([part for part in chain if part]):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # garbage from the client: the proxy's own address
    return remote


def locked_message() -> str:
    minutes = int(lock_period().total_seconds() // 60)
    return _("Trop de tentatives de connexion échouées pour cet identifiant. Réessayez dans "
             "%(minutes)d minutes.") % {"minutes": minutes}


def busy_message() -> str:
    return _("Trop de tentatives de connexion échouées sur la plateforme : réessayez dans une "
             "minute.")


def platform_busy() -> bool:
    """More failed logins over the whole platform in the last minute than the global rate."""
    since = timezone.now() - timedelta(minutes=1)
    limit = int(settings.JALON_LOGIN_GLOBAL_FAILURES_PER_MINUTE)
    return AccessFailureLog.objects.filter(attempt_time__gte=since).count() >= limit


def is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username})


def one_at_a_time(username: str, check: Callable[[], T]) -> T:
    """Run ``check`` (a password or code check that records its failure through axes) while
    holding the account's row lock, and commit what it recorded even when it fails."""
    failure: BaseException | None = None
    result: T | None = None
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(username=username).first()
        try:
            result = check()
        except Exception as error:  # re-raised below, after the failure is committed
            failure = error
    if failure is not None:
        raise failure
    return result  # type: ignore[return-value]


def record_failure(request: HttpRequest, username: str) -> None:
    """A failed second factor counts like a failed password."""
    AxesProxyHandler.user_login_failed(sender=None, credentials={"username": username}, request=request)


def clear(request: HttpRequest, username: str) -> None:
    AxesProxyHandler.reset_attempts(username=username, ip_address=client_ip(request))
