"""The summary fields issue 2 requires of every run, shared by the model and CLI tests."""

REQUIRED = (
    "scenario",
    "seed",
    "steps",
    "outcome",
    "yielder",
    "max_rung",
    "max_rung_name",
    "nuclear_used",
    "first_nuclear_user",
    "catastrophe",
)
ALLIANCE_FIELDS = ("survived", "final_cohesion", "dissolved_at")
