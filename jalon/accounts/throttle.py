"""Lock a username on one IP address after repeated failed logins.

The counter lives in the database so that it holds across workers and restarts. Failures older
than the lock period no longer count; a successful login clears the counter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from jalon.accounts.models import LoginThrottle


def max_failures() -> int:
    return int(getattr(settings, "JALON_LOGIN_MAX_FAILURES", 5))


def lock_period() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "JALON_LOGIN_LOCK_MINUTES", 15)))


def client_ip(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is forgeable unless a trusted proxy rewrites it.
    return (request.META.get("REMOTE_ADDR") if request else None) or "0.0.0.0"


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def locked_until(username: str, ip: str, now: datetime) -> datetime | None:
    row = LoginThrottle.objects.filter(username=_key(username), ip=ip).first()
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(username: str, ip: str, now: datetime) -> None:
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            username=_key(username), ip=ip, defaults={"first_failure_at": now}
        )
        if row.first_failure_at < now - lock_period():
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= max_failures():
            row.locked_until = now + lock_period()
        row.save()


def clear(username: str, ip: str) -> None:
    LoginThrottle.objects.filter(username=_key(username), ip=ip).delete()
