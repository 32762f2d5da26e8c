"""Helpers for the browser tests: accessibility audits with axe-core.

``axe_violations(page)`` runs axe-core (vendored in ``tests/axe/``) in a
Playwright page and returns what breaks WCAG 2.2 at levels A and AA. The
script is evaluated through the browser's debugging protocol, which the
site's Content Security Policy does not govern, so the audit needs no
``bypass_csp`` and sees the page exactly as a visitor does.
"""

import os
from functools import cache
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The mark of every test that drives Chromium.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM_PATH).exists(),
    reason=f"Chromium is not installed at {CHROMIUM_PATH} "
    "(apt-get install chromium); .ci/run installs it",
)

AXE_SCRIPT = Path(__file__).resolve().parent / "axe" / "axe.min.js"
# The rules of WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, *, exclude: list[str] = ()) -> list[dict]:
    """Return the WCAG 2.2 A/AA violations on ``page``, in a short readable form.

    ``exclude`` lists CSS selectors of parts to leave out (a third party's
    widget, say); each violation gives its rule, its impact, and the markup
    and axe's summary of every element concerned.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {axe_source()}\n; window.axe = axe; }}")
    results = page.evaluate(
        """async ([tags, exclude]) => await axe.run(
            {include: [document], exclude: exclude.map((selector) => [selector])},
            {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]}
        )""",
        [WCAG_22_AA, list(exclude)],
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "nodes": [
                {"html": node["html"], "summary": node.get("failureSummary", "")}
                for node in violation["nodes"]
            ],
        }
        for violation in results["violations"]
    ]
