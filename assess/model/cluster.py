"""Cluster evidence: live objects (or an offline snapshot) as plain dicts, with what could and could not be read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assess.model.provenance import Provenance


class AccessStatus(StrEnum):
    """Outcome of reading one resource type."""

    OK = "ok"
    FORBIDDEN = "forbidden"
    NOT_INSTALLED = "not-installed"
    NOT_IN_SNAPSHOT = "not-in-snapshot"
    ERROR = "error"
    PARTIAL = "partial"  # read until a cap was reached (pages, objects, bytes, a repeated continue token)


@dataclass(frozen=True)
class ResourceAccess:
    """How reading one resource type went: `group/plural`, the outcome and, when refused, the RBAC that fixes it."""

    resource: str
    status: AccessStatus
    count: int = 0
    message: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class ClusterEvidence:
    """One cluster's objects (Secrets: metadata only) and the access record of every resource type needed."""

    provenance: Provenance
    name: str
    server_version: str | None
    objects: tuple[dict[str, Any], ...]
    access: tuple[ResourceAccess, ...]
    managed_fields_present: bool
    from_snapshot: bool = False

    def of(self, group: str, kind: str) -> list[dict[str, Any]]:
        """Objects of one kind (group '' for the core group), whatever their API version."""
        out = []
        for obj in self.objects:
            api_version = str(obj.get("apiVersion", ""))
            obj_group = api_version.split("/", 1)[0] if "/" in api_version else ""
            if obj.get("kind") == kind and obj_group == group:
                out.append(obj)
        return out

    def access_of(self, resource: str) -> ResourceAccess | None:
        """The access record of `group/plural`."""
        return next((a for a in self.access if a.resource == resource), None)
