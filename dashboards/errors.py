"""Errors on the pages: one line for the user, the traceback only in the server's log.

Solara shows an exception that escapes a render or an event handler as its traceback in the page,
with the server's paths in it. The pages catch every exception where it happens instead: event
handlers and the play loop through `guarded`, and a render through `ErrorBoundary` (reacton's
``use_exception``, the React error-boundary pattern). Bad input (`ScenarioError`) says what is
wrong; anything else says only which kind of failure it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import solara

from scenarios import ScenarioError

logger = logging.getLogger("dashboards")


def one_line(error: BaseException) -> str:
    """What the page shows for `error`: the bad input's line, or the kind of failure without its details."""
    if isinstance(error, ScenarioError):
        return f"error: {error}"
    return f"error: the dashboard failed ({type(error).__name__}); the details are in the server's log"


def report(error: BaseException) -> str:
    """Log `error` with its traceback (unless it is bad input) and return the line for the page."""
    if not isinstance(error, ScenarioError):
        logger.error("the dashboard failed", exc_info=error)
    return one_line(error)


def guarded(action: Callable[..., Any], show: Callable[[str], None]) -> Callable[..., None]:
    """`action`, with any exception shown as one line by `show` instead of escaping to Solara.

    The render that a state change inside `action` starts runs inside it too, so its failures
    (reacton's "Too many renders") are caught here as well.
    """

    def run(*args: Any) -> None:
        try:
            action(*args)
        except Exception as error:  # nothing may reach Solara's traceback display
            line = report(error)
            try:
                show(line)
            except Exception:  # showing it failed as well: the log has both
                logger.exception("could not show an error on the page")

    return run


@solara.component
def ErrorBoundary(children: list = []) -> None:  # noqa: B006 - Solara passes the page as `children`
    """Its children, or one error line (and a way to try again) when rendering them raised."""
    error, clear = solara.use_exception()
    line = solara.use_memo(lambda: report(error) if error is not None else "", [error])
    # The two branches are different widgets with their own keys, so that reacton never reuses the page's
    # children in the error's place (it would render the failing child again, in a loop).
    if error is not None:
        with solara.Div().key("page-error"):
            solara.Error(line, attributes={"data-testid": "page-error"})
            solara.Button("Try again", on_click=clear, text=True)
    else:
        solara.Column(children=children, gap="0px").key("page")
