from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jalon.messaging.tasks import huey


@pytest.fixture(autouse=True)
def immediate_tasks() -> Iterator[None]:
    """Run queued tasks in the test's own process and transaction (huey's immediate mode)."""
    before = huey.immediate
    huey.immediate = True
    yield
    huey.immediate = before


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
