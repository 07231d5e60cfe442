"""Fixtures for the dashboard's browser tests (marked ``browser``).

Harness: one real ``brink dashboard --port <free port>`` per test session, started as a
subprocess from the repository root, and Chromium driven by pytest-playwright (launched from
``/usr/bin/chromium``, no download). The server runs in its own processes, so the page's play
loop and the test never share a GIL on a 2-core machine; the fixture waits (with a deadline)
until it answers HTTP and stops it (SIGTERM, then kill) at the end of the session. Its output
goes to ``test-artifacts/dashboard-server.log``. Its data folders are the repository and the
session's temporary folder for the batches below. `start_server` starts other servers (the
hardening tests start one on a non-loopback address).

Tests drive pages through `DashboardPage` objects from the ``open_dashboard`` fixture, which
also saves a screenshot of every page a test opened, pass or fail, as
``test-artifacts/<test name>.png`` (a second page gets ``-2``, and so on).

The results page's tests need a sweep and a sensitivity analysis made by the real ``brink``
commands (about 20 s of work together). When those tests are collected, both commands start
in the background as soon as the server is up, so they run while the live page's tests do.

Run them with ``.venv/bin/pytest -m browser tests/dashboards`` (``-m "not browser"`` leaves them
out); a missing Chromium fails them. Set ``BRINK_TEST_CHROMIUM`` to use another Chromium binary.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from brink.dashboard_commands import SERVER_MODULE
from dashboards.chromium import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
START_SCENARIO = "moscow-strike"
SERVER_DEADLINE = 120.0
"""Seconds the server gets to answer HTTP (imports take about 10 s on 2 cores)."""
FIRST_PAGE_MS = 60_000
"""A page's first render: the first one after the server starts can take several seconds."""
WAIT_MS = 20_000
"""Default deadline of a page action or expectation."""
STOP_GRACE = 15.0


def brink_executable() -> Path:
    """The ``brink`` script of the environment running the tests."""
    beside = Path(sys.executable).with_name("brink")
    if beside.is_file():
        return beside
    found = shutil.which("brink")
    if found is None:
        pytest.fail("the `brink` command is not installed (run `make setup`)", pytrace=False)
    return Path(found)


# the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


