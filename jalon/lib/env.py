"""Read settings from environment variables; a bad value fails loudly, naming the variable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


class SettingError(ValueError):
    """An environment variable holds a value Jalon cannot use."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise SettingError(f"{name}={raw!r}: expected true or false")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choices(name: str, default: list[str], allowed: tuple[str, ...]) -> list[str]:
    """A comma-separated list whose every item is one of ``allowed``."""
    values = env_list(name, default)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise SettingError(f"{name}={os.environ.get(name)!r}: unknown {', '.join(unknown)} "
                           f"(expected some of {', '.join(allowed)})")
    return values


def env_database(name: str, default: str) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/db`` into a Django DATABASES entry."""
    url = os.environ.get(name) or default
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db, as SQLAlchemy writes them.
        path = unquote(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else ""
        if not path:
            raise SettingError(f"{name}={url!r}: sqlite URL needs a file path")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path,
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        db = unquote(parts.path.lstrip("/"))
        if not db:
            raise SettingError(f"{name}={url!r}: PostgreSQL URL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise SettingError(f"{name}={url!r}: expected a sqlite:/// or postgres:// URL")
