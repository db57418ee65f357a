from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts and ends with empty caches: a figure cached by one test must not be
    served to the next, whose rolled-back database reuses the same ids; nor a filter form
    rendered by one test (jalon.web.tickets.listing._list_filters), nor the rules of a convention version
    whose id the next test gives to another (_version_rules)."""
    from django.conf import settings

    if not settings.configured:  # the pure packages' tests run without Django
        yield
        return
    from django.core.cache import cache

    from jalon.web.rules import _version_rules
    from jalon.web.tickets.listing import _list_filters

    cache.clear()
    _list_filters.cache_clear()
    _version_rules.cache_clear()
    yield
    cache.clear()
    _list_filters.cache_clear()
    _version_rules.cache_clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test ends in the default language: the test client's last request leaves its language
    active in the thread (LocaleMiddleware activates it, nothing deactivates it), and a later test
    rendering outside a request (a scan's notices, the mail intake) would speak English."""
    yield
    from django.conf import settings

    if settings.configured:
        from django.utils import translation

        translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _flush_may_empty_the_history() -> Iterator[None]:
    """The test suite's flush between transactional tests is the one maintenance that empties
    the append-only history (jalon.tickets.history.maintenance; on PostgreSQL the tests run as
    the tables' owner, whom the triggers let through)."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.management.commands import flush

    from jalon.tickets import history

    original = flush.Command.handle

    def handle(self: flush.Command, *args: object, **options: object) -> None:
        with history.maintenance():
            original(self, *args, **options)

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]
