"""Reporters: pure functions from the report to one output format."""
