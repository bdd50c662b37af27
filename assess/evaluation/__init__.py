"""Pure evaluation: evidence, the policy and the maturity model become a report (checks run, stage scored)."""
