"""Scans of many repositories: a GitHub organisation, a GitLab group."""
