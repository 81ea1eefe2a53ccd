"""The UI as an analyst uses it: real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright) against a real server on 127.0.0.1. Screenshots go to tests/artifacts/web/.

One browser for the whole module; each test opens its own context (cookies start empty)."""

from __future__ import annotations

import re

import pytest
from web_helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, copy_db, serve_db

from incidentwire.web.views import format_value, map_points

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (scripts/system-deps.sh)")


@pytest.fixture(scope="module")
def site(web_sample_db, tmp_path_factory):
    server, db = serve_db(copy_db(web_sample_db, tmp_path_factory.mktemp("ui") / "ui.db"))
    token = db.create_token("analyst-ann")
    with server:
        yield server.url, db, token


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site[0])
    page = context.new_page()
    page.set_default_timeout(15000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((site[0], "data:", f"blob:{site[0]}")) else None)
    yield page
    context.close()
    assert outside == [], f"the page fetched from outside the server: {outside}"   # works offline


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def by_city(db, city):
    return next(i for i in db.incidents() if (i.fields.get("location") or {}).get("name") == city)


def sign_in(page, token: str) -> None:
    page.goto("/login")
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_selector("#signed-in")


def test_list_filter_open_incident_and_see_the_evidence(page, site):
    _, db, _ = site
    page.goto("/")
    assert int(page.text_content("#total")) == len(db.incidents())
    shot(page, "01-list")
    page.fill("input[name=country]", "France")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r"country=France"))
    assert page.text_content("#total") == "2"
    assert page.locator("#incidents tbody tr").count() == 2
    nice = by_city(db, "Nice")
    row = page.locator(f"tr[data-id='{nice.id}']")
    assert row.locator("td.killed").text_content() == format_value("killed", nice.fields["killed"])
    shot(page, "02-list-filtered")
    row.locator("a").click()
    page.wait_for_url(f"**/incidents/{nice.id}")
    assert "Nice, France" in page.text_content("#incident-title")
    assert page.text_content("#field-killed .field-value") == format_value("killed", nice.fields["killed"])
    assert page.locator("#field-date .conflict-flag").count() == (1 if nice.fields["date"]["conflict"] else 0)
    # every quote behind the killed count is highlighted in its report (overlapping evidence of
    # other fields may cut one quote into several consecutive marks)
    for m in nice.mentions:
        for c in (c for c in m.claims if c.field == "killed"):
            marks = page.locator(f"[id='art-{m.article_id}'] mark.ev[data-fields~='killed']")
            assert c.quote in "".join(marks.all_text_contents()), (m.article_id, c.quote)
    mark = page.locator(".report mark.ev[data-fields~='killed']").first
    mark.scroll_into_view_if_needed()
    assert mark.is_visible()
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 194, 179)"
    points = page.locator("#toll-chart circle")
    assert points.count() == len([r for r in nice.fields["toll_history"] if r["killed"] is not None])
    assert page.locator("#sources tbody tr").count() == nice.fields["sources"]
    shot(page, "03-incident-evidence")


