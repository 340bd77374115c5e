"""The gate every browser test calls on the pages it reaches: accessibility
(axe-core, WCAG 2.1 A/AA rules) and the Content Security Policy."""

from __future__ import annotations

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
