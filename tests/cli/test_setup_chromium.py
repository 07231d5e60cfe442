"""`make test`'s set-up of Chromium on a fresh machine, simulated: installs when missing, one clear line when it cannot.

`make chromium` (a prerequisite of `make test`) runs here with a PATH of fake `apt-get`, `sudo` and
`id` commands and a Chromium path in a temporary folder, so no real package is ever installed.
The fakes log every call; `apt-get install` "installs" by creating the Chromium file.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("bash", "env", "true", "mktemp", "grep", "tail", "cut", "rm", "cat", "make", "sh", "dirname", "chmod", "touch")
INSTALL = "apt-get install -y chromium chromium-driver"

FAKE_APT = r"""#!/bin/bash
echo "apt-get $*" >> "$FAKE_LOG"
case "$1:$FAKE_APT" in
    update:*) echo "Reading package lists... Done"; exit 0 ;;
    install:broken) echo "E: Unable to locate package chromium"; exit 100 ;;
    install:stale) [ -e "$FAKE_LOG.updated" ] || { touch "$FAKE_LOG.updated"; echo "E: 404 Not Found"; exit 100; } ;;
    install:empty) exit 0 ;;
esac
[ "$DEBIAN_FRONTEND" = noninteractive ] || { echo "E: not noninteractive"; exit 1; }
printf '#!/bin/sh\necho Chromium 1.0\n' > "$BRINK_TEST_CHROMIUM"
chmod +x "$BRINK_TEST_CHROMIUM"
echo "Setting up chromium"
"""
FAKE_SUDO = r"""#!/bin/bash
echo "sudo $*" >> "$FAKE_LOG"
[ "$1" = -n ] && shift
if [ "$FAKE_SUDO" = password ]; then echo "sudo: a password is required" >&2; exit 1; fi
exec "$@"
"""
FAKE_ID = r"""#!/bin/bash
[ "$1" = -u ] && { echo "$FAKE_UID"; exit 0; }
echo "uid=$FAKE_UID"
"""


def write_tool(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def machine(tmp_path):
    """A fake machine: only the listed tools are on PATH, plus fakes; returns a runner of `make chromium`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real, tool
        (bin_dir / tool).symlink_to(real)
    write_tool(bin_dir, "id", FAKE_ID)
    chromium = tmp_path / "usr-bin" / "chromium"
    chromium.parent.mkdir()
    log = tmp_path / "calls.log"
    log.write_text("")

    def make(*, uid: int = 0, apt: str | None = "ok", sudo: str | None = None, target: str = "chromium"):
        if apt is not None:
            write_tool(bin_dir, "apt-get", FAKE_APT)
        if sudo is not None:
            write_tool(bin_dir, "sudo", FAKE_SUDO)
        env = {
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "TMPDIR": str(tmp_path),
            "BRINK_TEST_CHROMIUM": str(chromium),
            "FAKE_LOG": str(log),
            "FAKE_UID": str(uid),
            "FAKE_APT": apt or "",
            "FAKE_SUDO": sudo or "",
        }
        done = subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", str(ROOT), target],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done, [line for line in log.read_text().splitlines() if line], chromium

    make.chromium = chromium
    return make


def test_chromium_present_does_nothing(machine):
    chromium = machine.chromium
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    done, calls, _ = machine(uid=1000, apt="broken", sudo="password")
    assert done.returncode == 0, done.stderr
    assert calls == []
    assert done.stdout == "" and done.stderr == ""


def test_missing_chromium_is_installed_as_root(machine):
    done, calls, chromium = machine(uid=0)
    assert done.returncode == 0, done.stderr
    assert calls == [INSTALL]
    assert os.access(chromium, os.X_OK)
    assert done.stderr.splitlines()[-1] == f"installed Chromium at {chromium}"
    assert "Setting up chromium" not in done.stdout + done.stderr  # apt's own output goes to a log


def test_a_stale_package_list_is_updated_and_the_install_retried(machine, tmp_path):
    done, calls, chromium = machine(uid=0, apt="stale")
    assert done.returncode == 0, done.stderr
    assert calls == [INSTALL, "apt-get update", INSTALL]
    assert os.access(chromium, os.X_OK)
    assert not list(tmp_path.glob("brink-chromium.*.log"))  # the log is removed after a success


def test_a_user_with_sudo_installs_through_sudo(machine):
    done, calls, chromium = machine(uid=1000, sudo="nopassword")
    assert done.returncode == 0, done.stderr
    assert calls == [
        "sudo -n true",
        f"sudo -n env DEBIAN_FRONTEND=noninteractive {INSTALL}",
        INSTALL,
    ]
    assert os.access(chromium, os.X_OK)


def one_error_line(done: subprocess.CompletedProcess[str], chromium: Path, fragment: str) -> str:
    """The failure: non-zero exit, and stderr's last line make's ``*** error: ...  Stop.`` with the reason."""
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, done.stderr
    assert errors[0] == done.stderr.splitlines()[-1]
    assert f"*** error: {chromium}: " in errors[0] and errors[0].endswith("Stop.")
    assert fragment in errors[0]
    assert "Traceback" not in done.stderr and "Error 1" not in done.stderr
    return errors[0]


def test_no_root_and_no_sudo_fails_with_one_clear_line(machine):
    done, calls, chromium = machine(uid=1000, sudo=None)
    one_error_line(done, chromium, "Chromium is missing and installing it needs root or sudo")
    assert calls == []
    assert done.stderr.count("\n") == 1  # nothing else at all
    assert not chromium.exists()


def test_sudo_that_needs_a_password_without_a_terminal_fails_with_one_clear_line(machine):
    done, calls, chromium = machine(uid=1000, sudo="password")
    one_error_line(done, chromium, "sudo needs a password; run: sudo apt-get install -y chromium chromium-driver")
    assert calls == ["sudo -n true"]
    assert done.stderr.count("\n") == 1


def test_apt_that_fails_gives_one_error_line_with_apts_reason(machine):
    done, calls, chromium = machine(uid=0, apt="broken")
    line = one_error_line(done, chromium, f"{INSTALL} failed: E: Unable to locate package chromium")
    assert calls == [INSTALL, "apt-get update", INSTALL]
    assert "(log: " in line
    assert not chromium.exists()


def test_an_install_that_leaves_no_chromium_fails(machine):
    done, _, chromium = machine(uid=0, apt="empty")
    one_error_line(done, chromium, f"still missing after {INSTALL}")


def test_no_apt_get_fails_with_one_clear_line(machine):
    done, calls, chromium = machine(uid=0, apt=None)
    one_error_line(done, chromium, "there is no apt-get to install it")
    assert calls == []


def test_make_test_sets_up_chromium_and_ci_run_has_no_install_logic_of_its_own(machine, tmp_path):
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), "test"], capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    commands = dry.stdout.splitlines()
    assert "bash .ci/chromium.sh" in commands
    assert commands.index("bash .ci/chromium.sh") < next(i for i, c in enumerate(commands) if "pytest" in c)
    # .ci/run, given a fake `make`, calls `make test` and nothing else: no apt-get, no sudo.
    bin_dir = tmp_path / "ci-bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "dirname"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    write_tool(bin_dir, "make", '#!/bin/bash\necho "make $*" >> "$FAKE_LOG"\n')
    write_tool(bin_dir, "apt-get", FAKE_APT)
    write_tool(bin_dir, "sudo", FAKE_SUDO)
    log = tmp_path / "ci.log"
    env = {"PATH": str(bin_dir), "FAKE_LOG": str(log), "BRINK_TEST_CHROMIUM": str(tmp_path / "none")}
    done = subprocess.run([str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == ["make test"]
