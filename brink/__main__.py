"""Allow ``python -m brink``."""

from brink.cli import main

main()
