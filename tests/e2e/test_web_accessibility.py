"""Every main page of the curators' web checked by axe-core (vendored, pinned:
tests/e2e/vendor/) in Debian's chromium, on a phone (360 px) and a laptop (1280 px):
no critical and no serious violation (missing labels, contrast, landmarks, names of
buttons and links...). Moderate and minor findings are printed, not failed.

The same app, database and browser set-up as tests/e2e/test_web_browser.py (its
fixtures, a fresh app and database for this module)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_web_browser import SHOTS, app_url, browser, enter, tiles  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
AXE = Path(__file__).with_name("vendor") / "axe-core-4.14.1" / "axe.min.js"
FAILING = ("critical", "serious")
WIDTHS = (360, 1280)
# Each main page a curator or an admin opens (the admin sees all of them).
PAGES = ("/ui/", "/ui/services", "/ui/services?q=cl%C3%ADnica", "/ui/services/svc-1",
         "/ui/queue", "/ui/audit", "/ui/import", "/ui/entitlements",
         "/ui/entitlements/review", "/ui/entitlements/do-hiv", "/ui/entitlements/new",
         "/ui/users", "/ui/stats", "/ui/organizations", "/ui/organizations/ngo-1",
         "/ui/organizations/new",
         # the questions asked before deleting a place, a phone, a statement
         "/ui/services/svc-1/places/loc-1/delete", "/ui/services/svc-1/phones/ph-1/delete",
         "/ui/entitlements/do-hiv/delete")


def violations(browser) -> list[dict]:
    """axe-core's violations on the page open in `browser` (WCAG 2.x A and AA rules and
    best practices), as {id, impact, help, nodes: [target, ...]}."""
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    found = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
           .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))))
           .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
    """)
    return found


def _signed_out(browser, base: str) -> list[tuple[str, int, dict]]:
    found = []
    browser.delete_all_cookies()
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        browser.get(f"{base}/ui/login?lang=es")
        found += [("/ui/login", width, v) for v in violations(browser)]
    return found


def test_no_critical_or_serious_accessibility_violation_on_any_main_page(app_url, browser):  # noqa: F811
    browser.set_script_timeout(60)
    base = app_url.base
    found = _signed_out(browser, base)
    enter(browser, base, "ada@ngo.example", app_url.invites["ada"])
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        for path in PAGES:
            browser.get(f"{base}{path}")
            found += [(path, width, v) for v in violations(browser)]
        browser.save_screenshot(str(SHOTS / f"axe-stats-{width}.png"))
    for path, width, v in found:
        print(f"{v['impact']:>9} {path} @{width}px {v['id']}: {v['help']}\n"
              + "\n".join(f"           {n}" for n in v["nodes"][:5]))
    failing = [(path, width, v["id"], v["nodes"][:3]) for path, width, v in found
               if v["impact"] in FAILING]
    assert not failing, json.dumps(failing, indent=1, ensure_ascii=False)
