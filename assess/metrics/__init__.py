"""History analysis: audit records (pure) and DORA / delivery metrics (pandas)."""
