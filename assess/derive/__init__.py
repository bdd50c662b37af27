"""Pure derivations from evidence: periods, deployed paths and environments, repository kind, activity."""
