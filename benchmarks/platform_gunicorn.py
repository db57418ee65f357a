"""Gunicorn settings of the platform benchmark: ``gunicorn -c benchmarks/platform_gunicorn.py jalon.wsgi``.

The same server production should run (``gunicorn jalon.wsgi``), with sync workers: the pages
and the API are short requests bound by the database and the CPU, so a worker per core and a
half is what a 2-core machine can use. Settings come from the environment the benchmark sets:

* ``JALON_BENCH_BIND`` (``127.0.0.1:8765``), ``JALON_BENCH_WORKERS`` (2 × cores + 1);
* ``JALON_BENCH_ADMIN_PAGE`` (25): rows per page of the admin's ticket list, the peer of the
  list page, so that both show the same page size (the admin's default is 100).
"""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("JALON_BENCH_BIND", "127.0.0.1:8765")
workers = int(os.environ.get("JALON_BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
timeout = 120
accesslog = None
errorlog = "-"
loglevel = "warning"


def post_worker_init(worker: Any) -> None:
    from jalon.tickets.admin import TicketAdmin

    TicketAdmin.list_per_page = int(os.environ.get("JALON_BENCH_ADMIN_PAGE", "25"))
