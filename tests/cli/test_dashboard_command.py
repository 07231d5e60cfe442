"""`brink assets` and `brink dashboard`: bad input is one line and exit 2; the server starts, serves and stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_npm import install_fake_npm, make_tarball, npm_calls

from dashboards.assets import ASSET_PACKAGES, default_assets_dir, missing_assets
from dashboards.chromium import CHROMIUM, CHROMIUM_ARGS

BRINK = str(Path(sys.executable).with_name("brink"))
REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 120.0  # seconds for the server to answer
STOP_DEADLINE = 15.0  # seconds for `brink dashboard` to exit after Ctrl-C (it kills the server after 10)
ASSET_URL = "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/main8.css"

THROWAWAY_APP = """
import os

import altair as alt
import pandas as pd
import solara

clicks = solara.reactive(0)


@solara.component
def Page():
    solara.Markdown("# Offline page\\n\\nscenario " + os.environ["BRINK_DASHBOARD_SCENARIO"] + ", math $x^2$")
    solara.Button(f"clicked {clicks.value}", on_click=lambda: clicks.set(clicks.value + 1))
    data = pd.DataFrame({"x": range(5), "y": [1, 3, 2, 5, 4]})
    solara.FigureAltair(alt.Chart(data).mark_line().encode(x="x", y="y"))
"""


def brink(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRINK, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, cwd=cwd
    )


def assert_one_error_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], seconds: float, what: str, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"`brink dashboard` exited ({process.returncode}) before {what}:\n{output(process)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds:.0f} s")
        time.sleep(0.25)


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def output(process: subprocess.Popen[Any]) -> str:
    if process.poll() is None:
        return "(still running)"
    out, err = process.communicate()
    return f"{out}\n{err}"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture()
def serve() -> Iterator[Callable[..., tuple[subprocess.Popen[str], int]]]:
    """Start `brink dashboard` on a free port (its own session, as from a terminal); kill what is left after."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, cwd: Path = REPO) -> tuple[subprocess.Popen[str], int]:
        port = free_port()
        command = [BRINK, "dashboard", "--port", str(port), *args]
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        started.append(process)
        return process, port

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # brink's own group; the server has its own
            process.wait()


# bad input ------------------------------------------------------------------------------


def test_an_unknown_scenario_is_one_line_and_exit_2(tmp_path):
    assert_one_error_line(brink("dashboard", "--scenario", "nope", cwd=tmp_path), "nope")


def test_missing_assets_say_to_run_brink_assets(tmp_path):
    done = brink("dashboard", env={"BRINK_ASSETS_DIR": str(tmp_path / "empty")}, cwd=tmp_path)
    assert_one_error_line(done, "brink assets", str(tmp_path / "empty"))


def test_a_bad_or_busy_port_is_one_line_and_exit_2(tmp_path):
    assert_one_error_line(brink("dashboard", "--port", "70000", cwd=tmp_path), "--port")
    assert_one_error_line(brink("dashboard", "--port", "http", cwd=tmp_path), "--port")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_one_error_line(brink("dashboard", "--port", str(port), cwd=tmp_path), "--port", str(port), "in use")


def test_an_unknown_app_is_one_line_and_exit_2(tmp_path):
    assert_one_error_line(brink("dashboard", "--app", "no_such_app_module", cwd=tmp_path), "no_such_app_module")


def test_a_data_folder_that_is_not_one_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "file").write_text("")
    assert_one_error_line(brink("dashboard", "--data", "missing", cwd=tmp_path), "missing: --data: not a folder")
    assert_one_error_line(brink("dashboard", "--data", "file", cwd=tmp_path), "file: --data: not a folder")
    assert_one_error_line(brink("dashboard", "--data", "~", cwd=tmp_path), "~: --data: not a folder")  # no expansion
    long = brink("dashboard", "--data", "d" * 3000, cwd=tmp_path)
    assert_one_error_line(long, "--data: not a folder")
    assert len(long.stderr) < 200


def test_importing_the_command_loads_no_heavy_package():
    """`brink dashboard`'s module is imported by every `brink` command: it must not load the server's packages."""
    heavy = ("solara", "mesa", "scipy", "dask", "starlette", "uvicorn")
    code = f"import sys, brink.dashboard_commands; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_server_gets_its_data_folders_hosts_and_token(monkeypatch, tmp_path):
    """What `brink dashboard` hands the server: folders resolved, loopback without a token, anything else with one."""
    import brink.dashboard_commands as command
    from dashboards import DATA_VARIABLE, HOSTS_VARIABLE, SCENARIO_VARIABLE, TOKEN_VARIABLE

    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(command, "serve", lambda cmd, env: (started.append((cmd, env)) or (0, None)))
    monkeypatch.setattr(command, "missing_assets", lambda folder: [])
    monkeypatch.setattr(command, "check_port", lambda host, port: {"localhost": "127.0.0.1"}.get(host, host))
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path)

    command.dashboard_command(host="localhost", port=8800, data=[Path("link")], allow_host=None)
    cmd, env = started[-1]
    assert cmd[1:4] == ["-m", "dashboards.server", "dashboards.app"]
    assert json.loads(env[DATA_VARIABLE]) == [str((tmp_path / "real").resolve())]
    assert env[TOKEN_VARIABLE] == "" and env[SCENARIO_VARIABLE] == "moscow-strike"
    assert set(json.loads(env[HOSTS_VARIABLE])) == {"127.0.0.1", "localhost", "::1"}

    command.dashboard_command(host="0.0.0.0", port=8800, data=None, allow_host=["lab.example.org"])
    _cmd, env = started[-1]
    assert len(env[TOKEN_VARIABLE]) >= 32
    assert {"0.0.0.0", "lab.example.org", socket.gethostname().lower()} <= set(json.loads(env[HOSTS_VARIABLE]))
    assert json.loads(env[DATA_VARIABLE]) == [str(tmp_path.resolve())]  # the working directory by default


