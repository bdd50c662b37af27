"""GitHub collection through PyGithub's requester: conditional requests, bounded retries, typed failures."""
