"""The headless Chromium that the dashboard's browser tests and its benchmark drive.

Playwright cannot download its own browser here, so they launch Debian's Chromium; the flags
keep it from calling home or needing a GPU or a sandbox (see the platform notes).
"""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("BRINK_TEST_CHROMIUM", "/usr/bin/chromium"))
"""The Chromium binary (``$BRINK_TEST_CHROMIUM`` overrides it)."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
