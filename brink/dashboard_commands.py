"""The dashboard commands: ``brink assets`` fetches Solara's front end, ``brink dashboard`` serves the dashboard."""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from brink.console import err_console, fail, out_console
from dashboards import DATA_VARIABLE, SCENARIO_VARIABLE
from dashboards.assets import (
    ASSET_PACKAGES,
    AssetPackage,
    AssetsError,
    default_assets_dir,
    fetch_assets,
    missing_assets,
    solara_environment,
)
from dashboards.files import shown
from dashboards.guard import Access, is_loopback, new_token
from scenarios import DEFAULT_SCENARIO, ScenarioError, load_scenario

DASHBOARD_APP = "dashboards.app"
SERVER_MODULE = "dashboards.server"
"""Runs ``solara run`` with the dashboard's access checks (`dashboards.guard`) in front."""
# Solara flags: no browser, no version check (it calls PyPI), and production mode (no reloader, minified JS).
SOLARA_FLAGS = ("--no-open", "--no-check-version", "--production")
STOP_GRACE = 10.0  # seconds the server gets to shut down after Ctrl-C before it is killed
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


HostOption = Annotated[
    str, typer.Option(help="Address to listen on; any but loopback (e.g. 0.0.0.0) needs the printed token.")
]
DataOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        metavar="DIR",
        help="Folder the pages may open scenario files and results from (repeatable; default the working "
        "directory). Nothing outside these folders and the shipped scenarios opens.",
    ),
]
AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        metavar="NAME",
        help="Another host name the server answers to, as browsers type it (repeatable).",
    ),
]


def assets_command(
    dir_: Annotated[
        Path | None,
        typer.Option("--dir", help="Asset folder; default $BRINK_ASSETS_DIR, else share/brinkmanship/solara-assets."),
    ] = None,
) -> None:
    """Fetch the dashboard's front end (Solara's JavaScript and CSS) with npm; once is enough."""
    folder = dir_ if dir_ is not None else default_assets_dir()
    if folder.exists() and not folder.is_dir():
        raise fail(ScenarioError(str(folder), "--dir", "exists and is not a directory"))
    missing = missing_assets(folder)
    for package in ASSET_PACKAGES:
        if package.folder not in missing:
            out_console.print(f"present  {package.folder}", markup=False)

    def report(package: AssetPackage, tarball: str) -> None:
        out_console.print(f"fetched  {package.folder} ({tarball})", markup=False)

    try:
        fetch_assets(folder, progress=report)
    except AssetsError as error:
        raise fail(ScenarioError(error.source, "", error.problem)) from None
    except OSError as error:
        raise fail(ScenarioError(str(folder), "--dir", f"cannot write: {error.strerror or error}")) from None
    out_console.print(f"all {len(ASSET_PACKAGES)} asset packages are in {folder}", markup=False)