def _status(url: str) -> int | None:
    """The HTTP status `url` answers with (None when nothing answers)."""
    try:
        with _DIRECT.open(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


class DashboardServer:
    """A running ``brink dashboard``: its address, output and processes."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"
        self.netloc = f"127.0.0.1:{port}"

    def log(self, since: int = 0) -> str:
        """The server's output from byte `since` on."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace")

    def log_size(self) -> int:
        """Bytes of output so far (a mark for `log`)."""
        return self.log_path.stat().st_size

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the output, for failure messages."""
        return "\n".join(self.log().splitlines()[-lines:])

    def solara_process(self) -> psutil.Process:
        """The Solara server process that ``brink dashboard`` started (it runs the pages)."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            if SERVER_MODULE in child.cmdline():
                return child
        raise AssertionError(f"no Solara process under brink (pid {self.process.pid})\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time the Solara server has used (all its threads)."""
        times = self.solara_process().cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        """SIGTERM to brink (it forwards it to Solara), then kill whatever is left."""
        try:
            family = [self.process, *psutil.Process(self.process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for member in family[1:]:
            try:
                member.wait(STOP_GRACE)
            except psutil.TimeoutExpired:
                member.kill()
            except psutil.NoSuchProcess:
                pass


def start_server(log_path: Path, *options: str, ready: int = 200) -> DashboardServer:
    """Start ``brink dashboard --port <free> OPTIONS`` and wait until "/" answers with status `ready`.

    It tries another port if the one it picked was taken meanwhile. Its output is appended to `log_path`;
    stop it with `DashboardServer.stop`.
    """
    brink = brink_executable()
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.pop("BRINK_DASHBOARD_SCENARIO", None)
    for attempt in range(3):
        port = _free_port()
        mark = log_path.stat().st_size if log_path.exists() else 0
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [str(brink), "dashboard", "--port", str(port), "--scenario", START_SCENARIO, *options],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        server = DashboardServer(process, port, log_path)
        deadline = time.monotonic() + SERVER_DEADLINE
        while time.monotonic() < deadline and process.poll() is None:
            if _status(server.url + "/") == ready:
                return server
            time.sleep(0.25)
        if process.poll() is None:
            server.stop()
            pytest.fail(
                f"`brink dashboard` did not answer on {server.url} in {SERVER_DEADLINE:.0f} s:\n{server.log_tail()}",
                pytrace=False,
            )
        output = server.log(mark)
        if "--port" in output and attempt < 2:  # another process took the port meanwhile
            continue
        pytest.fail(f"`brink dashboard` exited with status {process.returncode}:\n{output}", pytrace=False)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def dashboard_server(pytestconfig: pytest.Config) -> Iterator[DashboardServer]:
    """``brink dashboard`` serving the real ``dashboards.app`` (starting scenario moscow-strike)."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "dashboard-server.log"
    log_path.write_bytes(b"")
    # The pages open files from the repository (the shipped theory report in docs/) and the batches' folder.
    server = start_server(log_path, "--data", str(REPO), "--data", str(results_root(pytestconfig)))
    if pytestconfig.stash.get(_BATCHES_WANTED, False):  # now, not earlier: they would slow its start
        start_batches(pytestconfig)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def start_dashboard() -> Callable[..., DashboardServer]:
    """`start_server`, for tests that need a server of their own (they stop it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return start_server


# result folders for the results page ----------------------------------------------------

RESULTS_MODULE = "test_browser_results.py"
BATCH_DEADLINE = 240.0
"""Seconds a batch command may take (about 7 s for the sweep and 16 s for the sensitivity alone)."""
SMALL_GAME = (
    "--set", "params.game.horizon=8", "--set", "params.game.belief_points=11", "--set", "params.game.lambda=2",
)  # fmt: skip
"""Every cell varies a trait, so every cell is a new crisis game to solve: a short, coarse game keeps it brief, and
lambda 2 keeps its outcomes varying over the design (in the limit this small game's outcomes are constant)."""
BATCH_COMMANDS = {
    "sweep": [
        "sweep",
        "moscow-strike",
        "--vary",
        "states.USA.fear=0.1,0.9",
        "--vary",
        "states.RUS.recklessness=0.2,0.9",
        "--reps",
        "10",
        *SMALL_GAME,
    ],
    "sensitivity": [
        "sensitivity",
        "moscow-strike",
        "--param",
        "states.USA.fear=0.2:0.8",
        "--param",
        "states.RUS.recklessness=0.2:0.9",
        "--samples",
        "8",
        "--reps",
        "5",
        *SMALL_GAME,
    ],
}
_BATCHES = pytest.StashKey["BatchJobs"]()
_BATCHES_WANTED = pytest.StashKey[bool]()


class BatchJob:
    """A ``brink`` batch command writing into its own folder, in the background."""

    def __init__(self, arguments: list[str], folder: Path) -> None:
        self.folder = folder
        self.log = folder.with_suffix(".log")
        self.command = [str(brink_executable()), *arguments, "--out", str(folder)]
        self.started = time.monotonic()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )

    def result(self) -> Path:
        """Wait for the command (up to `BATCH_DEADLINE` from its start) and return its folder."""
        try:
            code = self.process.wait(max(1.0, self.started + BATCH_DEADLINE - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"`{' '.join(self.command)}` took more than {BATCH_DEADLINE:.0f} s", pytrace=False)
        output = self.log.read_text(encoding="utf-8", errors="replace")
        assert code == 0, f"`{' '.join(self.command)}` exited with status {code}:\n{output}"
        return self.folder

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class BatchJobs(dict[str, BatchJob]):
    """The batch commands by name, writing into `root`."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        for name, arguments in BATCH_COMMANDS.items():
            self[name] = BatchJob(arguments, self.root / name)

    def close(self) -> None:
        for job in self.values():
            job.stop()


_RESULTS_ROOT = pytest.StashKey[Path]()


def results_root(config: pytest.Config) -> Path:
    """The session's temporary folder for the batches (a data folder of the server), removed at the end."""
    if _RESULTS_ROOT not in config.stash:
        config.stash[_RESULTS_ROOT] = Path(tempfile.mkdtemp(prefix="brink-browser-results-"))
    return config.stash[_RESULTS_ROOT]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Note whether the results page's tests are to run: then the server fixture starts the batches."""
    if not session.config.option.collectonly:
        session.config.stash[_BATCHES_WANTED] = any(item.path.name == RESULTS_MODULE for item in session.items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    jobs = session.config.stash.get(_BATCHES, None)
    if jobs is not None:
        jobs.close()
    root = session.config.stash.get(_RESULTS_ROOT, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def start_batches(config: pytest.Config) -> BatchJobs:
    """The batch commands, started now unless they already are."""
    if _BATCHES not in config.stash:
        config.stash[_BATCHES] = BatchJobs(results_root(config))
    return config.stash[_BATCHES]


@pytest.fixture(scope="session")
def result_batches(pytestconfig: pytest.Config) -> BatchJobs:
    """The sweep and the sensitivity analysis (``result_batches["sweep"].result()`` waits and gives the folder)."""
    return start_batches(pytestconfig)


# the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Chromium from the system (Playwright cannot download browsers here); missing, the test fails."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium`, or set BRINK_TEST_CHROMIUM",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def artifact_name(node_name: str) -> str:
    """A test's name for its artifact files: ``test_x[chromium-closed]`` gives ``test_x-closed``."""
    base, _, params = node_name.partition("[")
    params = "-".join(p for p in params.rstrip("]").split("-") if p and p != "chromium")
    return re.sub(r"[^\w.-]+", "-", f"{base}-{params}" if params else base).strip("-")


class DashboardPage:
    """One browser tab on the dashboard, with what the tests do and check on it.

    Records every request and WebSocket the tab opens, its JavaScript errors and its HTTP
    error responses, from before the first navigation.
    """

    def __init__(self, page: Page, server: DashboardServer, screenshot: Path) -> None:
        self.page = page
        self.server = server
        self.screenshot_path = screenshot
        self.requests: list[str] = []
        self.bad_responses: list[str] = []
        self.errors: list[str] = []
        page.set_default_timeout(WAIT_MS)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket_: self.requests.append(socket_.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "response",
            lambda response: response.status >= 400 and self.bad_responses.append(f"{response.status} {response.url}"),
        )

    # navigation and checks

    def open(self, path: str = "/") -> DashboardPage:
        """Load `path` and wait until its page has rendered (the live status, or the results folder field)."""
        self.page.goto(self.server.url + path, wait_until="domcontentloaded", timeout=FIRST_PAGE_MS)
        marker = self.folder_field if path.rstrip("/").endswith("results") else self.status
        expect(marker).to_be_visible(timeout=FIRST_PAGE_MS)
        return self

    def foreign_requests(self) -> list[str]:
        """Requests (and WebSockets) to any host other than the dashboard server."""
        return [url for url in self.requests if urlsplit(url).netloc and urlsplit(url).netloc != self.server.netloc]

    def assert_healthy(self) -> None:
        """No error or traceback on the page and no JavaScript error: the page still works."""
        body = self.page.locator("body").inner_text()
        for words in ("Traceback", "Too many renders"):  # Solara shows a failed render as its traceback
            assert words not in body, f"{words!r} on the page:\n{body[:3000]}"
        alerts = self.page.get_by_role("alert")
        assert alerts.count() == 0, f"alerts on the page: {alerts.all_inner_texts()}"
        assert not self.errors, f"JavaScript errors: {self.errors}"

    def screenshot(self) -> None:
        """Save the page as it is now to the test's artifact file."""
        if not self.page.is_closed():
            self.page.screenshot(path=str(self.screenshot_path), full_page=True, timeout=WAIT_MS)

    # the live page

    @property
    def status(self) -> Locator:
        """The status line (``data-step``)."""
        return self.page.get_by_test_id("frame-status")

    def step(self) -> int:
        """The step the page shows."""
        return int(self.status.get_attribute("data-step") or "-1")

    def expect_step(self, step: int, timeout: float = WAIT_MS) -> None:
        """Wait until the page shows `step`."""
        expect(self.status).to_have_attribute("data-step", str(step), timeout=timeout)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = WAIT_MS) -> None:
        """Poll `condition` every 50 ms until it holds; fail after `timeout` ms."""
        deadline = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for {what}")
            self.page.wait_for_timeout(50)

    def button(self, name: str) -> Locator:
        """A button by its exact label (Play, Pause, Step, Reset)."""
        return self.page.get_by_role("button", name=name, exact=True)

    @property
    def play_pause(self) -> Locator:
        """The Play/Pause button, whichever it shows."""
        return self.page.get_by_role("button", name=re.compile(r"^(Play|Pause)$"))

    @property
    def title(self) -> Locator:
        """The scenario's title over the views."""
        return self.page.get_by_role("heading", level=3)

    def ladder(self, crisis: str) -> Locator:
        """The escalation ladder of a crisis (``data-rung``)."""
        return self.page.get_by_test_id(f"ladder-{crisis}")

    def state_tooltip(self, code: str) -> Locator:
        """The hover title of a state's node in the network SVG."""
        return self.page.get_by_test_id("network").locator("circle > title").filter(has_text=f"({code})")

    def choose_scenario(self, name: str) -> None:
        """Pick a shipped scenario in the Scenario select."""
        self.page.get_by_role("button", name=re.compile(r"^Scenario\b")).click()
        self.page.get_by_role("option", name=name, exact=True).click()

    def slider(self, label: str, group: str | None = "States") -> Locator:
        """A slider by its label, after opening its group ("States", "Alliances", "Global parameters"; None: none)."""
        if group is not None:
            header = self.page.get_by_role("button", name=re.compile(rf"^{re.escape(group)} \(\d+\)$"))
            panel = self.page.locator(".v-expansion-panel").filter(has=header)
            if panel.get_attribute("aria-expanded") != "true":
                header.click()
            expect(panel).to_have_attribute("aria-expanded", "true")
        slider = self.page.get_by_role("slider", name=label, exact=True)
        expect(slider.locator(".v-slider__thumb")).to_be_visible()  # the slider element itself has no size
        return slider

    def press_slider(self, label: str, key: str, times: int = 1, group: str | None = "States") -> Locator:
        """Move a slider with the keyboard (``ArrowRight``, ``End``, ...) `times` times."""
        slider = self.slider(label, group)
        slider.focus()
        for _ in range(times):
            slider.press(key)
        return slider

    def record_changes(self, crisis: str) -> None:
        """Start recording in the page every step and rung the views show (read with `recorded`)."""
        self.page.evaluate(
            """crisis => {
                const seen = window.__brinkSeen = {steps: [], rungs: []};
                const note = (list, value) => {
                    if (value !== null && list[list.length - 1] !== value) list.push(value);
                };
                const look = () => {
                    const status = document.querySelector('[data-testid="frame-status"]');
                    const ladder = document.querySelector(`[data-testid="ladder-${crisis}"]`);
                    note(seen.steps, status && status.getAttribute('data-step'));
                    note(seen.rungs, ladder && ladder.getAttribute('data-rung'));
                };
                new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true});
                look();
            }""",
            crisis,
        )

    def recorded(self) -> dict[str, list[int]]:
        """The steps and rungs seen since `record_changes`, in order, without repeats."""
        seen = self.page.evaluate("() => window.__brinkSeen")
        return {key: [int(value) for value in values] for key, values in seen.items()}

    # the results page

    @property
    def folder_field(self) -> Locator:
        """The results page's folder field."""
        return self.page.get_by_label("Result folder (path, then Enter)")

    def open_folder(self, folder: Path | str) -> None:
        """Type a result folder and press Enter."""
        self.folder_field.fill(str(folder))
        self.folder_field.press("Enter")


@pytest.fixture()
def open_dashboard(
    request: pytest.FixtureRequest, new_context: Callable[..., Any], dashboard_server: DashboardServer
) -> Iterator[Callable[..., DashboardPage]]:
    """Open the dashboard in a new browser context (a new tab with its own session) at a path.

    Every page opened is saved as a screenshot at the end of the test, whether it passed or not.
    """
    opened: list[DashboardPage] = []
    name = artifact_name(request.node.name)

    def open_(path: str = "/") -> DashboardPage:
        suffix = "" if not opened else f"-{len(opened) + 1}"
        page = new_context().new_page()
        tab = DashboardPage(page, dashboard_server, ARTIFACTS / f"{name}{suffix}.png")
        opened.append(tab)
        return tab.open(path)

    yield open_
    for tab in opened:
        try:
            tab.screenshot()
        except PlaywrightError as error:  # never hide the test's own failure
            print(f"screenshot {tab.screenshot_path.name} failed: {error}")


@pytest.fixture()
def live(open_dashboard: Callable[..., DashboardPage]) -> DashboardPage:
    """A new tab on the live run page."""
    return open_dashboard("/")
