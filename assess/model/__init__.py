"""Stdlib-only types shared by collectors, checks, scoring and reporters."""
