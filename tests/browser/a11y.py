"""Accessibility checks with axe-core (the npm package, installed by `make install` / `make test`
into frontend/node_modules/, see the Makefile), run inside the page under test.

The page's Content-Security-Policy forbids inline scripts, so axe is not added as a <script>:
Playwright evaluates its source through the DevTools protocol, which the CSP does not govern.
"""

from pathlib import Path

import pytest
from django.conf import settings

AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page, include: str | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now (or inside the `include` selector)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci --prefix frontend).")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (include) => {
            const context = include ? { include: [include] } : document;
            const result = await axe.run(context, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        include,
    )


def assert_accessible(page, what: str, include: str | None = None) -> None:
    """No serious or critical axe-core violation (moderate and minor ones are reported only)."""
    blocking = [v for v in axe_violations(page, include) if v["impact"] in BLOCKING]
    lines = [
        f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
        for v in blocking
    ]
    assert not blocking, f"{what}: axe-core found\n" + "\n".join(lines)
