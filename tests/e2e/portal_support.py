"""Helpers of the portal browser tests: axe-core from npm, the exchange run both ways, screenshots."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.subproc import REPO, run_side

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def ensure_axe() -> Path:
    """axe-core comes from npm (package.json devDependencies); install it when node_modules is missing."""
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=True, capture_output=True,
                       timeout=600)
    return AXE


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays in force
    # for the page itself, and add_script_tag's inline <script> would be refused by it.
    page.evaluate(ensure_axe().read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' + n.failureSummary)})); }",
        WCAG_TAGS)
    return result


def assert_accessible(page, label: str = "") -> None:
    violations = axe_violations(page)
    assert violations == [], f"{label or page.url}: " + json.dumps(violations, ensure_ascii=False, indent=1)


def exchange(stack, sender: str) -> None:
    """Export on ``sender`` and import on the other side, as the beat of `make run` does."""
    receiver = "extranet" if sender == "intranet" else "intranet"
    run_side(sender, "exchange", "export", env=stack["env"][sender])
    run_side(receiver, "exchange", "import", env=stack["env"][receiver])


def intranet_shell(stack, code: str) -> str:
    return run_side("intranet", "shell", "-c", code, env=stack["env"]["intranet"]).stdout


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Refresh the README's screenshots only when asked (JINCAI_SCREENSHOTS=1), so runs leave the tree clean."""
    if os.environ.get("JINCAI_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
