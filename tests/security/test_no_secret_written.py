"""Nothing secret in any file the tool writes: canaries planted in every place a credential hides in a GitOps
repository and a cluster appear in no report, evidence bundle, audit trail or snapshot, nor on the console; every
written file is private to the user."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import assert_valid_report, make_repo
from tests.fakes.k8s_server import FakeKubernetes

ROOT = Path(__file__).resolve().parents[2]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Each canary names where it was planted; none of them has a recognisable token form, so only the rules for that
# place can catch it.
FILES = {
    "k8s/secret-comment.yaml": "apiVersion: v1\nkind: Secret # the database credentials\nmetadata:\n  name: db\n"
                               "stringData:\n  tls.key: CANARY-secret-with-comment\n---\napiVersion: v1\n"
                               "kind: 'Secret '\nmetadata:\n  name: db2\ndata:\n  ca.key: "
                               + b64("CANARY-secret-kind-with-space") + "\n",
    "k8s/list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n"
                     "    name: in-list\n  data:\n    tls.key: " + b64("CANARY-secret-in-list") + "\n"
                     "- apiVersion: v1\n  metadata:\n    name: no-kind\n  stringData:\n"
                     "    tls.crt: CANARY-list-item-without-kind\n---\napiVersion: v1\nkind: SecretList\nitems:\n"
                     "- metadata:\n    name: typed\n  stringData:\n    id: CANARY-secretlist-item\n",
    "k8s/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  annotations:\n"
                    "    kubectl.kubernetes.io/last-applied-configuration: '{\"kind\":\"Secret\",\"stringData\":"
                    "{\"x\":\"CANARY-last-applied\"}}'\ndata:\n  mode: prod\n",
    ".github/workflows/ci.yml": "name: ci\non: push\nenv:\n  SOURCE_TOKEN: CANARY-workflow-env-token\njobs:\n"
                                "  build:\n    runs-on: ubuntu-latest\n    env:\n"
                                "      DEPLOY_PASSWORD: CANARY-job-env-password\n    steps:\n"
                                "    - uses: actions/checkout@v4\n    - run: make test\n      env:\n"
                                "        TYPESENSE_API_KEY: CANARY-step-env-key\n",
    "Dockerfile": "FROM python:3.12\nENV DB_PASSWORD=CANARY-dockerfile-env APP_MODE=prod\n"
                  "ENV API_TOKEN CANARY-dockerfile-env-legacy\nRUN make\n",
    "infra/prod.tfvars": 'region      = "eu-west-1"\ndb_password = "CANARY-tfvars-password"\n',
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    "charts/app/values.yaml": "postgresql:\n  auth:\n    postgresPassword: CANARY-helm-values-password\n",
    "argo/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app\n"
                     "  namespace: argocd\nspec:\n  project: default\n  source:\n"
                     "    repoURL: https://github.com/acme/charts\n    path: charts/app\n    targetRevision: main\n"
                     "    helm:\n      parameters:\n      - name: adminPassword\n"
                     "        value: CANARY-argocd-helm-parameter\n      values: |\n"
                     "        password: CANARY-argocd-inline-values\n  destination:\n"
                     "    server: https://kubernetes.default.svc\n    namespace: app\n",
}

CLUSTER = [
    {"apiVersion": "apps/v1", "kind": "Deployment",
     "metadata": {"name": "web", "namespace": "app", "annotations": {
         "kubectl.kubernetes.io/last-applied-configuration": '{"x":"CANARY-cluster-last-applied"}'}},
     "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25.3", "env": [
         {"name": "DB_PASSWORD", "value": "CANARY-cluster-env-password"}]}]}}}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"},
     "data": {"password": b64("CANARY-cluster-secret-data")}},
]

PLACES = ("k8s/secret-comment.yaml", "k8s/list.yaml", ".github/workflows/ci.yml", "Dockerfile", "infra/prod.tfvars",
          "charts/app/values.yaml", "argo/app.yaml")


def canaries() -> list[str]:
    text = "\n".join(FILES.values()) + json.dumps(CLUSTER)
    found = {w.strip("'\",}") for w in text.replace("\n", " ").replace('"', " ").split() if "CANARY-" in w}
    decoded = {base64.b64decode(w).decode() for w in text.split() if w.startswith("Q0FOQVJZ")}
    return sorted(found | decoded | {b64(c) for c in decoded})


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "GITHUB_TOKEN", "GH_TOKEN")}
    return subprocess.run([sys.executable, "-m", "assess", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**clean, **(env or {})})


def test_canaries_reach_no_written_file_and_no_console(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", dict(FILES))
    out = tmp_path / "out"
    with FakeKubernetes(CLUSTER) as k8s:
        kc = {"KUBECONFIG": str(k8s.kubeconfig(tmp_path / "kc"))}
        scan = run("scan", str(repo), "--cluster", "--no-github", "-v", "-f", "terminal,json,sarif,junit,md,html",
                   "-o", str(out), "--save-evidence", str(out / "evidence.json"), env=kc)
        snap = run("snapshot", "-o", str(out / "snapshot.yaml"), "-q", env=kc)
    trail = run("audit-trail", str(repo), "-o", str(out / "audit.csv"))
    trail_stdout = run("audit-trail", str(repo), "-f", "json")
    assert scan.returncode == 0, scan.stderr
    assert snap.returncode == 0 and trail.returncode == 0, snap.stderr + trail.stderr
    written = sorted(out.iterdir())
    assert {p.name for p in written} >= {"report.json", "report.sarif", "junit.xml", "summary.md", "report.html",
                                         "summary.txt", "evidence.json", "snapshot.yaml", "audit.csv"}
    consoles = scan.stdout + scan.stderr + snap.stdout + snap.stderr + trail.stderr + trail_stdout.stdout
    for canary in canaries():
        assert canary not in consoles
        for path in written:
            assert canary not in path.read_text(encoding="utf-8"), f"{canary} leaked into {path.name}"
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    bundle = json.loads((out / "evidence.json").read_text())
    assert bundle["redacted"] is True and "replaced by their class" in bundle["redaction"]
    # the checks still see every place, by the class of what was there
    report = assert_valid_report(out / "report.json")
    finding = next(f for f in report["findings"] if f["check_id"] == "no-plaintext-secrets")
    assert finding["outcome"] == "fail" and finding["severity"] == "critical"
    assert set(PLACES) <= {r.get("path") for r in finding["refs"]}


def test_a_saved_bundle_re_evaluates_to_the_same_findings(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", dict(FILES))
    first = run("scan", str(repo), "--no-github", "-q", "-f", "json", "-o", str(tmp_path / "a"),
                "--save-evidence", str(tmp_path / "ev.json"))
    again = run("scan", str(repo), "--no-github", "-q", "-f", "json", "--from-evidence", str(tmp_path / "ev.json"))
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    before = json.loads((tmp_path / "a" / "report.json").read_text())
    after = json.loads(again.stdout)
    pick = [(f["check_id"], f["outcome"], f["message"]) for f in before["findings"]]
    assert pick == [(f["check_id"], f["outcome"], f["message"]) for f in after["findings"]]


def test_a_stricter_umask_is_kept(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    old = os.umask(0o277)
    try:
        done = run("scan", str(repo), "--no-github", "-q", "-f", "json", "-o", str(tmp_path / "o"))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "o" / "report.json").stat().st_mode) == 0o400


@pytest.mark.parametrize("where", ["parent-is-a-file", "output-is-a-file", "evidence-parent-is-a-file"])
def test_an_unwritable_output_is_a_usage_error_before_any_work(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path / "repo", {"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    args = {"parent-is-a-file": ["-o", str(blocker / "reports")], "output-is-a-file": ["-o", str(blocker)],
            "evidence-parent-is-a-file": ["-o", str(tmp_path / "fine"), "--save-evidence",
                                          str(blocker / "ev.json")]}[where]
    done = run("scan", str(repo), "--no-github", "-q", "-f", "json,md", *args)
    assert done.returncode == 2, done.stderr
    assert str(blocker) in done.stderr
    if where != "output-is-a-file":  # that one click refuses itself, naming the option
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gitops-assess: error: cannot ")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not list((tmp_path / "fine").glob("*")) if (tmp_path / "fine").exists() else True
    assert blocker.read_text() == "a file, not a directory"


def test_an_unwritable_audit_trail_or_snapshot_file_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    (tmp_path / "blocker").write_text("x")
    trail = run("audit-trail", str(repo), "-o", str(tmp_path / "blocker" / "audit.csv"))
    assert trail.returncode == 2 and "cannot" in trail.stderr and "blocker" in trail.stderr, trail.stderr
    assert "internal error" not in trail.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_a_read_only_directory_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"k8s/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = run("scan", str(repo), "--no-github", "-q", "-f", "json", "-o", str(locked))
    assert done.returncode == 2 and "Permission denied" in done.stderr and str(locked) in done.stderr
    assert list(locked.iterdir()) == []
