"""The dashboard under attack and under load, in Chromium against a real `brink dashboard` (fixtures in conftest.py).

All traffic stays on loopback: a foreign host is a name Chromium maps to 127.0.0.1, a foreign page is
one Playwright serves itself, and the server started on 0.0.0.0 is only ever reached at 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserType, Page, expect

from dashboards.controls import controls_for
from dashboards.files import NOT_A_FOLDER, NOT_A_SCENARIO
from dashboards.guard import BAD_HOST, NEEDS_TOKEN
from scenarios import load_scenario

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 20_000

LONG_RUN = "rus-prk-history"  # no crisis: it runs to max_steps
TABS = 6
PLAY_SECONDS = 20
KERNEL_SOCKET = "/jupyter/api/kernels/brink-hardening-test/channels?session_id=brink-hardening-test"

# Opens a WebSocket and says what became of it: "open" (then closes it), or "refused" (closed or failed first).
TRY_SOCKET = """
url => new Promise(done => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => done("timeout"), 10000);
    socket.onopen = () => { clearTimeout(timer); socket.close(); done("open"); };
    socket.onerror = () => { clearTimeout(timer); done("refused"); };
    socket.onclose = () => { clearTimeout(timer); done("refused"); };
})
"""


def first_line(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return ""


# --- files ------------------------------------------------------------------------------------------------------------


TYPED_SCENARIOS = ["/etc/shadow", "../../../../etc/passwd", "../", "~/.bashrc", "no-such-scenario.yaml", "/etc"]


def test_typed_scenario_paths_outside_the_data_folders_give_one_neutral_line(live):
    field = live.page.get_by_label("or a scenario file (path, then Enter)")
    secrets = [line for line in (first_line("/etc/shadow"), first_line("/etc/passwd")) if line]
    for typed in TYPED_SCENARIOS:
        field.fill(typed)
        field.press("Enter")
        expect(live.page.get_by_role("alert")).to_have_text(f"error: {typed}: {NOT_A_SCENARIO}", timeout=WAIT_MS)
        body = live.page.locator("body").inner_text()
        assert not any(secret in body for secret in secrets), typed
        assert "Traceback" not in body
    live.expect_step(0)
    expect(live.ladder("moscow")).to_be_visible()  # the run it had is still there


def test_typed_result_folders_outside_the_data_folders_give_one_neutral_line(open_dashboard):
    results = open_dashboard("/results")
    for typed in ("/etc", "../", "~", "/", "/root"):
        results.open_folder(typed)
        expect(results.page.get_by_role("alert")).to_have_text(f"error: {typed}: {NOT_A_FOLDER}", timeout=WAIT_MS)
        assert "Traceback" not in results.page.locator("body").inner_text()


# --- who may ask ------------------------------------------------------------------------------------------------------


@pytest.fixture()
def rebinding_browser(browser_type: BrowserType, browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """Chromium in which the name rebind.test resolves to 127.0.0.1, as after a DNS rebinding attack."""
    arguments = [*browser_type_launch_args.get("args", []), "--host-resolver-rules=MAP rebind.test 127.0.0.1"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": arguments})
    yield browser
    browser.close()


def test_a_page_under_a_foreign_host_name_is_refused(rebinding_browser, dashboard_server):
    page = rebinding_browser.new_page()
    refused = page.goto(f"http://rebind.test:{dashboard_server.port}/")
    assert refused is not None and refused.status == 403
    assert page.locator("body").inner_text().strip() == BAD_HOST
    page.screenshot(path=str(ARTIFACTS / "test_a_page_under_a_foreign_host_name_is_refused.png"))
    answered = page.goto(f"http://127.0.0.1:{dashboard_server.port}/")  # the same browser, the right name
    assert answered is not None and answered.status == 200


def test_resourcez_shows_no_host_details(live, dashboard_server):
    answer = live.page.context.request.get(f"{dashboard_server.url}/resourcez?verbose")
    assert answer.status == 200
    data = answer.json()
    assert "kernels" in data  # the counts it always gives
    assert not {"cpu", "memory"} & set(data), sorted(data)


def foreign_page(page: Page) -> None:
    """Open a page of another site (served by Playwright itself: nothing leaves the machine)."""
    page.route("http://foreign.test/**", lambda route: route.fulfill(body="<html><body>elsewhere</body></html>"))
    page.goto("http://foreign.test/")


def test_a_kernel_websocket_from_another_site_is_refused(live, dashboard_server):
    socket_url = f"ws://127.0.0.1:{dashboard_server.port}{KERNEL_SOCKET}"
    assert live.page.evaluate(TRY_SOCKET, socket_url) == "open"  # from the dashboard's own page it opens
    other = live.page.context.new_page()
    foreign_page(other)
    assert other.evaluate(TRY_SOCKET, socket_url) == "refused"
    other.close()


# --- a non-loopback address needs the token ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server(start_dashboard) -> Iterator[tuple[Any, str]]:
    """``brink dashboard --host 0.0.0.0`` and the token it printed (tests reach it at 127.0.0.1 only)."""
    log = ARTIFACTS / "dashboard-open-server.log"
    log.write_bytes(b"")
    server = start_dashboard(log, "--host", "0.0.0.0", ready=403)
    try:
        found = re.search(r"serving the dashboard at http://0\.0\.0\.0:\d+/\?token=([\w-]+) ", server.log())
        assert found, server.log()
        yield server, found.group(1)
    finally:
        server.stop()


def test_a_non_loopback_host_warns_and_asks_every_request_for_the_token(open_server, new_context):
    server, token = open_server
    assert "warning: --host 0.0.0.0 is not a loopback address" in server.log()
    base = f"http://127.0.0.1:{server.port}"
    page = new_context().new_page()
    for address in (f"{base}/", f"{base}/results", f"{base}/?token=wrong-{token}", f"{base}/static/x.js"):
        answer = page.goto(address)
        assert answer is not None and answer.status == 403, address
        assert page.locator("body").inner_text().strip() == NEEDS_TOKEN
    # this page is of the server's own origin, and still its kernel socket needs the token
    assert page.evaluate(TRY_SOCKET, f"ws://127.0.0.1:{server.port}{KERNEL_SOCKET}") == "refused"
    page.screenshot(path=str(ARTIFACTS / "test_a_non_loopback_host_without_the_token.png"))

    page.goto(f"{base}/?token={token}")
    assert page.url == f"{base}/"  # the token is swapped for a cookie, and leaves the address
    expect(page.get_by_test_id("frame-status")).to_be_visible(timeout=60_000)  # the page and its socket work
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_test_id("frame-status")).to_have_attribute("data-step", "1", timeout=WAIT_MS)
    page.reload()  # the cookie alone from now on
    expect(page.get_by_test_id("frame-status")).to_be_visible(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "test_a_non_loopback_host_with_the_token.png"))
    fresh = new_context().new_page()  # another browser profile has no cookie
    answer = fresh.goto(f"{base}/")
    assert answer is not None and answer.status == 403


# --- load -------------------------------------------------------------------------------------------------------------


def test_six_tabs_at_top_speed_show_no_error(open_dashboard, dashboard_server):
    (max_steps,) = [c for c in controls_for(load_scenario(LONG_RUN)) if c.path == "params.max_steps"]
    scenario = load_scenario(LONG_RUN)
    mark = dashboard_server.log_size()
    tabs = [open_dashboard("/") for _ in range(TABS)]
    for tab in tabs:
        tab.choose_scenario(LONG_RUN)
        expect(tab.title).to_have_text(scenario.title or scenario.name, timeout=WAIT_MS)
        tab.press_slider("max_steps", "End", group="Global parameters")
        tab.press_slider("Speed (frames/s)", "End", group=None)
    for tab in tabs:
        expect(tab.slider("Speed (frames/s)", group=None)).to_have_attribute("aria-valuenow", "30", timeout=WAIT_MS)
        tab.expect_step(0)
    for tab in tabs:
        tab.button("Play").click()
    started = [tab.step() for tab in tabs]
    tabs[0].page.wait_for_timeout(PLAY_SECONDS * 1000)
    for tab in tabs:
        tab.assert_healthy()
    moved = [tab.step() - first for tab, first in zip(tabs, started, strict=True)]
    assert min(moved) >= 10, moved
    assert max(tab.step() for tab in tabs) < max_steps.high, "a run ended: play longer runs"
    log = dashboard_server.log(mark)
    assert "Too many renders" not in log and "Traceback" not in log, log[-3000:]
