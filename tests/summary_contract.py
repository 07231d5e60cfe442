"""The summary fields issues 2 and 11 require of every run, shared by the model and CLI tests."""

REQUIRED = (
    "scenario",
    "seed",
    "steps",
    "outcome",
    "yielder",
    "yield_cause",
    "yield_rung",
    "max_rung",
    "max_rung_name",
    "nuclear_used",
    "first_deliberate_nuclear_user",
    "catastrophe",
    "catastrophe_cause",
    "slip_holder",
)
ALLIANCE_FIELDS = ("survived", "final_cohesion", "dissolved_at")
