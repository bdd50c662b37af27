"""The resource types the assessment reads, and how to keep what it stores free of secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assess.collectors.redaction import LAST_APPLIED, is_secret_kind, redact_credentials

METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


@dataclass(frozen=True)
class Wanted:
    """One resource type to list: API group ('' for core), plural, kind, and whether only metadata is read."""

    group: str
    plural: str
    kind: str
    metadata_only: bool = False
    label_selector: str | None = None

    @property
    def key(self) -> str:
        """`group/plural` (core: `core/plural`)."""
        return f"{self.group or 'core'}/{self.plural}"


WANTED: tuple[Wanted, ...] = (
    Wanted("argoproj.io", "applications", "Application"),
    Wanted("argoproj.io", "applicationsets", "ApplicationSet"),
    Wanted("argoproj.io", "appprojects", "AppProject"),
    Wanted("argocd-image-updater.argoproj.io", "imageupdaters", "ImageUpdater"),
    Wanted("source.toolkit.fluxcd.io", "gitrepositories", "GitRepository"),
    Wanted("source.toolkit.fluxcd.io", "ocirepositories", "OCIRepository"),
    Wanted("source.toolkit.fluxcd.io", "helmrepositories", "HelmRepository"),
    Wanted("kustomize.toolkit.fluxcd.io", "kustomizations", "Kustomization"),
    Wanted("helm.toolkit.fluxcd.io", "helmreleases", "HelmRelease"),
    Wanted("image.toolkit.fluxcd.io", "imagerepositories", "ImageRepository"),
    Wanted("image.toolkit.fluxcd.io", "imagepolicies", "ImagePolicy"),
    Wanted("image.toolkit.fluxcd.io", "imageupdateautomations", "ImageUpdateAutomation"),
    Wanted("templates.gatekeeper.sh", "constrainttemplates", "ConstraintTemplate"),
    Wanted("kyverno.io", "clusterpolicies", "ClusterPolicy"),
    Wanted("kyverno.io", "policies", "Policy"),
    Wanted("wgpolicyk8s.io", "policyreports", "PolicyReport"),
    Wanted("wgpolicyk8s.io", "clusterpolicyreports", "ClusterPolicyReport"),
    Wanted("cluster.x-k8s.io", "clusters", "Cluster"),
    Wanted("apiextensions.crossplane.io", "compositions", "Composition"),
    Wanted("apiextensions.crossplane.io", "compositeresourcedefinitions", "CompositeResourceDefinition"),
    Wanted("apps", "deployments", "Deployment"),
    Wanted("apps", "statefulsets", "StatefulSet"),
    Wanted("apps", "daemonsets", "DaemonSet"),
    Wanted("batch", "cronjobs", "CronJob"),
    Wanted("", "secrets", "Secret", metadata_only=True, label_selector="argocd.argoproj.io/secret-type=cluster"),
)
CONSTRAINTS_GROUP = "constraints.gatekeeper.sh"
CORE_GROUPS = frozenset({"", "apps", "batch"})


def sanitize(obj: dict[str, Any]) -> dict[str, Any]:
    """What may be stored of an object: never Secret data, never last-applied configuration (it can hold a Secret),
    and credential-looking values (env entries, Helm values and parameters) replaced by their class, as in Git.

    Copies only the levels it changes (the top level and metadata): objects come freshly decoded, so a deep copy
    would only cost time."""
    clean = dict(obj)
    raw_metadata = clean.get("metadata")
    metadata: dict[str, Any] = dict(raw_metadata) if isinstance(raw_metadata, dict) else {}
    clean["metadata"] = metadata
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        metadata["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
    if is_secret_kind(clean.get("kind")) or clean.get("kind") == "PartialObjectMetadata":
        for key in ("data", "stringData"):
            clean.pop(key, None)
        metadata.pop("managedFields", None)
        clean["kind"] = "Secret"
        clean["apiVersion"] = "v1"
        return clean
    redacted: dict[str, Any] = redact_credentials(clean)
    return redacted
