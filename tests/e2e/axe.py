"""axe-core (installed by npm from package-lock.json) run inside a page: accessibility
violations of what the course makes, by impact.

A test fails on any "serious" or "critical" violation; "moderate" and "minor" ones are
printed so that they can be seen and fixed, not hidden.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def run_axe(page, include=None, exclude=None, disable=()) -> list[dict]:
    """axe-core's violations on ``page``, within the CSS selectors ``include`` (default the
    whole document) and outside ``exclude``; rule ids in ``disable`` are not run."""
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `npm ci` (make e2e does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    context = {"include": [[s] for s in include] if include else [["html"]],
               "exclude": [[s] for s in exclude or []]}
    options = {"resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in disable}}
    result = page.evaluate("([context, options]) => axe.run(context, options)",
                           [context, options])
    return result["violations"]


def summary(violations) -> str:
    """One line: violation counts by impact, then each rule with its number of nodes."""
    counts = Counter(v["impact"] for v in violations)
    impacts = ", ".join(f"{impact} {counts.get(impact, 0)}"
                        for impact in ("critical", "serious", "moderate", "minor"))
    rules = "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}: "
                      f"{v['nodes'][0]['target'][0]})" for v in violations)
    return f"axe: {impacts}" + (f" | {rules}" if rules else "")


def blocking(violations) -> list[str]:
    """The serious and critical violations, each with where it first occurs."""
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. "
            f"{v['nodes'][0]['target']})" for v in violations if v["impact"] in BLOCKING]
