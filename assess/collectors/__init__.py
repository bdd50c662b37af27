"""Collectors: the only code that touches Git, GitHub, Kubernetes, the disk or the clock."""
