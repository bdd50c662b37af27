"""The policy a scan is judged by: the policy file, waivers, where the policy came from, the maturity model."""
