"""Theory fidelity: published results the solvers derive, checks of the simulator, and the essays' claims.

`theory.equilibrium_checks` holds the published results the equilibrium solver derives from payoffs,
`theory.checks` the checks run through the agent model (some derived, some of bookkeeping only),
`theory.equilibrium_claims` the essays' claims on the crisis alone played in equilibrium,
`theory.claims` the claim that needs the world model, and `theory.report` the table, report and
plots that ``brink theory`` writes.
"""
