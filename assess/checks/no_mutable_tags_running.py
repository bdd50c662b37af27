"""FM3 (observed): running containers use immutable image references."""

from __future__ import annotations

from assess.checks._cluster import clusters, containers, ident, obj_ref, observed, unreadable, workloads
from assess.checks.catalog import Check
from assess.derive.images import MUTABLE_TAGS, image_tag
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="no-mutable-tags-running",
    title="No running container uses a mutable image tag",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM3,),
    sources=("cluster",),
    rationale="A pod running `latest` (or no tag) can change on any restart without a commit: Git no longer says "
    "what runs.",
    remediation="Pin the listed images by version tag or digest in Git; add a Kyverno/Gatekeeper policy that "
    "denies `latest`.",
)

MUTABLE = MUTABLE_TAGS | {None}


def run(ctx: CheckContext) -> CheckResult:
    """Fail on workloads whose containers run untagged or `latest`-style images."""
    gap = unreadable(ctx, "apps/deployments")
    if gap:
        return gap
    bad, refs, total = [], [], 0
    for cluster in clusters(ctx):
        for obj in workloads(cluster):
            for container in containers(obj):
                image = str(container.get("image", ""))
                total += 1
                tag, digest = image_tag(image)
                if not digest and tag in MUTABLE:
                    bad.append(f"{cluster.name}:{ident(obj)} runs {image}")
                    refs.append(obj_ref(cluster, obj))
    if total == 0:
        return observed(Outcome.NOT_APPLICABLE, "No application container running.")
    if bad:
        return observed(Outcome.FAIL, f"{len(bad)} of {total} containers run a mutable tag: {'; '.join(bad[:5])}.",
                        refs)
    return observed(Outcome.PASS, f"All {total} running containers use pinned images.")


CHECK = Check(SPEC, run)
