"""Frames per second of the live page in headless Chromium, on the Moscow-strike scenario.

Starts ``brink dashboard`` on a free port, opens the page in headless Chromium (Playwright,
driving /usr/bin/chromium), presses Play and counts, in the browser, how often the drawn step
changes (a requestAnimationFrame loop reads the page). The scenario is moscow-strike as shipped
except that the run goes on for 400 steps after its crisis ends, so that there is enough
animation to time. Prints frames per second at each speed setting against the 10 fps target.

    .venv/bin/python benchmarks/dashboard_fps.py [--seconds 8] [--screenshot docs/images/dashboard-live.png]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

from dashboards.assets import default_assets_dir
from dashboards.chromium import CHROMIUM, CHROMIUM_ARGS
from scenarios import shipped_scenarios

TARGET_FPS = 10.0
STEPS = 400

# Runs in the page: record the time of every change of the drawn step.
WATCH_STEPS = """
() => {
  window.__frames = [];
  let last = null;
  const tick = () => {
    const el = document.querySelector('[data-testid=frame-status]');
    const step = el ? el.getAttribute('data-step') : null;
    if (step !== last) { window.__frames.push([performance.now(), step]); last = step; }
    window.__raf = requestAnimationFrame(tick);
  };
  tick();
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def long_moscow(folder: Path) -> Path:
    """moscow-strike, running `STEPS` steps whatever happens to its crisis (more than 8 s at 30 frames/s)."""
    document = yaml.safe_load(shipped_scenarios()["moscow-strike"].read_text(encoding="utf-8"))
    document.setdefault("params", {}).update(max_steps=STEPS, stop_when_crises_end=False)
    path = folder / "moscow-strike-long.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def wait_for(url: str, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"error: the dashboard did not answer at {url} within {seconds:.0f} s")


def measure(page, speed: int, seconds: float) -> tuple[int, float]:
    """Frames drawn and their rate over `seconds` of play at `speed`."""
    page.get_by_role("button", name="Reset").click()
    page.wait_for_selector("[data-testid=frame-status][data-step='0']")
    slider = page.locator(".v-input", has_text="Speed (frames/s)").locator("[role=slider]")
    slider.focus()
    slider.press("Home")
    for _ in range(speed - 1):
        slider.press("ArrowRight")
    page.wait_for_timeout(300)
    page.evaluate(WATCH_STEPS)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(seconds * 1000)
    frames = page.evaluate("window.__frames")
    page.evaluate("cancelAnimationFrame(window.__raf)")
    page.get_by_role("button", name="Pause").click()
    changes = [t for t, step in frames[1:]]  # the first entry is the starting step
    if len(changes) < 2:
        return len(changes), 0.0
    return len(changes), (len(changes) - 1) / ((changes[-1] - changes[0]) / 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="Seconds of play measured per speed.")
    parser.add_argument("--speeds", default="10,30", help="Speed settings (frames/s) to measure, comma-separated.")
    parser.add_argument("--screenshot", type=Path, help="Save a screenshot of the live page mid-run here.")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: {CHROMIUM} not found; install it with `apt-get install -y chromium`")

    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = long_moscow(Path(tmp))
        brink = Path(sys.executable).with_name("brink")
        server = subprocess.Popen(
            [str(brink), "dashboard", "--port", str(port), "--scenario", str(scenario)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "BRINK_ASSETS_DIR": str(default_assets_dir())},
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for(url)
            rows = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1500, "height": 1150})
                page.goto(url, timeout=90_000)
                page.wait_for_selector("[data-testid=frame-status]", timeout=90_000)
                for speed in (int(s) for s in args.speeds.split(",")):
                    frames, fps = measure(page, speed, args.seconds)
                    rows.append((speed, frames, fps))
                if args.screenshot:  # the shipped scenario, played to its end
                    page.get_by_label("Scenario", exact=True).click(force=True)
                    page.get_by_role("option", name="moscow-strike", exact=True).click()
                    page.wait_for_selector("[data-testid=frame-status][data-step='0']")
                    page.get_by_role("button", name="Play").click()
                    page.wait_for_selector("[data-testid=outcome-banner]", timeout=60_000)
                    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.screenshot), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    print(f"live page, moscow-strike ({STEPS} steps), headless Chromium; {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'speed setting':>14} {'frames':>7} {'frames/s':>9} {'vs 10 fps target':>17}")
    for speed, frames, fps in rows:
        print(f"{speed:>14} {frames:>7} {fps:>9.1f} {fps / TARGET_FPS:>16.2f}x")


if __name__ == "__main__":
    main()
