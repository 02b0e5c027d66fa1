"""Replications of a scenario and the run directory they are written to."""