def test_sign_in_edit_merge_and_undo(page, site):
    _, db, token = site
    nice, berlin = by_city(db, "Nice"), by_city(db, "Berlin")
    union = set(nice.to_dict()["articles"]) | set(berlin.to_dict()["articles"])
    sign_in(page, token)
    assert page.text_content("#signed-in") == "analyst-ann"
    page.goto(f"/incidents/{nice.id}")
    page.select_option("#edit-field", "killed")
    page.fill("#edit-value", "84")
    page.fill("#edit-note", "official figure")
    page.click("#edit-submit")
    page.wait_for_selector("#flash")
    assert page.text_content("#field-killed .field-value") == "84"
    assert "analyst-ann" in page.text_content("#field-killed .analyst")

    page.fill("#merge-other", berlin.id)
    page.click("#merge-submit")
    page.wait_for_selector("#flash")
    assert "merged" in page.text_content("#flash")
    assert int(page.text_content("#source-count")) == len(union) == db.incident(nice.id).fields["sources"]
    merge_row = page.locator("#audit tr[data-audit]", has_text="merge").first
    assert "analyst-ann" in merge_row.text_content()
    shot(page, "04-merged")

    merge_row.locator("button.undo").click()
    page.wait_for_selector("#flash")
    assert "undid" in page.text_content("#flash")
    assert int(page.text_content("#source-count")) == nice.fields["sources"]
    assert page.locator("#audit tr.undone", has_text="merge").count() == 1
    shot(page, "05-merge-undone")
    page.locator("#audit tr[data-audit]", has_text="edit").locator("button.undo").click()
    page.wait_for_selector("#flash")
    assert page.text_content("#field-killed .field-value") == format_value("killed", nice.fields["killed"])
    page.goto(f"/incidents/{berlin.id}")
    assert "Berlin" in page.text_content("#incident-title")


def test_timeline_and_offline_map(page, site):
    _, db, _ = site
    page.goto("/timeline")
    dated = [i for i in db.incidents() if (i.fields.get("date") or {}).get("value")]
    assert int(page.text_content("#tl-incidents")) == len(dated)
    assert int(page.text_content("#tl-killed")) == sum((i.fields.get("killed") or {}).get("best") or 0 for i in dated)
    shot(page, "06-timeline")
    page.goto("/map")
    page.wait_for_selector("#map[data-outlines=loaded]")
    expected = len(map_points(db.incidents()))
    assert int(page.text_content("#map-count")) == expected
    assert page.locator("#map path.leaflet-interactive").count() == expected
    assert page.locator("#map path").count() > expected + 100       # the country outlines
    shot(page, "07-map")


def test_api_docs_render_offline(page):
    page.goto("/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 10
    shot(page, "08-docs")


HOSTILE_PAGES = ["/", "/?q=Peshawar", "/?q=%3Cscript%3Ewindow.__xss%3D'query'%3C%2Fscript%3E",
                 "/articles/xss-market", "/articles/xss-quetta", "/map", "/timeline", "/audit"]


def test_hostile_article_text_never_executes(page, site):
    _, db, _ = site
    csp_violations, dialogs = [], []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = [i.id for i in db.incidents() if {"xss-market", "xss-quetta"} & set(i.to_dict()["articles"])]
    assert hostile, "the hostile articles should have produced incidents"
    for path in HOSTILE_PAGES + [f"/incidents/{i}" for i in hostile]:
        page.goto(path)
        page.wait_for_load_state("load")
        for sel in ("details", "mark", "td", "a"):        # hover and open what can be opened
            if page.locator(sel).count():
                page.locator(sel).first.hover()
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("window.__xss") is None, path
        injected = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e =>
            [...e.attributes].some(a => /^on/i.test(a.name)) ||
            /^\\s*javascript:/i.test(e.getAttribute('href') || '') ||
            (e.tagName === 'SCRIPT' && /__xss/.test(e.textContent))).map(e => e.outerHTML)""")
        assert injected == [], (path, injected)
    page.goto("/articles/xss-market")
    text = page.text_content("#clean-text")
    assert "shouted <script>window.__xss = 'inline script'</script> and" in text
    assert '<img src="x" onerror="window.__xss' in text and "javascript:window.__xss='js url'" in text
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert "<script>window.__xss = 'script tag'</script>" in page.text_content("#raw-text")
    assert page.locator("#evil-link").count() == 0 and page.locator(".unsafe-url").count() == 1
    page.goto("/articles/xss-quetta")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert "<script>window.__xss='html script'</script>" in page.text_content("#raw-text")
    shot(page, "09-hostile-article")
    page.goto(f"/incidents/{hostile[0]}")
    shot(page, "10-hostile-incident")
    assert dialogs == [] and csp_violations == []      # escaping did it; the CSP never had to
