"""Solara's front end, served from a local folder: these machines cannot reach Solara's CDN.

Solara's server answers ``/_solara/cdn/PATH`` from a cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``)
and fetches from the public CDN only what the folder lacks. `fetch_assets` fills that folder with
``npm pack`` (the npm registry is reachable), one folder per package, named exactly as Solara asks
for it (``vega@5``, ``@widgetti/solara-vuetify-app@10.1.1``, ...), and `solara_environment` points
the server at it and keeps it off the CDN.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path, PurePosixPath
from typing import NamedTuple

ASSETS_DIR_VARIABLE = "BRINK_ASSETS_DIR"
MARKER = ".brink-assets-complete"
NPM_TIMEOUT = 300.0
PARALLEL_DOWNLOADS = 4


class AssetPackage(NamedTuple):
    """An npm package Solara's front end loads, and the folder Solara looks for it in.

    Attributes:
        spec: What ``npm pack`` is given (``vega@5`` takes the newest 5.x, as the CDN does).
        folder: The path prefix Solara requests, relative to the cache folder.
    """

    spec: str
    folder: str


# Solara 1.64.1 with its Vue 2 front end (ipyvue<2); tests/dashboards/test_assets.py checks this
# list against the installed solara's templates and widgets.
ASSET_PACKAGES: tuple[AssetPackage, ...] = (
    AssetPackage("@widgetti/solara-vuetify-app@10.1.1", "@widgetti/solara-vuetify-app@10.1.1"),  # the page
    AssetPackage("requirejs@2.3.6", "requirejs@2.3.6"),  # the page's module loader
    AssetPackage("font-awesome@4.5.0", "font-awesome@4.5.0"),  # icons (SOLARA_ASSETS_FONTAWESOME_PATH)
    AssetPackage("@widgetti/vue-grid-layout@2.3.13-alpha.2", "@widgetti/vue-grid-layout@2.3.13-alpha.2"),
    AssetPackage("vega@5", "vega@5"),  # Altair charts (solara.FigureAltair)
    AssetPackage("vega-lite@5", "vega-lite@5"),
    AssetPackage("vega-embed@6", "vega-embed@6"),
    AssetPackage("mermaid@10.8.0", "mermaid@10.8.0"),  # loaded by every solara.Markdown
    AssetPackage("katex@0.16.9", "katex@0.16.9"),  # so is KaTeX (math), unless MathJax is on the page
)

Progress = Callable[[AssetPackage, str], None]


class AssetsError(RuntimeError):
    """An asset package could not be fetched or unpacked; the message is one line.

    Attributes:
        source: The package spec (or folder) the problem is with.
        problem: What went wrong, in words.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = " ".join(problem.split())
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def default_assets_dir() -> Path:
    """The asset folder: ``$BRINK_ASSETS_DIR`` if set, else ``share/brinkmanship/solara-assets`` in the environment."""
    configured = os.environ.get(ASSETS_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(sys.prefix) / "share" / "brinkmanship" / "solara-assets"


def missing_assets(folder: Path, packages: Iterable[AssetPackage] = ASSET_PACKAGES) -> list[str]:
    """The folder names of the packages not completely fetched into `folder`.

    A package counts as present only once its marker file exists, and `fetch_assets` writes that
    last, so an interrupted fetch (or a folder Solara's proxy half-filled from the CDN) is missing.
    """
    return [package.folder for package in packages if not (Path(folder) / package.folder / MARKER).is_file()]


def fetch_assets(
    folder: Path,
    *,
    packages: Iterable[AssetPackage] = ASSET_PACKAGES,
    progress: Progress | None = None,
) -> None:
    """Fetch every missing package into `folder` with ``npm pack``; present ones are left alone.

    Each package is unpacked into a hidden folder beside its final place, marked complete, then
    renamed into place, so an interruption never leaves a package that looks present.

    Args:
        folder: The asset folder (created if needed).
        packages: The packages to make present.
        progress: Called with each package once it is in place, and the name of its tarball.

    Raises:
        AssetsError: npm is not installed, ``npm pack`` failed, a tarball is unsafe or unreadable,
            or the folder cannot be written.
    """
    folder = Path(folder)
    todo = [package for package in packages if package.folder in missing_assets(folder, [package])]
    if not todo:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm", "not found on PATH; install Node.js (it comes with npm) to fetch the assets")
    with tempfile.TemporaryDirectory(prefix="brink-npm-") as downloads, ThreadPoolExecutor(PARALLEL_DOWNLOADS) as pool:
        # Downloads overlap (npm spends most of a second starting up); unpacking happens here, one at a time.
        jobs = {
            pool.submit(_npm_pack, npm, package, Path(downloads) / str(number)): package
            for number, package in enumerate(todo)
        }
        try:
            for job in as_completed(jobs):
                package = jobs[job]
                tarball = job.result()
                try:
                    _install(tarball, folder, package)
                except OSError as error:
                    raise AssetsError(package.spec, f"cannot write {folder}: {error.strerror or error}") from error
                if progress is not None:
                    progress(package, tarball.name)
        finally:
            for job in jobs:
                job.cancel()


def solara_environment(folder: Path) -> dict[str, str]:
    """Environment variables that make a Solara server serve its front end from `folder` alone.

    - ``SOLARA_ASSETS_PROXY=True``: serve ``/_solara/cdn/`` itself (Solara turns this off when it
      sees VS Code or Colab, and the page would then load from the CDN).
    - ``SOLARA_ASSETS_PROXY_CACHE_DIR``: the folder `fetch_assets` filled.
    - ``SOLARA_ASSETS_CDN``: a URL no request can go to, so a file missing from the folder is a
      404 within seconds (Solara retries for about 7 s) and the server never contacts the CDN.
    - ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``: no telemetry calls.
    - ``SOLARA_KERNEL_CULL_TIMEOUT=1m``: a closed tab's session (and any animation loop in it)
      ends after a minute, not 24 hours.
    """
    return {
        "SOLARA_ASSETS_PROXY": "True",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(Path(folder).absolute()),
        "SOLARA_ASSETS_CDN": "offline://solara-assets-are-local/",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_KERNEL_CULL_TIMEOUT": "1m",
    }


def _npm_pack(npm: str, package: AssetPackage, destination: Path) -> Path:
    """Download the package's tarball into a new folder `destination` and return its path."""
    destination.mkdir()
    command = [npm, "pack", package.spec, "--pack-destination", str(destination)]
    environment = {**os.environ, "NPM_CONFIG_UPDATE_NOTIFIER": "false", "NPM_CONFIG_FUND": "false"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=NPM_TIMEOUT, env=environment, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise AssetsError(package.spec, f"npm pack took more than {NPM_TIMEOUT:.0f} s") from error
    except OSError as error:
        raise AssetsError(package.spec, f"cannot run npm: {error.strerror or error}") from error
    tarballs = sorted(destination.glob("*.tgz"))
    if done.returncode != 0 or len(tarballs) != 1:
        raise AssetsError(package.spec, f"npm pack failed (exit {done.returncode}): {_npm_complaint(done.stderr)}")
    return tarballs[0]


def _npm_complaint(stderr: str) -> str:
    """The gist of npm's error output: its ``npm error`` lines, without the log-file hints."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("npm error").removeprefix("npm ERR!").strip() for line in lines]
    errors = [line for line in errors if line and "complete log of this run" not in line]
    return "; ".join(errors[:3]) or "no error message"


def _install(tarball: Path, folder: Path, package: AssetPackage) -> None:
    """Unpack `tarball` beside the package's place, mark it complete, and rename it into place."""
    target = folder / package.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        unpack(tarball, staging, source=package.spec)
        info = {"spec": package.spec, "tarball": tarball.name}
        (staging / MARKER).write_text(json.dumps(info) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp made it private; the server may run as another user
        if target.exists():  # half-fetched, or half-filled by Solara's proxy: replace it
            shutil.rmtree(target)
        os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def unpack(tarball: Path, destination: Path, *, source: str = "") -> None:
    """Unpack an npm tarball into `destination`, without its leading folder (``package/``), as npm does.

    Regular files and folders are written; links and special files are skipped, as npm skips them.

    Raises:
        AssetsError: The tarball cannot be read, or a member's path would leave `destination`.
    """
    source = source or tarball.name
    try:
        with tarfile.open(tarball, "r:*") as archive:
            for member in archive:
                relative = _member_path(member.name)
                if relative is None:
                    raise AssetsError(source, f"unsafe path in tarball: {member.name!r}")
                if not relative.parts or not (member.isfile() or member.isdir()):
                    continue
                place = destination.joinpath(*relative.parts)
                if member.isdir():
                    place.mkdir(parents=True, exist_ok=True)
                    continue
                place.parent.mkdir(parents=True, exist_ok=True)
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                with stream, open(place, "wb") as out:
                    shutil.copyfileobj(stream, out)
                place.chmod(0o755 if member.mode & 0o111 else 0o644)
    except (tarfile.TarError, EOFError) as error:
        raise AssetsError(source, f"cannot read {tarball.name}: {error}") from error


def _member_path(name: str) -> PurePosixPath | None:
    """A member's path without its first folder, or None when it is absolute or climbs out with ``..``."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    parts = [part for part in path.parts if part != "."]
    return PurePosixPath(*parts[1:])
