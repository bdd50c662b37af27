"""The organisation scanners behind one interface (org_scanner.ForgeOrgScanner), one entry per forge.

Adding a forge's organisation scan: its module (a `ForgeOrgScanner`) and one entry in `ORG_SCANNERS`."""

from __future__ import annotations

from types import MappingProxyType

from assess.model.forge import Forge
from assess.scans.github_org import GitHubOrgScanner
from assess.scans.gitlab_group import GitLabGroupScanner
from assess.scans.org_scanner import ForgeOrgScanner

ORG_SCANNERS: MappingProxyType[Forge, ForgeOrgScanner] = MappingProxyType({
    Forge.GITHUB: GitHubOrgScanner(),
    Forge.GITLAB: GitLabGroupScanner(),
})
