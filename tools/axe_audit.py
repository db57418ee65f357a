#!/usr/bin/env python3
"""axe-core audit of the demo, in a real browser: what the static checks of the test suite
(jalon/testing/a11y.py) cannot see, such as colour contrast or what the DSFR scripts change.

    .venv/bin/python tools/axe_audit.py [--port 8765] [--json results.json]

Needs Chromium (``apt install chromium``; another binary: ``CHROMIUM=/path``), Node.js and the
two packages of tools/axe/package.json (``npm install --prefix tools/axe``). When one is missing,
the script says which and how to install it, and exits 0 without auditing.

It loads the demo into a fresh SQLite database in a temporary folder, serves it with
``jalon runserver``, opens the main pages as each role (at 1280 px and at 375 px, the mobile
layout that zoom 200 % also gives), runs axe-core (WCAG 2.x A and AA rules) and prints every
violation with its page, rule, impact and elements. Exit status: 0 no violation, 1 violations,
2 the audit could not run. Not part of ``make test``: see docs/accessibility.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AXE_DIR = ROOT / "tools" / "axe"
JALON = ROOT / ".venv" / "bin" / "jalon"
WIDTHS = [1280, 375]


def chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing() -> list[str]:
    """What the audit needs and does not find, each with how to get it."""
    problems = []
    if chromium() is None:
        problems.append("Chromium (apt install chromium, or CHROMIUM=/path/to/chrome)")
    node = shutil.which("node")
    if node is None:
        problems.append("Node.js (apt install nodejs npm)")
    else:
        for package in ("axe-core", "puppeteer-core"):
            found = subprocess.run([node, "-e", f"require.resolve({package!r})"], cwd=AXE_DIR,
                                   capture_output=True, check=False)
            if found.returncode != 0:
                problems.append(f"the npm package {package} (npm install --prefix tools/axe)")
    if not JALON.exists():
        problems.append("the virtual environment (make install)")
    return problems


def prepare(out: Path) -> None:
    """In the audit's environment: the demo, a session per role, the pages to audit."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from jalon.demo.data import load_demo
    from jalon.lib import clock
    from jalon.tickets.models import Ticket

    report = load_demo(clock.now())
    tickets = Ticket.objects.filter(contract=report.contract)
    running = tickets.filter(state__in=["assigned", "in_progress"]).order_by("-opened_at").first()
    closed = tickets.filter(state="closed").order_by("-opened_at").first()
    own = tickets.filter(requester__username="demandeur").order_by("-opened_at").first()
    slug = report.contract.slug if report.contract else "aquareel"

    def cookie(username: str | None) -> dict[str, str] | None:
        if username is None:
            return None
        client = Client()
        client.force_login(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        return {"name": name, "value": client.cookies[name].value}

    pages: list[tuple[str, str | None, str]] = [
        ("accueil", None, "/"),
        ("connexion", None, "/connexion/"),
        ("accessibilite", None, "/accessibilite/"),
        ("page-introuvable", "niveau1", "/page-inexistante/"),
        ("accueil-niveau1", "niveau1", "/"),
        ("mes-tickets", "niveau1", "/tickets/"),
        ("tickets-marche", "niveau1", f"/marches/{slug}/tickets/"),
        ("tickets-filtres", "niveau1", f"/marches/{slug}/tickets/?state=active&sort=-due"
                                       "&opened_from=2000-01-01"),
        ("tickets-filtre-invalide", "niveau1", f"/marches/{slug}/tickets/?type=inconnu"),
        ("declarer-niveau1", "niveau1", f"/marches/{slug}/tickets/nouveau/"),
        ("declarer-demandeur", "demandeur", f"/marches/{slug}/tickets/nouveau/"),
        ("tableau-de-bord-mois", "acheteur", f"/marches/{slug}/tableau-de-bord/"),
        ("tableau-de-bord-trimestre", "acheteur",
         f"/marches/{slug}/tableau-de-bord/?period=quarter&quarter="
         f"{clock.now():%Y}-T{(clock.now().month - 1) // 3 + 1}"),
    ]
    # Django's admin, the platform administrators' back-office
    User.objects.create_superuser("admin-audit", "admin-audit@example.org", None)
    pages += [(f"admin-{name}", "admin-audit", f"/admin/{path}") for name, path in [
        ("accueil", ""), ("tickets", "tickets/ticket/"), ("tickets-recherche", "tickets/ticket/?q=station"),
        ("ticket", f"tickets/ticket/{running.pk if running else 1}/change/"),
        ("marches", "contracts/contract/"), ("role-ajout", "accounts/membership/add/"),
        ("jetons", "api/apitoken/"), ("personne-ajout", "auth/user/add/")]]
    for ticket, people in ((running, ("niveau1", "technicien", "chefdeprojet", "auditeur")),
                           (closed, ("acheteur", "niveau1")), (own, ("demandeur",))):
        if ticket is not None:
            pages += [(f"ticket-{ticket.state}-{who}", who, f"/tickets/{ticket.pk}/")
                      for who in people]
    out.write_text(json.dumps([{"name": name, "path": path, "cookie": cookie(who)}
                               for name, who, path in pages]), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped at start-up")
        try:
            with urllib.request.urlopen(base + "/connexion/", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer on {base} within {seconds:.0f} s")


def print_report(results: list[dict[str, Any]]) -> int:
    total = 0
    for result in results:
        where = f"{result['name']} ({result['width']} px) {result['path']}"
        if not result["violations"]:
            print(f"ok   {where}")
            continue
        for violation in result["violations"]:
            total += len(violation["nodes"])
            print(f"FAIL {where}: [{violation['id']}] {violation['impact']} — {violation['help']}"
                  f" ({violation['helpUrl']})")
            for node in violation["nodes"]:
                print(f"       {node['target']}: {node['html'][:200]}")
    print(f"\n{len(results)} page views audited, {total} offending element(s).")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port of the demo server")
    parser.add_argument("--json", type=Path, help="also write the raw results there")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare)
        return 0
    problems = missing()
    if problems:
        print("axe audit skipped: missing " + "; ".join(problems) + ".")
        return 0
    with tempfile.TemporaryDirectory(prefix="jalon-axe-") as folder:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(JALON_DATA_DIR=folder, JALON_DEBUG="false", JALON_HTTPS="false",
                   JALON_TASKS_REDIS_URL="", JALON_CACHE_URL="")
        jobs = Path(folder) / "pages.json"
        try:
            subprocess.run([str(JALON), "migrate", "--noinput", "-v", "0"], env=env, check=True)
            subprocess.run([sys.executable, __file__, "--prepare", str(jobs)], env=env,
                           check=True)
        except subprocess.CalledProcessError as error:
            print(f"axe audit: the demo could not be loaded ({error}).", file=sys.stderr)
            return 2
        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(JALON), "runserver", "--noreload", "--insecure",
                                   f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_until_up(base, server)
            job = {"chromium": chromium(), "base": base, "widths": WIDTHS,
                   "pages": json.loads(jobs.read_text(encoding="utf-8"))}
            run = subprocess.run([shutil.which("node") or "node", str(AXE_DIR / "audit.cjs")],
                                 cwd=AXE_DIR, input=json.dumps(job), capture_output=True,
                                 text=True, check=False)
        except RuntimeError as error:
            print(f"axe audit: {error}.", file=sys.stderr)
            return 2
        finally:
            server.terminate()
            server.wait(timeout=10)
    if run.returncode != 0:
        print(f"axe audit: the browser run failed:\n{run.stderr}", file=sys.stderr)
        return 2
    results = json.loads(run.stdout)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if print_report(results) else 0


if __name__ == "__main__":
    sys.exit(main())
