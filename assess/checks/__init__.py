"""Checks: one small module each, declaring a CHECK next to its function. Pure functions of evidence."""
