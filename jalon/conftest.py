from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts and ends with empty caches: a figure cached by one test must not be
    served to the next, whose rolled-back database reuses the same ids; nor a filter form
    rendered by one test to the next (jalon.web.views._filters_html)."""
    from django.conf import settings

    if not settings.configured:  # the pure packages' tests run without Django
        yield
        return
    from django.core.cache import cache

    from jalon.web.views import _filters_html

    cache.clear()
    _filters_html.cache_clear()
    yield
    cache.clear()
    _filters_html.cache_clear()
