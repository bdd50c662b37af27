"""Cluster collection: the official kubernetes client (get/list only) or offline snapshots."""