def dashboard_command(
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
    scenario: Annotated[
        str, typer.Option(help="Starting scenario: a shipped name (see `brink scenarios`) or a YAML file.")
    ] = DEFAULT_SCENARIO,
    data: DataOption = None,
    allow_host: AllowHostOption = None,
    app_: Annotated[str, typer.Option("--app", hidden=True, help="Solara app to serve instead (module or file).")] = (
        DASHBOARD_APP
    ),
) -> None:
    """Serve the dashboard in the browser until Ctrl-C (run `brink assets` once first)."""
    try:
        load_scenario(scenario)
        folders = data_folders(data or [Path.cwd()])
    except ScenarioError as error:
        raise fail(error) from None
    folder = default_assets_dir()
    missing = missing_assets(folder)
    if missing:
        problem = f"front-end assets missing ({', '.join(missing)}); run `brink assets` first"
        raise fail(ScenarioError(str(folder), "", problem))
    try:
        check_app(app_)
        address = check_port(host, port)
    except ScenarioError as error:
        raise fail(error) from None
    access = server_access(host, address, allow_host or [])
    command = [sys.executable, "-m", SERVER_MODULE, app_, "--host", host, "--port", str(port), *SOLARA_FLAGS]
    environment = {
        **os.environ,
        **solara_environment(folder),
        SCENARIO_VARIABLE: scenario,
        DATA_VARIABLE: json.dumps(folders),
        **access.environment(),
    }
    # Solara warns (a dozen lines, on the first page) that a page on http://127.0.0.1 gets a lax cookie: fine here.
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    environment["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    if access.token is not None:
        err_console.print(
            f"warning: --host {host} is not a loopback address: other machines can reach the dashboard. Each "
            "browser must open it once with the token in the address below; the connection is not encrypted.",
            markup=False,
        )
    announce(host, port, access.token)
    code, stopped_by = serve(command, environment)
    if stopped_by is not None:
        err_console.print("stopped")
        raise typer.Exit(code=128 + stopped_by)
    if code != 0:
        err_console.print(f"error: the Solara server exited with status {code}", markup=False)
        raise typer.Exit(code=1)


def server_access(host: str, address: str, allow_host: list[str]) -> Access:
    """Who the server lets in: the loopback names, `host`, `allow_host` (and this machine's names on a wildcard).

    A server on an address that is not loopback asks every request for a new random token (as Jupyter does).
    """
    access = Access.of([host, *allow_host, *(machine_names() if _wildcard(address) else [])])
    return access if is_loopback(address) else Access(access.hosts, new_token())


def announce(host: str, port: int, token: str | None) -> None:
    """Print the address to open (with the token, when one is needed)."""
    shown_host = f"[{host}]" if ":" in host else host
    query = f"?token={token}" if token else ""
    out_console.print(f"serving the dashboard at http://{shown_host}:{port}/{query} (Ctrl-C stops it)", markup=False)


def data_folders(folders: list[Path]) -> list[str]:
    """The data folders as absolute real paths (symlinks followed; ``~`` is not expanded).

    Raises:
        ScenarioError: A folder that does not exist or is not a folder.
    """
    found = []
    for folder in folders:
        try:
            real = folder.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            real = None
        if real is None or not real.is_dir():
            raise ScenarioError(shown(str(folder)), "--data", "not a folder")
        found.append(str(real))
    return found


def _wildcard(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_unspecified
    except ValueError:
        return False


def machine_names() -> list[str]:
    """This machine's host name, its full name and their addresses: what other machines type to reach it."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        with contextlib.suppress(OSError, UnicodeError):  # a name that does not resolve adds nothing
            names.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
    return sorted(n for n in names if n)


def check_app(app: str) -> None:
    """Make sure the Solara app exists: a ``.py`` file, or an importable module (``module`` or ``module:Page``).

    Raises:
        ScenarioError: No such file or module.
    """
    if app.endswith((".py", ".ipynb")) or os.sep in app:
        if not Path(app).is_file():
            raise ScenarioError("--app", app, "no such file")
        return
    module = app.partition(":")[0]
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ScenarioError("--app", app, f"no module {module} (is the project installed? `make setup`)")


def check_port(host: str, port: int) -> str:
    """Make sure the server will be able to listen on `host`:`port`, and return the address it will listen on.

    Raises:
        ScenarioError: The host is unknown or the port is taken (or privileged).
    """
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise ScenarioError("--host", host, f"cannot resolve: {getattr(error, 'strerror', None) or error}") from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            raise ScenarioError("--port", str(port), f"cannot listen on {host}: {error.strerror or error}") from None
    return str(address[0])


def serve(command: list[str], environment: dict[str, str]) -> tuple[int, int | None]:
    """Run the server until it exits; Ctrl-C (or SIGTERM, SIGHUP) here stops it.

    The server runs in its own process group, so a Ctrl-C in the terminal reaches it only through
    this process: the first signal asks it to shut down (SIGTERM: uvicorn closes the connections and
    exits quietly), a second one makes uvicorn stop at once (SIGINT), a third kills it. It is also
    killed when it has not stopped `STOP_GRACE` seconds after the first signal.

    Returns:
        The server's exit status, and the first signal that asked it to stop (None if it exited on its own).
    """
    received: list[int] = []
    server: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if server is not None and server.poll() is None:
            _ask_to_stop(server, len(received))

    previous = {number: signal.signal(number, forward) for number in FORWARDED_SIGNALS}
    try:
        server = subprocess.Popen(command, env=environment, process_group=0)
        if received:  # a signal arrived while it was starting
            _ask_to_stop(server, 1)
        deadline: float | None = None
        while True:
            try:
                code = server.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if received and deadline is None:
                    deadline = time.monotonic() + STOP_GRACE
                if deadline is not None and time.monotonic() > deadline:
                    server.kill()
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return code, (received[0] if received else None)


def _ask_to_stop(server: subprocess.Popen[bytes], attempt: int) -> None:
    """Ask the server to stop: politely the first time, at once the second, then kill it."""
    if attempt == 1:
        server.terminate()
    elif attempt == 2:
        server.send_signal(signal.SIGINT)
    else:
        server.kill()
