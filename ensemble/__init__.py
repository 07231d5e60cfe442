"""The ensemble engine: many replications of a scenario stepped at once as numpy arrays."""
