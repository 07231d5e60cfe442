"""The dashboard's pages; ``brink dashboard`` serves this module with Solara."""

import solara
import solara.lab

from dashboards.errors import ErrorBoundary
from dashboards.live import LivePage
from dashboards.results import ResultsPage


@solara.component
def Layout(children: list = []) -> None:  # noqa: B006 - Solara passes the page as `children`
    """The app bar with one tab a page, named by the route's label; the page's failures show as one line."""
    current, pages = solara.use_route()
    router = solara.use_router()
    index = pages.index(current) if current in pages else 0

    def go(position: int) -> None:
        router.push("/" if pages[position].path == "/" else f"/{pages[position].path}")

    with solara.Column(gap="0px"):
        with solara.Row(style="background: #1565c0; color: white; padding: 0 16px; align-items: center"):
            solara.Text("Brinkmanship", style="font-size: 20px; margin-right: 32px")
            with solara.lab.Tabs(value=index, on_value=go, background_color="#1565c0", dark=True):
                for page in pages:
                    solara.lab.Tab(page.label)
        with solara.Column(style="padding: 12px"):
            ErrorBoundary(children=children).key(f"page-{index}")  # a new page starts without the error


# The root route's layout wraps every page.
routes = [
    solara.Route(path="/", component=LivePage, label="Live run", layout=Layout),
    solara.Route(path="results", component=ResultsPage, label="Results"),
]
