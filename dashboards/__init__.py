"""The Solara dashboard: live runs and result pages.

``brink dashboard`` hands the server its settings in these environment variables (this module
imports nothing heavy, so the command line can read the names without loading Solara).
"""

SCENARIO_VARIABLE = "BRINK_DASHBOARD_SCENARIO"
"""Environment variable naming the scenario a new tab starts with (set by ``brink dashboard``)."""

DATA_VARIABLE = "BRINK_DASHBOARD_DATA"
"""Environment variable with the folders the pages may open files from (a JSON list of absolute paths)."""

HOSTS_VARIABLE = "BRINK_DASHBOARD_HOSTS"
"""Environment variable with the host names the server answers to (a JSON list)."""

TOKEN_VARIABLE = "BRINK_DASHBOARD_TOKEN"
"""Environment variable with the token every request must carry (unset or empty: none needed)."""
