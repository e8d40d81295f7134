"""Run axe-core, served by our own server from npm, over a page in a real Chromium and assert WCAG 2.1 A/AA."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.templatetags.static import static
from playwright.sync_api import Browser, Page

# The rule sets of WCAG 2.0 and 2.1, levels A and AA: what the BITV 2.0 and EN 301 549 require of a web page.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe files these under best practice, yet they are how a screen reader finds its way (WCAG 1.3.1, 2.4.1, 2.4.6):
# one main landmark, all content in landmarks, headings in order, a first-level heading.
STRUCTURE_RULES = [
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "region",
    "heading-order",
    "page-has-heading-one",
    "empty-heading",
    "skip-link",
]
AXE_STATIC = "vendor/axe-core/axe.min.js"
assert AXE_STATIC in settings.VENDOR_FILES, "axe-core is no longer among the vendored files"


@pytest.fixture
def axe_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """Open a page whose context lets test tooling inject a script into pages with a Content Security Policy.

    axe-core is a test tool, not part of the page: the page's CSP rightly admits only scripts that carry
    the nonce of its response, so the tag that injects axe would be refused. bypass_csp applies to this
    context only, which is used just to look at pages with axe; every other browser test (the keyboard
    journeys included) runs with the policy enforced.
    """
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, locale="de-DE", bypass_csp=True, reduced_motion="reduce"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def axe_violations(page: Page, live_server: Any) -> list[dict[str, Any]]:
    """Inject axe-core from our static files into the page and its frames; return WCAG and structure violations."""
    for frame in page.frames:
        if not frame.evaluate("() => typeof window.axe === 'object'"):
            frame.add_script_tag(url=f"{live_server.url}{static(AXE_STATIC)}")
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return {
                version: window.axe.version,
                violations: results.violations.map((violation) => ({
                    id: violation.id,
                    tags: violation.tags,
                    impact: violation.impact,
                    help: violation.help,
                    nodes: violation.nodes.map((node) => ({
                        target: node.target.map((part) => Array.isArray(part) ? part.join(" >>> ") : part),
                        html: node.html.slice(0, 200),
                        summary: node.failureSummary,
                    })),
                })),
            };
        }""",
        [*WCAG_TAGS, "best-practice"],
    )
    assert result["version"].startswith("4."), result["version"]
    wcag = set(WCAG_TAGS)
    violations: list[dict[str, Any]] = [
        violation
        for violation in result["violations"]
        if wcag.intersection(violation["tags"]) or violation["id"] in STRUCTURE_RULES
    ]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """Format violations so that a failing test says what to fix and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(node['target'])}: {node['html']}")
            lines.extend(f"        {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page, live_server: Any) -> None:
    """Assert that axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    violations = axe_violations(page, live_server)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"