# brink assets, with a fake npm ----------------------------------------------------------


def test_assets_fetches_what_is_missing_one_line_a_package(tmp_path):
    tarball = make_tarball(tmp_path / "pkg.tgz", {"package/package.json": b"{}", "package/dist/x.js": b"x"})
    environment = install_fake_npm(tmp_path / "npm", tarball)
    folder = tmp_path / "assets"
    first = brink("assets", "--dir", str(folder), env=environment, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    fetched = [line for line in first.stdout.splitlines() if line.startswith("fetched ")]
    assert sorted(line.split()[1] for line in fetched) == sorted(p.folder for p in ASSET_PACKAGES)
    assert missing_assets(folder) == []
    again = brink("assets", "--dir", str(folder), env=environment, cwd=tmp_path)
    assert again.returncode == 0
    assert [line.split()[1] for line in again.stdout.splitlines() if line.startswith("present ")] == [
        p.folder for p in ASSET_PACKAGES
    ]
    assert len(npm_calls(tmp_path / "npm")) == len(ASSET_PACKAGES)


def test_assets_without_npm_or_with_a_failing_pack_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    done = brink("assets", "--dir", str(tmp_path / "a"), env={"PATH": str(tmp_path / "empty")}, cwd=tmp_path)
    assert_one_error_line(done, "npm: not found on PATH")
    tarball = make_tarball(tmp_path / "pkg.tgz", {"package/a.js": b"a"})
    environment = install_fake_npm(tmp_path / "npm", tarball, fail=("vega@5",))
    done = brink("assets", "--dir", str(tmp_path / "b"), env=environment, cwd=tmp_path)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: vega@5: npm pack failed"), done.stderr
    assert "vega@5" in missing_assets(tmp_path / "b")
    (tmp_path / "file").write_text("")
    assert_one_error_line(brink("assets", "--dir", str(tmp_path / "file"), cwd=tmp_path), "not a directory")


# the real server ------------------------------------------------------------------------


def need_assets() -> None:
    missing = missing_assets(default_assets_dir())
    if missing:
        pytest.fail(f"assets not fetched into {default_assets_dir()}: run `make setup` (missing {missing})")


def test_dashboard_serves_the_page_and_its_assets_and_stops_on_ctrl_c(serve):
    need_assets()
    process, port = serve("--scenario", "korean-peninsula")
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: status(base + "/") == 200, START_DEADLINE, "HTTP 200 on /", process)
    assert status(base + ASSET_URL) == 200
    process.send_signal(signal.SIGINT)  # what Ctrl-C in its terminal does
    try:
        out, err = process.communicate(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`brink dashboard` still running {STOP_DEADLINE:.0f} s after Ctrl-C")
    assert process.returncode == 130, err
    assert f"serving the dashboard at http://127.0.0.1:{port}/ (Ctrl-C stops it)" in out  # loopback: no token
    assert "warning" not in err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "stopped"
    assert not listening(port), "the Solara server outlived `brink dashboard`"


def test_a_served_page_renders_from_the_local_server_alone(serve, tmp_path, page):
    """A throwaway app using Markdown (mermaid, KaTeX) and an Altair chart (vega) renders offline."""
    need_assets()
    app = tmp_path / "offline_app.py"
    app.write_text(THROWAWAY_APP, encoding="utf-8")
    process, port = serve("--app", str(app), "--scenario", "cuban-missile-1962", cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: status(base + "/") == 200, START_DEADLINE, "HTTP 200 on /", process)
    requests: list[str] = []
    failures: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
    page.on("response", lambda answer: answer.status >= 400 and failures.append(f"{answer.status} {answer.url}"))
    page.goto(base + "/")
    page.get_by_text("scenario cuban-missile-1962").wait_for(timeout=60_000)
    page.locator(".vega-embed svg, .vega-embed canvas").first.wait_for(timeout=30_000)
    page.locator(".katex").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="clicked 0").click()
    page.get_by_role("button", name="clicked 1").wait_for(timeout=30_000)
    hosts = {urlsplit(url).netloc for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {f"127.0.0.1:{port}"}
    assert failures == []
    assert any("/_solara/cdn/vega@5/" in url for url in requests)
    process.terminate()
    try:
        process.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`brink dashboard` still running {STOP_DEADLINE:.0f} s after SIGTERM")
    assert process.returncode == 128 + signal.SIGTERM
    assert not listening(port)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Chromium from the system (Playwright cannot download browsers here); CI installs it."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}
