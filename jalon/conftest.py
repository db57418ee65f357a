from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts and ends with an empty cache: a figure cached by one test must not be
    served to the next, whose rolled-back database reuses the same ids."""
    from django.conf import settings

    if not settings.configured:  # the pure packages' tests run without Django
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
