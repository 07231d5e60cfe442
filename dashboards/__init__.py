"""The Solara dashboard: live runs and result pages."""

SCENARIO_VARIABLE = "BRINK_DASHBOARD_SCENARIO"
"""Environment variable naming the scenario a new tab starts with (set by ``brink dashboard``)."""
