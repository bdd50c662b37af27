"""Stage 2: CI does not push deployments into clusters."""

from __future__ import annotations

import re

from assess.checks._repo import ci_commands, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.checks.ci_pipeline_defined import CI_KINDS
from assess.derive.ci import CiCommand, local_text
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.evidence import RepoEvidence
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="no-push-deploy-from-ci",
    title="CI never pushes deployments to clusters",
    principle=Principle.PULLED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    rationale="A CI job that runs `kubectl apply` or `helm upgrade` pushes and forgets: cluster credentials live "
    "in CI, and what happens after the deploy is untracked. In GitOps the operator pulls.",
    remediation="Let CI build, test and publish images, then commit the new version to the config repository; "
    "let Argo CD or Flux apply it. Remove cluster credentials from CI.",
)

PUSH = re.compile(
    r"\b(?:kubectl|oc|k)\s+(?:[-\w=./]+\s+)*?(?:apply|create|replace|patch|delete|edit|scale|rollout\s+restart|"
    r"set\s+image)\b|\bhelm(?:file)?\s+(?:[-\w=./]+\s+)*?(?:upgrade|install|uninstall|rollback|apply|sync)\b|"
    r"\bargocd\s+app\s+(?:sync|set|create|rollback|patch)\b|\bkustomize\s+build\b.*\|\s*kubectl\b|"
    r"\bflux\s+(?:reconcile|create|resume|suspend|delete)\b"
)
# Signs that a job holds cluster credentials: with them, a push path into production exists beside any reconciler.
CREDENTIALS = re.compile(r"KUBE_?CONFIG|\baws\s+eks\s+update-kubeconfig\b|\bgcloud\s+container\s+clusters\s+"
                         r"get-credentials\b|\bdoctl\s+kubernetes\s+cluster\s+kubeconfig\b|\baz\s+aks\s+get-credentials\b",
                         re.IGNORECASE)
CREDENTIAL_ACTIONS = ("azure/k8s-set-context", "google-github-actions/get-gke-credentials", "azure/aks-set-context")
DRY_RUN = re.compile(r"--dry-run(?!=none)|\bhelm\s+(?:template|lint|diff)\b|\bkubectl\s+diff\b")
DEPLOY_ACTIONS = ("azure/k8s-deploy", "deliverybot/helm", "bitovi/github-actions-deploy-eks-helm",
                  "koslib/helm-eks-action", "actions-hub/kubectl", "steebchen/kubectl", "ianbelcher/eks-kubectl-action",
                  "wahyd4/kubectl-helm-action", "omegion/argocd-actions", "clowdhaus/argo-cd-action")


# Throwaway clusters created inside the job itself: commands against them are tests, not deployments.
EPHEMERAL_ACTIONS = ("helm/kind-action", "engineerd/setup-kind", "container-tools/kind-action", "absaoss/k3d-action",
                     "nolar/setup-k3d-k3s", "medyagh/setup-minikube", "manusa/actions-setup-minikube",
                     "debianmaster/actions-k3s", "jupyterhub/action-k3s-helm")
EPHEMERAL_RUN = re.compile(r"\bkind\s+create\s+cluster\b|\bk3d\s+cluster\s+create\b|\bminikube\s+start\b|"
                           r"\bctlptl\s+create\s+cluster\b|\bvcluster\s+create\b")
# kind names its kubeconfig contexts `kind-<cluster>`, k3d `k3d-<cluster>`: a command aimed at one is a test.
EPHEMERAL_CONTEXT = re.compile(r"--(?:kube-)?context[= ](?:kind|k3d)-|\buse-context\s+(?:kind|k3d)-|"
                               r"--(?:kube-)?context[= ]minikube\b")


def _creates_test_cluster(ev: RepoEvidence, cmd: CiCommand) -> bool:
    """A step that creates a throwaway cluster, itself or through the repository's make targets and scripts."""
    if (cmd.uses or "").split("@", 1)[0].lower().startswith(EPHEMERAL_ACTIONS):
        return True
    if EPHEMERAL_RUN.search(cmd.text) or EPHEMERAL_CONTEXT.search(cmd.text):
        return True
    return bool(cmd.text) and bool(EPHEMERAL_RUN.search(local_text(ev, cmd.text)))


def run(ctx: CheckContext) -> CheckResult:
    """Fail on CI steps that apply, upgrade or sync into a cluster (test clusters the job creates excepted)."""
    ev = repo(ctx)
    if not files_of(ev, *CI_KINDS):
        return result(Outcome.NOT_APPLICABLE, "No CI definitions, so no push deploys from CI.")
    commands = list(ci_commands(ev))
    credentials = [c for c in commands if CREDENTIALS.search(c.text) or (c.uses or "").split("@", 1)[0].lower()
                   .startswith(CREDENTIAL_ACTIONS)]
    ephemeral = {(c.path, c.job) for c in commands if c.job is not None and _creates_test_cluster(ev, c)}
    pushes: list[tuple[Ref, str]] = []
    tests = 0
    for cmd in commands:
        if (cmd.path, cmd.job) in ephemeral:
            tests += 1
            continue
        if cmd.uses is not None:
            action = cmd.uses.split("@", 1)[0].lower()
            if action.startswith(DEPLOY_ACTIONS):
                pushes.append((Ref.file(cmd.path, cmd.line), f"uses {action}"))
        elif PUSH.search(cmd.text) and not DRY_RUN.search(cmd.text):
            pushes.append((Ref.file(cmd.path, cmd.line), cmd.text[:80]))
    note = (f" ({plural(len(ephemeral), 'job')} creating a throwaway test cluster (kind, k3d, minikube) not counted; "
            f"{plural(tests, 'step')} in them)" if ephemeral else "")
    if pushes:
        sample = "; ".join(f"{ref}: `{text}`" for ref, text in pushes[:3])
        held = [c for c in credentials if (c.path, c.job) not in ephemeral]
        creds = (f"; CI holds cluster credentials ({held[0].path}:{held[0].line}), a push path into production "
                 "beside any reconciler" if held else "")
        return result(Outcome.FAIL, f"{plural(len(pushes), 'push deploy')} in CI: {sample}{creds}{note}.",
                      [ref for ref, _ in pushes] + [Ref.file(c.path, c.line) for c in held])
    return result(Outcome.PASS, f"No CI step applies manifests or upgrades releases in a cluster{note}.")


CHECK = Check(SPEC, run)
