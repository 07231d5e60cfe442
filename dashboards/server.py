"""The dashboard's server: ``solara run``, with `dashboards.guard` in front of Solara's Starlette app.

``brink dashboard`` runs ``python -m dashboards.server APP --host ... --port ... [solara run options]``.
Solara's ``run`` serves the module-level ``app`` of ``solara.server.starlette`` (uvicorn imports it by
name), so the guard is added to that app here, before the server starts and builds its middleware
stack (Starlette's ``add_middleware``), with the hosts and token from the environment. Importing
that module registers the app named by ``$SOLARA_APP`` (``solara/server/app.py``), which ``solara
run`` sets only after the import here: so it is set first, from the app argument.
"""

from __future__ import annotations

import os
import sys

from dashboards.guard import Access, Guard


def install_guard(access: Access) -> None:
    """Put the guard in front of every route of Solara's server (call before the server starts)."""
    from solara.server import starlette as solara_starlette

    solara_starlette.app.add_middleware(Guard, access=access)


def main(arguments: list[str] | None = None) -> None:
    """Serve like ``solara run APP [OPTIONS]``, guarded."""
    given = sys.argv[1:] if arguments is None else arguments
    if given and not given[0].startswith("-"):
        os.environ["SOLARA_APP"] = given[0]
    install_guard(Access.from_environment())
    from solara.__main__ import cli

    cli(["run", *given], prog_name="solara")


if __name__ == "__main__":
    main()
