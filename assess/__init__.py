"""gitops-assess: evidence-backed GitOps maturity assessment."""

__version__ = "0.1.0"
