"""Theory fidelity: closed-form checks against published results, and the essays' claims measured.

`theory.checks` holds the published results, `theory.claims` the essays' claims as batch
experiments, `theory.report` the table, report and plots that ``brink theory`` writes.
"""
