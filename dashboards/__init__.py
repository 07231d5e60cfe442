"""The Solara dashboard: live runs and result pages."""
