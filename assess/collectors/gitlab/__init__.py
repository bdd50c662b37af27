"""GitLab as a forge: protected branches, approvals, merge requests, pipelines, deployments and members."""
