#!/usr/bin/env python3
"""Screenshots of each demo login's home page for docs/roles.md, taken in a real browser.

    .venv/bin/python tools/role_screenshots.py [--out docs/screenshots]

Loads the demo (``jalon demo``, as ``make demo`` does) into a fresh SQLite database in a temporary
folder, serves it with ``jalon runserver``, opens ``/`` signed in as each demo login in Chromium
(Playwright, 1280 px, French) and writes ``accueil-<login>.png`` (the whole page). It also runs
axe-core's WCAG 2.x A/AA rules on each home and prints what they find (exit status 1 then).
Needs Chromium (``apt install chromium``, or ``CHROMIUM=/path``) and axe-core
(``npm install --prefix tools/axe``); see tools/axe_audit.py, whose set-up it shares.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from axe_audit import JALON, ROOT, chromium, free_port, wait_until_up

LOGINS = ("acheteur", "niveau1", "demandeur", "chefdeprojet", "technicien", "auditeur")
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def prepare(out: Path) -> None:
    """In the demo's environment: a session cookie per demo login."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    cookies = {}
    for login in LOGINS:
        client = Client()
        client.force_login(User.objects.get(username=login))
        cookies[login] = client.cookies[settings.SESSION_COOKIE_NAME].value
    out.write_text(json.dumps({"name": settings.SESSION_COOKIE_NAME, "values": cookies}), encoding="utf-8")


def shoot(base: str, cookies: dict[str, object], out: Path) -> int:
    from playwright.sync_api import sync_playwright

    found = 0
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        for login, value in dict(cookies["values"]).items():  # type: ignore[call-overload]
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR",
                                          bypass_csp=True)
            context.add_cookies([{"name": str(cookies["name"]), "value": value, "domain": "127.0.0.1",
                                  "path": "/"}])
            page = context.new_page()
            page.goto(base + "/", wait_until="networkidle")
            target = out / f"accueil-{login}.png"
            page.screenshot(path=str(target), full_page=True)
            violations = []
            if AXE.exists():
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate("""async (tags) => (await axe.run(document,
                    {runOnly: {type: 'tag', values: tags}})).violations.map(v => v.id)""", TAGS)
            found += len(violations)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                  f"  axe: {', '.join(violations) or 'no violation'}")
            context.close()
        browser.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(args.prepare)
        return 0
    if chromium() is None:
        print("Chromium is missing (apt install chromium, or CHROMIUM=/path/to/chrome).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="jalon-shots-") as folder:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(JALON_DATA_DIR=folder, JALON_DEBUG="false", JALON_HTTPS="false",
                   JALON_TASKS_REDIS_URL="", JALON_CACHE_URL="")
        sessions = Path(folder) / "sessions.json"
        for command in ([str(JALON), "migrate", "--noinput", "-v", "0"], [str(JALON), "demo"],
                        [sys.executable, __file__, "--prepare", str(sessions)]):
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(JALON), "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(base, server)
            found = shoot(base, json.loads(sessions.read_text(encoding="utf-8")), args.out.resolve())
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
