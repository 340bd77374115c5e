"""The gate every browser test calls on the pages it reaches: accessibility
(axe-core, WCAG 2.1 A/AA rules) and the Content Security Policy.

With ``E2E_SCREENSHOTS=<folder>`` set, it also saves every page it checks at
390 and 1280 px, in French and in English, for people to look at (never
commit them): ``E2E_SCREENSHOTS=.data/journeys .venv/bin/pytest tests/e2e``.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
_axe = Axe()


def watch_csp(page: Any) -> list[str]:
    """Collect the CSP violations the browser reports for this page (console)."""
    violations: list[str] = []

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            violations.append(text)

    page.on("console", on_console)
    page.csp_violations = violations
    return violations


def check_page(page: Any, *, known: frozenset[str] = frozenset()) -> None:
    """Fail on axe violations of impact serious/critical, or any CSP violation.

    ``known``: rule ids to leave out on a third-party page we do not render
    (each use says why).
    """
    options = dict(AXE_OPTIONS)
    if known:
        options["rules"] = {rule: {"enabled": False} for rule in known}
    results = _axe.run(page, options=options)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"{page.url}\n" + "\n".join(blocking)
    violations = getattr(page, "csp_violations", None)
    assert violations is not None, "the page fixture must call watch_csp()"
    assert violations == [], f"{page.url}\n" + "\n".join(violations)
    screenshot_page(page)


_shots = itertools.count(1)


def screenshot_page(page: Any) -> list[Path]:
    """Save the page at 390 and 1280 px in French and English when
    ``E2E_SCREENSHOTS`` names a folder (a GET of its address in a second tab
    of the same session; the journey's own tab is left as it was)."""
    folder = os.environ.get("E2E_SCREENSHOTS", "")
    if not folder:
        return []
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    context = page.context
    kept = [c for c in context.cookies() if c["name"] == "lang"]
    slug = re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[-1].lower()).strip("-")
    number = next(_shots)
    saved = []
    shot = context.new_page()
    try:
        for language in ("fr", "en"):
            context.add_cookies([{"name": "lang", "value": language, "url": page.url}])
            for width in (390, 1280):
                shot.set_viewport_size({"width": width, "height": 900})
                shot.goto(page.url)
                path = out / f"{number:03d}-{slug[:60]}-{language}-{width}.png"
                shot.screenshot(path=str(path), full_page=True)
                saved.append(path)
    finally:
        shot.close()
        context.clear_cookies(name="lang")
        if kept:
            context.add_cookies(kept)
    return saved
