"""A stand-in for ``npm``: ``npm pack SPEC --pack-destination DIR`` copies a prepared tarball, offline."""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path

SCRIPT = """#!{python}
import os, shutil, sys

arguments = sys.argv[1:]
spec = arguments[1]
destination = arguments[arguments.index("--pack-destination") + 1]
with open(os.environ["FAKE_NPM_LOG"], "a") as log:
    log.write(" ".join(arguments) + "\\n")
if spec in os.environ.get("FAKE_NPM_FAIL", "").split(","):
    sys.stderr.write(
        "npm warn Unknown user config\\nnpm error code E404\\n"
        f"npm error 404 Not Found - GET https://registry.npmjs.org/{{spec}}\\n"
        "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log\\n"
    )
    sys.exit(1)
name = spec.lstrip("@").replace("/", "-").replace("@", "-")
shutil.copy(os.environ["FAKE_NPM_TARBALL"], os.path.join(destination, name + ".tgz"))
print(name + ".tgz")
"""


def make_tarball(path: Path, members: dict[str, bytes]) -> Path:
    """Write a gzipped tarball holding `members` (name -> content), names exactly as given."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(content))
    return path


def install_fake_npm(folder: Path, tarball: Path, fail: tuple[str, ...] = ()) -> dict[str, str]:
    """Put a fake ``npm`` in `folder`/bin; return the environment variables that make it the only npm.

    Each call is logged, one line of arguments, in `folder`/npm.log (see `npm_calls`).
    """
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    npm = bin_dir / "npm"
    npm.write_text(SCRIPT.format(python=sys.executable), encoding="utf-8")
    npm.chmod(0o755)
    return {
        "PATH": str(bin_dir),
        "FAKE_NPM_LOG": str(folder / "npm.log"),
        "FAKE_NPM_TARBALL": str(tarball),
        "FAKE_NPM_FAIL": ",".join(fail),
    }


def npm_calls(folder: Path) -> list[str]:
    """The argument lines the fake npm in `folder` was called with."""
    log = folder / "npm.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def apply(environment: dict[str, str], monkeypatch) -> None:
    """Set `environment` in this process through pytest's monkeypatch."""
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
