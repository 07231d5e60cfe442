#!/usr/bin/env bash
# Make sure the browser tests have Chromium: install Debian's `chromium` and `chromium-driver` with apt
# (as root, or through sudo) when $BRINK_TEST_CHROMIUM (default /usr/bin/chromium) is missing.
# Playwright cannot download its own browser here, so the tests drive this one; when it cannot be
# installed this prints one `error:` line and exits 1, so the browser tests never turn into skips.
# Called by `make chromium` (a prerequisite of `make test`).
set -uo pipefail

chromium="${BRINK_TEST_CHROMIUM:-/usr/bin/chromium}"
packages=(chromium chromium-driver)
[ -x "$chromium" ] && exit 0

die() {
    echo "error: $chromium: $1" >&2
    exit 1
}

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif ! command -v sudo >/dev/null 2>&1; then
    die "Chromium is missing and installing it needs root or sudo; run as root: apt-get install -y ${packages[*]}"
elif sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
elif [ -t 0 ]; then
    as_root=(sudo)  # may ask for the password at the terminal
else
    die "Chromium is missing and sudo needs a password; run: sudo apt-get install -y ${packages[*]}"
fi
command -v apt-get >/dev/null 2>&1 \
    || die "Chromium is missing and there is no apt-get to install it; install Chromium there or set BRINK_TEST_CHROMIUM"

log="$(mktemp "${TMPDIR:-/tmp}/brink-chromium.XXXXXX.log")"
run_apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1; }
echo "installing Chromium with apt-get (${packages[*]}; about a minute) ..."
# A stale package list makes the first install fail: update it and try once more.
if ! run_apt install -y "${packages[@]}"; then
    if ! run_apt update || ! run_apt install -y "${packages[@]}"; then
        last="$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c 1-160)"
        die "apt-get install -y ${packages[*]} failed: ${last:-no output} (log: $log)"
    fi
fi
[ -x "$chromium" ] || die "still missing after apt-get install -y ${packages[*]} (log: $log)"
rm -f "$log"
echo "installed Chromium at $chromium"
