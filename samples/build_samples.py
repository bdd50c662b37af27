"""Build the sample estates' Git histories and store them as `git fast-export` text.

Run from the repository root: `python samples/build_samples.py`. Each sample is a sequence of commits made by
several people (pull-request merges, squash merges, a direct push, a revert, bot updates), so its history looks like
a real team's. The output (`samples/<name>/history.fi`) is committed; this script only regenerates it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
GITHUB = ("GitHub", "noreply@github.com")
RENOVATE = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
BOTS = {"renovate": RENOVATE, "fluxcdbot": ("fluxcdbot", "fluxcdbot@users.noreply.github.com")}
PEOPLE = {
    "alice": ("Alice Martin", "alice@acme.example"),
    "bob": ("Bob Okafor", "bob@acme.example"),
    "carol": ("Carol Nguyen", "carol@acme.example"),
    "dave": ("Dave Kowalski", "dave@acme.example"),
    "erin": ("Erin Silva", "erin@acme.example"),
    "frank": ("Frank Weber", "frank@acme.example"),
    "grace": ("Grace Ito", "grace@acme.example"),
}
Files = dict[str, str | None]


@dataclass
class Builder:
    """Makes commits in a scratch repository with controlled identities and dates."""

    repo: Path
    clock: datetime
    pr_number: int = 100
    routine_counter: int = 0
    log: list[str] = field(default_factory=list)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run git in the scratch repository."""
        full_env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        out = subprocess.run(["git", "-C", str(self.repo), *args], check=True, capture_output=True, env=full_env)
        return out.stdout.decode()

    def tick(self, hours: float) -> datetime:
        """Advance the clock."""
        self.clock += timedelta(hours=hours)
        return self.clock

    def _env(self, author: tuple[str, str], committer: tuple[str, str], when: datetime,
             authored: datetime | None = None) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_AUTHOR_DATE": (authored or when).isoformat(), "GIT_COMMITTER_DATE": when.isoformat(),
        }

    def _apply(self, files: Files) -> None:
        for path, content in files.items():
            target = self.repo / path
            if content is None:
                self.git("rm", "-q", "-r", path)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            self.git("add", path)

    def commit(self, who: str, message: str, files: Files, hours: float = 20,
               committer: tuple[str, str] | None = None) -> str:
        """A commit straight on the current branch (on main: a direct push)."""
        when = self.tick(hours)
        self._apply(files)
        author = PEOPLE[who] if who in PEOPLE else BOTS[who]
        self.git("commit", "-q", "-m", message, env=self._env(author, committer or author, when))
        return self.git("rev-parse", "HEAD").strip()

    def pr(self, who: str, branch: str, title: str, commits: list[tuple[str, Files]], hours: float = 26,
           squash: bool = False, bot: bool = False) -> str:
        """A pull request: commits on a branch, merged on GitHub (merge commit or squash)."""
        self.pr_number += 1
        number = self.pr_number
        start = self.clock
        self.git("checkout", "-q", "-b", branch)
        author = (BOTS.get(who, RENOVATE) if bot else PEOPLE[who])
        for i, (message, files) in enumerate(commits):
            when = start + timedelta(hours=hours * (i + 1) / (len(commits) + 1))
            self._apply(files)
            self.git("commit", "-q", "-m", message, env=self._env(author, author, when))
        self.git("checkout", "-q", "main")
        self.clock = start + timedelta(hours=hours)
        if squash:
            self.git("merge", "-q", "--squash", branch)
            body = "\n".join(f"* {m}" for m, _ in commits)
            self.git("commit", "-q", "-m", f"{title} (#{number})\n\n{body}",
                     env=self._env(author, GITHUB, self.clock))
        else:
            owner = "acme"
            self.git("merge", "-q", "--no-ff", branch, "-m",
                     f"Merge pull request #{number} from {owner}/{branch}\n\n{title}",
                     env=self._env(author, GITHUB, self.clock))
        self.git("branch", "-q", "-D", branch)
        return self.git("rev-parse", "HEAD").strip()

    def revert_pr(self, who: str, merged: str, title: str, branch: str, hours: float = 4) -> str:
        """GitHub's "Revert" button: a `revert-<N>-<branch>` PR whose commit has no "This reverts commit" line."""
        original = int(self.git("show", "-s", "--format=%s", merged).split("#")[1].split()[0].rstrip(")"))
        self.pr_number += 1
        number = self.pr_number
        revert_branch = f"revert-{original}-{branch}"
        self.git("checkout", "-q", "-b", revert_branch)
        is_merge = len(self.git("show", "-s", "--format=%P", merged).split()) > 1
        self.git("revert", "--no-commit", *(["-m", "1"] if is_merge else []), merged)
        when = self.clock + timedelta(hours=hours / 2)
        self.git("commit", "-q", "-m", f'Revert "{title}"\n\nReverts acme/deploy#{original}',
                 env=self._env(PEOPLE[who], GITHUB, when))
        self.git("checkout", "-q", "main")
        self.clock += timedelta(hours=hours)
        self.git("merge", "-q", "--no-ff", revert_branch, "-m",
                 f"Merge pull request #{number} from acme/{revert_branch}\n\nRevert \"{title}\"",
                 env=self._env(PEOPLE[who], GITHUB, self.clock))
        self.git("branch", "-q", "-D", revert_branch)
        return self.git("rev-parse", "HEAD").strip()

    def revert(self, who: str, sha: str, hours: float = 3) -> str:
        """`git revert` of an earlier commit, pushed directly."""
        when = self.tick(hours)
        author = PEOPLE[who]
        args = ["revert", "--no-edit"] + (["-m", "1"] if len(self.git("show", "-s", "--format=%P", sha).split()) > 1
                                          else []) + [sha]
        self.git(*args, env=self._env(author, author, when))
        return self.git("rev-parse", "HEAD").strip()


ROUTINE_PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "grace")


def routine(b: Builder, name: str, path: str, image: str, count: int, every_hours: float = 70) -> None:
    """Everyday delivery: image bumps by Renovate and resource tuning by people, each through a pull request.

    Every change is new (a fresh tag, a fresh memory figure), so none of them reads as a rollback."""
    for _ in range(count):
        b.routine_counter += 1
        i = b.routine_counter
        tag = f"{image}:2.{i // 10}.{i % 10}"
        if i % 3 == 0:
            b.pr("renovate", f"renovate/{name}-{i}", f"Update {image} to 2.{i // 10}.{i % 10}",
                 [("Update image", {path: deployment(name, tag)})], hours=every_hours, squash=True, bot=True)
        else:
            who = ROUTINE_PEOPLE[i % len(ROUTINE_PEOPLE)]
            text = deployment(name, tag).replace("memory: 128Mi", f"memory: {128 + 8 * i}Mi")
            b.pr(who, f"tune-{name}-{i}", f"Tune {name} memory requests (OPS-{300 + i})",
                 [("Tune memory", {path: text})], hours=every_hours, squash=i % 2 == 0)


def new_builder(start: str) -> Builder:
    """A scratch repository on branch main."""
    repo = Path(tempfile.mkdtemp(prefix="sample-"))
    b = Builder(repo, datetime.fromisoformat(start).replace(tzinfo=timezone.utc))
    b.git("init", "-q", "--initial-branch=main")
    return b


def export(b: Builder, name: str, meta: str) -> None:
    """Write the fast-export stream and the sample's metadata."""
    out = HERE / name
    out.mkdir(exist_ok=True)
    stream = subprocess.run(["git", "-C", str(b.repo), "fast-export", "--all", "--signed-tags=strip",
                             "--reencode=yes", "--show-original-ids"], check=True, capture_output=True).stdout
    # Original ids are only needed by tools that rewrite history; drop them to keep the stream small.
    lines = [ln for ln in stream.split(b"\n") if not ln.startswith(b"original-oid ")]
    (out / "history.fi").write_bytes(b"\n".join(lines))
    # Samples are assessed "as of" shortly after their last commit, so their delivery metrics stay meaningful.
    as_of = (b.clock + timedelta(days=2)).replace(hour=12, minute=0, second=0).isoformat()
    (out / "sample.yaml").write_text(meta.strip() + f"\nas_of: '{as_of}'\n")


# --- reusable manifest texts -----------------------------------------------------------------------------------


def deployment(name: str, image: str, replicas: int = 2, port: int = 8080) -> str:
    """A plain Deployment."""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
        - name: {name}
          image: {image}
          ports:
            - containerPort: {port}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
"""


def service(name: str, port: int = 8080) -> str:
    """A ClusterIP Service."""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - port: 80
      targetPort: {port}
"""


def kustomization(*resources: str, images: tuple[str, str, str] | None = None, patches: tuple[str, ...] = ()) -> str:
    """A kustomize.config.k8s.io Kustomization."""
    text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
    text += "".join(f"  - {r}\n" for r in resources)
    if patches:
        text += "patches:\n" + "".join(f"  - path: {p}\n" for p in patches)
    if images:
        text += f"images:\n  - name: {images[0]}\n    newName: {images[1]}\n    newTag: {images[2]}\n"
    return text


def replicas_patch(name: str, n: int) -> str:
    """A strategic-merge patch setting replicas."""
    return f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {n}\n"


PINNED = {
    "checkout": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
    "setup-python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0",
    "docker-login": "docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0",
    "docker-build": "docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0",
    "setup-kustomize": "imranismail/setup-kustomize@2ba527d4d055ab63514ba50a99456fc35684947f # v2.1.0",
}

BUILD_WORKFLOW = f"""name: build
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
  packages: write
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: {PINNED["checkout"]}
      - uses: {PINNED["docker-login"]}
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ secrets.GITHUB_TOKEN }}}}
      - uses: {PINNED["docker-build"]}
        with:
          push: ${{{{ github.event_name == 'push' }}}}
          tags: ghcr.io/acme/web:${{{{ github.sha }}}}
"""


def validate_workflow(extra_steps: str = "") -> str:
    """A pinned, least-privilege workflow validating manifests on pull requests."""
    return f"""name: validate
on:
  pull_request:
    paths: ["apps/**", "clusters/**", "platform/**", "policies/**", "infrastructure/**", "fleet/**"]
permissions:
  contents: read
jobs:
  manifests:
    runs-on: ubuntu-24.04
    steps:
      - uses: {PINNED["checkout"]}
      - uses: {PINNED["setup-kustomize"]}
      - name: Render overlays
        run: |
          for overlay in $(find . -path '*/overlays/*/kustomization.yaml' -exec dirname {{}} \\;); do
            kustomize build "$overlay" > /dev/null
          done
{extra_steps}"""


# --- stage 0 -----------------------------------------------------------------------------------------------------


def stage0() -> None:
    """A small team deploying a VM app with scripts: nothing declarative, no containers."""
    b = new_builder("2026-01-05T09:00:00")
    b.commit("alice", "Initial import of the billing service", {
        "README.md": "# billing\n\nInvoices for the shop. Deployed to the VMs with `deploy/deploy.sh`.\n",
        "app/billing.py": "def total(items):\n    return sum(i['price'] * i['qty'] for i in items)\n",
        "requirements.txt": "flask==3.1.0\n",
    })
    b.commit("bob", "Add deploy script for the app servers", {
        "deploy/deploy.sh": "#!/bin/sh\nset -eu\nfor host in app1 app2; do\n"
        "  rsync -az app/ deploy@$host:/srv/billing/\n  ssh deploy@$host sudo systemctl restart billing\ndone\n",
        "deploy/hosts.txt": "app1.internal\napp2.internal\n",
    })
    b.pr("alice", "tax-rounding", "Round taxes per line", [
        ("Round taxes per line item", {"app/billing.py": "def total(items):\n    return sum(round(i['price'] * "
                                       "i['qty'], 2) for i in items)\n"}),
    ])
    b.commit("bob", "Hotfix: restart only when rsync succeeded", {
        "deploy/deploy.sh": "#!/bin/sh\nset -eu\nfor host in app1 app2; do\n"
        "  rsync -az app/ deploy@$host:/srv/billing/ && ssh deploy@$host sudo systemctl restart billing\ndone\n",
    }, hours=60)
    bad = b.commit("alice", "Add discount codes", {
        "app/discounts.py": "CODES = {'WELCOME': 0.1}\n",
    }, hours=140)
    b.revert("bob", bad, hours=5)
    b.commit("alice", "Jenkins job running unit tests and the deploy script", {
        "Jenkinsfile": "pipeline {\n  agent any\n  stages {\n    stage('test') { steps { sh 'python -m pytest' } }\n"
        "    stage('deploy') { when { branch 'main' } steps { sh './deploy/deploy.sh' } }\n  }\n}\n",
    }, hours=150)
    b.commit("bob", "Document the release checklist", {
        "docs/RELEASE.md": "1. Run the Jenkins job.\n2. Check the app servers.\n",
    }, hours=170)
    export(b, "stage0-scripts", """
stage: 0
title: Shell-script deploys to VMs
description: |
  Two engineers ship a Flask service to two VMs with rsync and ssh from a Jenkins job. Nothing declarative,
  no containers: GitOps is premature here.
""")


# --- stage 1 -----------------------------------------------------------------------------------------------------

STAGE1_PUSH_WORKFLOW = """name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: azure/setup-helm@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deployer
          aws-region: eu-west-1
      - name: Build and push image
        run: |
          docker build -t 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:${{ github.sha }} .
          docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:${{ github.sha }}
      - name: Deploy to production
        run: |
          aws eks update-kubeconfig --name shop-prod
          kubectl apply -f k8s/
          helm upgrade --install shop charts/shop -f charts/shop/values-prod.yaml --set image.tag=${{ github.sha }}
"""

SHOP_CHART = {
    "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.3.0\nappVersion: '1.4.0'\n"
    "dependencies:\n  - name: redis\n    version: '>=18.0.0'\n    repository: https://charts.bitnami.com/bitnami\n",
    "charts/shop/values.yaml": "replicaCount: 2\nimage:\n  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop\n"
    "  tag: latest\nservice:\n  port: 80\n",
    "charts/shop/values-staging.yaml": "replicaCount: 1\n",
    "charts/shop/values-prod.yaml": "replicaCount: 4\n",
    "charts/shop/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
    "  name: {{ include \"shop.fullname\" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n"
    "    spec:\n      containers:\n        - name: shop\n"
    "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n",
    "charts/shop/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n"
    "  name: {{ include \"shop.fullname\" . }}\nspec:\n  ports:\n    - port: {{ .Values.service.port }}\n",
}


def stage1() -> None:
    """IaC in Git, reviewed in PRs, pushed to the cluster by CI."""
    b = new_builder("2026-02-02T08:30:00")
    b.commit("alice", "Import shop service", {
        "README.md": "# shop\n\nThe shop front end. CI deploys to EKS on every merge.\n",
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n",
        "main.py": "print('shop')\n",
    })
    b.pr("bob", "k8s-manifests", "Kubernetes manifests for the shop", [
        ("Add Deployment and Service", {"k8s/deployment.yaml": deployment("shop-worker", "nginx:latest"),
                                        "k8s/service.yaml": service("shop-worker")}),
        ("Add database credentials", {"k8s/db-secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n"
                                      "  name: shop-db\ntype: Opaque\ndata:\n  password: "
                                      "Y2FuYXJ5LXN0YWdlMS1kYi1wYXNzd29yZA==\n"}),
    ])
    b.pr("carol", "helm-chart", "Helm chart for the shop", [("Add shop chart", dict(SHOP_CHART))])
    b.pr("dave", "terraform-eks", "EKS cluster in Terraform", [
        ("Declare the production EKS cluster", {
            "infra/main.tf": 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", '
            'version = "~> 5.0" }\n  }\n}\n\nresource "aws_eks_cluster" "prod" {\n  name     = "shop-prod"\n'
            '  role_arn = aws_iam_role.cluster.arn\n  vpc_config {\n    subnet_ids = var.subnets\n  }\n}\n',
            "infra/variables.tf": 'variable "subnets" {\n  type = list(string)\n}\n'}),
    ], squash=True)
    b.pr("alice", "ci-deploy", "Deploy from GitHub Actions", [
        ("Add deploy workflow", {".github/workflows/deploy.yml": STAGE1_PUSH_WORKFLOW}),
    ])
    b.commit("erin", "Bump replicas for the sale", {"charts/shop/values-prod.yaml": "replicaCount: 8\n"}, hours=30)
    bad = b.pr("frank", "worker-v2", "Worker v2", [
        ("Worker v2 image", {"k8s/deployment.yaml": deployment("shop-worker", "nginx:1.27", replicas=3)}),
    ], squash=True)
    b.revert("bob", bad, hours=2)
    b.pr("erin", "staging-values", "Staging values", [
        ("Tune staging", {"charts/shop/values-staging.yaml": "replicaCount: 1\nresources:\n  limits:\n"
                          "    memory: 256Mi\n"}),
    ])
    b.pr("carol", "readme-runbook", "Runbook", [
        ("Add runbook", {"docs/runbook.md": "# Runbook\n\nRollback: re-run the deploy job on the previous "
                         "commit.\n"}),
    ], squash=True)
    export(b, "stage1-pushed", """
stage: 1
title: Versioned IaC pushed from CI
description: |
  Manifests, a Helm chart and Terraform in Git, reviewed in pull requests, but deployed by a GitHub Actions job
  running kubectl apply and helm upgrade. No reconciler, so drift goes unnoticed.
""")


# --- stage 2 -----------------------------------------------------------------------------------------------------


def argo_app(name: str, env: str, path: str, image_updater: bool = True) -> str:
    """An Argo CD Application with automated sync, self-heal and prune."""
    annotations = ("  annotations:\n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/acme/web\n"
                   "    argocd-image-updater.argoproj.io/write-back-method: git\n") if image_updater else ""
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}-{env}
  namespace: argocd
{annotations}spec:
  project: web
  source:
    repoURL: https://github.com/acme/web-deploy.git
    targetRevision: main
    path: {path}
  destination:
    server: https://kubernetes.default.svc
    namespace: web-{env}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
"""


APPPROJECT = """apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: web
  namespace: argocd
spec:
  sourceRepos:
    - https://github.com/acme/web-deploy.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: web-*
"""

WEB_IMAGE = "ghcr.io/acme/web:1.8.2@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"


def stage2() -> None:
    """Argo CD with auto-sync, self-heal and prune; PRs the only path; no policy engine yet."""
    b = new_builder("2025-10-06T10:00:00")
    b.commit("alice", "Web app manifests", {
        "README.md": "# web-deploy\n\nDeclared state of the web app. Argo CD syncs `apps/web/overlays/*`.\n",
        "apps/web/base/deployment.yaml": deployment("web", "ghcr.io/acme/web:1.8.0"),
        "apps/web/base/service.yaml": service("web"),
        "apps/web/base/kustomization.yaml": kustomization("deployment.yaml", "service.yaml"),
        ".github/workflows/deploy.yml": "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: kubectl apply -k apps/web/base\n",
    })
    b.pr("bob", "overlays", "Staging and production overlays", [
        ("Add overlays", {
            "apps/web/overlays/staging/kustomization.yaml": kustomization("../../base"),
            "apps/web/overlays/prod/kustomization.yaml": kustomization("../../base", patches=("replicas.yaml",)),
            "apps/web/overlays/prod/replicas.yaml": replicas_patch("web", 4),
        }),
    ])
    routine(b, "web", "apps/web/base/deployment.yaml", "ghcr.io/acme/web", 12)
    b.pr("carol", "argocd", "Adopt Argo CD", [
        ("Argo CD project and applications", {
            "argocd/projects/web.yaml": APPPROJECT,
            "argocd/apps/web-staging.yaml": argo_app("web", "staging", "apps/web/overlays/staging"),
            "argocd/apps/web-prod.yaml": argo_app("web", "prod", "apps/web/overlays/prod"),
        }),
        ("Stop deploying from CI", {".github/workflows/deploy.yml": None,
                                    ".github/workflows/build.yml": BUILD_WORKFLOW}),
    ])
    b.pr("alice", "codeowners", "Code owners", [
        ("Add CODEOWNERS", {".github/CODEOWNERS": "# Platform owns the sync configuration\n"
                            "*                @acme/web-team\n/argocd/          @acme/platform\n"
                            "/apps/web/overlays/prod/ @acme/web-team @acme/sre\n"}),
    ], squash=True)
    routine(b, "web", "apps/web/base/deployment.yaml", "ghcr.io/acme/web", 20)
    b.pr("dave", "sealed-secrets", "Sealed secrets for the API key", [
        ("Add SealedSecret", {"apps/web/base/api-key.sealed.yaml": "apiVersion: bitnami.com/v1alpha1\n"
                              "kind: SealedSecret\nmetadata:\n  name: web-api-key\nspec:\n  encryptedData:\n"
                              "    key: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n"}),
    ])
    b.pr("erin", "hotfix/inc-231-scale", "Hotfix: scale prod to 6 during incident INC-231", [
        ("Scale prod to 6", {"apps/web/overlays/prod/replicas.yaml": replicas_patch("web", 6)}),
    ], hours=1)
    b.commit("erin", "Fix a typo in the README", {
        "README.md": "# web-deploy\n\nDeclared state of the web app. Argo CD syncs `apps/web/overlays/*`.\n\n"
        "Changes go through pull requests; see CODEOWNERS.\n"}, hours=30)
    b.pr("web", "renovate/web-1.8.2", "Update ghcr.io/acme/web to 1.8.2", [
        ("Update image", {"apps/web/base/deployment.yaml": deployment("web", WEB_IMAGE)}),
    ], bot=True, squash=True)
    bad = b.pr("frank", "probes", "Add readiness probe", [
        ("Readiness probe", {"apps/web/base/deployment.yaml": deployment("web", WEB_IMAGE).replace(
            "          ports:", "          readinessProbe:\n            httpGet:\n              path: /healthz\n"
            "              port: 8080\n          ports:")}),
    ])
    b.revert_pr("erin", bad, "Add readiness probe", "probes", hours=1.5)
    b.pr("grace", "validate-ci", "Validate overlays in CI", [
        ("Validate workflow", {".github/workflows/validate.yml": validate_workflow()}),
    ], squash=True)
    b.pr("bob", "prod-replicas", "Back to 4 replicas after INC-231 (JIRA OPS-88)", [
        ("Scale down", {"apps/web/overlays/prod/replicas.yaml": replicas_patch("web", 4)}),
    ])
    export(b, "stage2-argocd", """
stage: 2
title: Application GitOps with Argo CD
description: |
  Argo CD Applications with automated sync, self-heal and prune over Kustomize overlays; CI only builds images;
  CODEOWNERS and pinned actions. No policy-as-code and a single cluster, so stage 3 is not reached.
""")


# --- stage 3 -----------------------------------------------------------------------------------------------------


def flux_sync(cluster: str) -> str:
    """Flux GitRepository plus the Kustomizations a cluster directory holds."""
    return f"""apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 1m
  url: https://github.com/acme/platform
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infrastructure
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  sourceRef:
    kind: GitRepository
    name: platform
  path: ./infrastructure
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: policies
  namespace: flux-system
spec:
  dependsOn:
    - name: infrastructure
  interval: 10m
  prune: true
  sourceRef:
    kind: GitRepository
    name: platform
  path: ./policies
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  dependsOn:
    - name: policies
  interval: 5m
  prune: true
  sourceRef:
    kind: GitRepository
    name: platform
  path: ./apps/overlays/{cluster}
"""


KYVERNO_RELEASE = """apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: kyverno
  namespace: flux-system
spec:
  interval: 1h
  url: https://kyverno.github.io/kyverno/
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: kyverno
  namespace: kyverno
spec:
  interval: 1h
  driftDetection:
    mode: enabled
  chart:
    spec:
      chart: kyverno
      version: 3.3.4
      sourceRef:
        kind: HelmRepository
        name: kyverno
        namespace: flux-system
"""


def kyverno_policy(name: str, message: str, pattern: str, action: str = "Enforce") -> str:
    """A Kyverno ClusterPolicy."""
    return f"""apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {name}
spec:
  validationFailureAction: {action}
  background: true
  rules:
    - name: {name}
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        message: "{message}"
        pattern:
{pattern}"""


def capi_cluster(name: str, infra: str, region: str) -> str:
    """A Cluster API Cluster."""
    return f"""apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: {name}
  namespace: fleet
  labels:
    region: {region}
spec:
  clusterNetwork:
    pods:
      cidrBlocks: ["192.168.0.0/16"]
  controlPlaneRef:
    apiVersion: controlplane.cluster.x-k8s.io/v1beta1
    kind: KubeadmControlPlane
    name: {name}-control-plane
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
    kind: {infra}
    name: {name}
"""


IMAGE_AUTOMATION = """apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata:
  name: orders
  namespace: flux-system
spec:
  image: ghcr.io/acme/orders
  interval: 5m
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: orders
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: orders
  policy:
    semver:
      range: 2.x
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: platform
  git:
    commit:
      author:
        name: fluxcdbot
        email: fluxcdbot@users.noreply.github.com
    push:
      branch: image-updates
  update:
    path: ./apps
    strategy: Setters
"""

XRD = """apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: xpostgresdatabases.platform.acme.example
spec:
  group: platform.acme.example
  names:
    kind: XPostgresDatabase
    plural: xpostgresdatabases
  claimNames:
    kind: PostgresDatabase
    plural: postgresdatabases
  versions:
    - name: v1alpha1
      served: true
      referenceable: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: string
                  enum: [small, medium, large]
---
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: postgres-aws
spec:
  compositeTypeRef:
    apiVersion: platform.acme.example/v1alpha1
    kind: XPostgresDatabase
  mode: Pipeline
  pipeline:
    - step: patch-and-transform
      functionRef:
        name: function-patch-and-transform
"""

ORDERS_IMAGE = "ghcr.io/acme/orders:2.4.1 # {\"$imagepolicy\": \"flux-system:orders\"}"


def stage3() -> None:
    """Flux on two clusters declared with Cluster API, Kyverno in enforce mode, self-service via Crossplane."""
    b = new_builder("2025-09-01T09:00:00")
    b.commit("alice", "Orders app with overlays", {
        "README.md": "# platform\n\nFlux-managed platform: clusters, infrastructure, policies and apps.\n",
        "apps/base/orders/deployment.yaml": deployment("orders", "ghcr.io/acme/orders:2.4.0"),
        "apps/base/orders/service.yaml": service("orders"),
        "apps/base/orders/kustomization.yaml": kustomization("deployment.yaml", "service.yaml"),
        "apps/overlays/staging/kustomization.yaml": kustomization("../../base/orders"),
        "apps/overlays/production/kustomization.yaml": kustomization("../../base/orders",
                                                                     patches=("replicas.yaml",)),
        "apps/overlays/production/replicas.yaml": replicas_patch("orders", 3),
    })
    routine(b, "orders", "apps/base/orders/deployment.yaml", "ghcr.io/acme/orders", 10)
    b.pr("bob", "flux-bootstrap", "Bootstrap Flux on staging and production", [
        ("Flux sync for staging", {"clusters/staging/flux-system/sync.yaml": flux_sync("staging")}),
        ("Flux sync for production", {"clusters/production/flux-system/sync.yaml": flux_sync("production")}),
        ("Kyverno via HelmRelease", {"infrastructure/kyverno.yaml": KYVERNO_RELEASE,
                                     "infrastructure/kustomization.yaml": kustomization("kyverno.yaml")}),
    ])
    b.pr("carol", "policies", "Baseline Kyverno policies (audit first)", [
        ("Add policies in audit mode", {
            "policies/disallow-latest-tag.yaml": kyverno_policy(
                "disallow-latest-tag", "Images must not use the latest tag.",
                "          spec:\n            containers:\n              - image: \"!*:latest\"\n", "Audit"),
            "policies/require-requests.yaml": kyverno_policy(
                "require-requests", "CPU and memory requests are required.",
                "          spec:\n            containers:\n              - resources:\n                  requests:\n"
                "                    memory: \"?*\"\n                    cpu: \"?*\"\n", "Audit"),
            "policies/kustomization.yaml": kustomization("disallow-latest-tag.yaml", "require-requests.yaml"),
        }),
    ])
    b.pr("dave", "capi", "Declare clusters with Cluster API", [
        ("Cluster API clusters", {
            "infrastructure/clusters/staging.yaml": capi_cluster("staging", "AWSCluster", "eu-west-1"),
            "infrastructure/clusters/production.yaml": capi_cluster("production", "AWSCluster", "eu-west-1"),
        }),
    ], squash=True)
    routine(b, "orders", "apps/base/orders/deployment.yaml", "ghcr.io/acme/orders", 18)
    b.pr("carol", "enforce-policies", "Enforce the baseline policies", [
        ("Switch to Enforce", {
            "policies/disallow-latest-tag.yaml": kyverno_policy(
                "disallow-latest-tag", "Images must not use the latest tag.",
                "          spec:\n            containers:\n              - image: \"!*:latest\"\n"),
            "policies/require-requests.yaml": kyverno_policy(
                "require-requests", "CPU and memory requests are required.",
                "          spec:\n            containers:\n              - resources:\n                  requests:\n"
                "                    memory: \"?*\"\n                    cpu: \"?*\"\n"),
        }),
    ])
    b.pr("erin", "image-automation", "Flux image automation for orders", [
        ("Image automation", {"clusters/production/image-automation.yaml": IMAGE_AUTOMATION,
                              "apps/base/orders/deployment.yaml": deployment("orders", ORDERS_IMAGE)}),
    ])
    b.pr("frank", "crossplane-db", "Self-service Postgres via Crossplane", [
        ("XRD and composition", {"platform/crossplane/postgres.yaml": XRD}),
    ], squash=True)
    b.pr("alice", "ci-policy", "Test manifests against policies in CI", [
        ("Policy tests in CI", {".github/workflows/validate.yml": validate_workflow(
            "      - name: Policy check\n        run: |\n          kustomize build apps/overlays/production > "
            "/tmp/prod.yaml\n          kyverno apply policies/ --resource /tmp/prod.yaml\n")}),
        ("Owners", {".github/CODEOWNERS": "*                 @acme/platform\n/apps/            @acme/orders-team "
                    "@acme/platform\n"}),
    ])
    bad = b.pr("grace", "orders-replicas", "Raise orders replicas in production", [
        ("Twelve replicas", {"apps/overlays/production/replicas.yaml": replicas_patch("orders", 12)}),
    ], hours=30, squash=True)
    b.revert_pr("bob", bad, "Raise orders replicas in production (#%d)" % b.pr_number, "orders-replicas", hours=2)
    b.pr("fluxcdbot", "image-updates", "orders: update image to 2.4.2", [
        ("orders: update image to 2.4.2", {"apps/base/orders/deployment.yaml": deployment(
            "orders", ORDERS_IMAGE.replace("2.4.1", "2.4.2"))}),
    ], hours=50, bot=True)
    b.commit("carol", "Document the policy exception process", {
        "docs/policies.md": "# Policy exceptions\n\nOpen a PR adding a PolicyException with an owner and expiry.\n"},
        hours=20)
    b.pr("dave", "sops", "Encrypt secrets with SOPS", [
        ("SOPS config", {".sops.yaml": "creation_rules:\n  - path_regex: .*secret.*\\.yaml$\n"
                         "    kms: arn:aws:kms:eu-west-1:123456789012:key/4f2b0c1e\n"}),
    ])
    export(b, "stage3-platform", """
stage: 3
title: Cluster lifecycle and policy with Flux
description: |
  Flux reconciles two clusters declared with Cluster API; Kyverno policies in enforce mode, also run in CI;
  Flux image automation; a Crossplane composition for self-service databases. Two clusters on one cloud is not
  a fleet, so stage 4 is not reached.
""")


# --- stage 4 -----------------------------------------------------------------------------------------------------

FLEET = [(f"{prefix}-{i}", infra, region) for prefix, infra, region in (
    ("aws-euw1", "AWSCluster", "eu-west-1"), ("aws-use1", "AWSCluster", "us-east-1"),
    ("gcp-euw4", "GCPCluster", "europe-west4"), ("azure-weu", "AzureCluster", "westeurope"))
    for i in range(1, 7)]

POLICY_APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: platform-policies
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - clusters: {}
  template:
    metadata:
      name: 'policies-{{.name}}'
    spec:
      project: platform
      source:
        repoURL: https://github.com/acme/fleet.git
        targetRevision: main
        path: platform/policies
      destination:
        server: '{{.server}}'
        namespace: gatekeeper-system
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
"""

APPS_APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: team-apps
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: checkout=ghcr.io/acme/checkout
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - clusters:
              selector:
                matchLabels:
                  tier: workload
          - git:
              repoURL: https://github.com/acme/fleet.git
              revision: main
              directories:
                - path: teams/*/overlays/production
  template:
    metadata:
      name: '{{.path.basename}}-{{.name}}'
    spec:
      project: teams
      source:
        repoURL: https://github.com/acme/fleet.git
        targetRevision: main
        path: '{{.path.path}}'
      destination:
        server: '{{.server}}'
        namespace: '{{index .path.segments 1}}'
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
"""

FLEET_APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: fleet-clusters
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://github.com/acme/fleet.git
    targetRevision: main
    path: fleet/clusters
  destination:
    server: https://kubernetes.default.svc
    namespace: fleet
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
"""

GATEKEEPER = """apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDisallowedTags
metadata:
  name: container-image-must-not-have-latest-tag
spec:
  match:
    kinds:
      - apiGroups: [""]
        kinds: ["Pod"]
  parameters:
    tags: ["latest"]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: owner-label
spec:
  enforcementAction: deny
  match:
    kinds:
      - apiGroups: ["apps"]
        kinds: ["Deployment"]
  parameters:
    labels:
      - key: owner
"""


def stage4() -> None:
    """Argo CD driving 24 clusters on three clouds through ApplicationSets, Gatekeeper on every cluster."""
    b = new_builder("2025-06-02T08:00:00")
    b.commit("alice", "Fleet repository layout", {
        "README.md": "# fleet\n\nOne Argo CD drives every cluster: `platform/` goes everywhere, `teams/` to workload "
        "clusters.\n",
        "teams/checkout/base/deployment.yaml": deployment("checkout", "ghcr.io/acme/checkout:3.2.0"),
        "teams/checkout/base/kustomization.yaml": kustomization("deployment.yaml"),
        "teams/checkout/overlays/staging/kustomization.yaml": kustomization("../../base"),
        "teams/checkout/overlays/production/kustomization.yaml": kustomization("../../base"),
    })
    b.pr("bob", "capi-fleet", "Declare the first clusters with Cluster API", [
        ("EU clusters", {f"fleet/clusters/{n}.yaml": capi_cluster(n, i, r) for n, i, r in FLEET[:6]}),
        ("Argo CD applies the fleet on the hub", {"platform/apps/fleet.yaml": FLEET_APP}),
    ])
    routine(b, "checkout", "teams/checkout/base/deployment.yaml", "ghcr.io/acme/checkout", 12)
    b.pr("carol", "appsets", "ApplicationSets for platform and teams", [
        ("Policies ApplicationSet", {"platform/appsets/policies.yaml": POLICY_APPSET,
                                     "platform/policies/constraints.yaml": GATEKEEPER}),
        ("Team apps ApplicationSet", {"platform/appsets/team-apps.yaml": APPS_APPSET}),
    ])
    b.pr("dave", "us-clusters", "US clusters", [
        ("US clusters", {f"fleet/clusters/{n}.yaml": capi_cluster(n, i, r) for n, i, r in FLEET[6:12]}),
    ], squash=True)
    routine(b, "checkout", "teams/checkout/base/deployment.yaml", "ghcr.io/acme/checkout", 14)
    b.pr("erin", "gcp-azure", "GCP and Azure clusters", [
        ("GCP clusters", {f"fleet/clusters/{n}.yaml": capi_cluster(n, i, r) for n, i, r in FLEET[12:18]}),
        ("Azure clusters", {f"fleet/clusters/{n}.yaml": capi_cluster(n, i, r) for n, i, r in FLEET[18:]}),
    ])
    b.pr("frank", "ci", "Validate and policy-test in CI", [
        ("Validate workflow", {".github/workflows/validate.yml": validate_workflow(
            "      - name: Gatekeeper policy test\n        run: gator verify platform/policies/tests/\n")}),
        ("Owners", {".github/CODEOWNERS": "*                 @acme/platform\n/teams/checkout/  @acme/checkout "
                    "@acme/platform\n"}),
    ])
    b.pr("checkout", "renovate/checkout-3.2.1", "Update ghcr.io/acme/checkout to 3.2.1", [
        ("Update image", {"teams/checkout/base/deployment.yaml": deployment(
            "checkout", "ghcr.io/acme/checkout:3.2.1@sha256:9b2a6c0f0e2f4d7c8a1e3b5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a")}),
    ], squash=True, bot=True)
    routine(b, "checkout", "teams/checkout/base/deployment.yaml", "ghcr.io/acme/checkout", 16)
    bad = b.pr("grace", "gatekeeper-audit", "Gatekeeper audit interval", [
        ("Lower audit interval", {"platform/policies/config.yaml": "apiVersion: config.gatekeeper.sh/v1alpha1\n"
                                  "kind: Config\nmetadata:\n  name: config\n  namespace: gatekeeper-system\n"
                                  "spec:\n  sync:\n    syncOnly: []\n"}),
    ])
    b.revert_pr("carol", bad, "Gatekeeper audit interval", "gatekeeper-audit", hours=4)
    b.pr("bob", "hotfix/pin-checkout", "Emergency: pin checkout to 3.2.0 in production", [
        ("Pin checkout", {"teams/checkout/overlays/production/kustomization.yaml": kustomization(
            "../../base", images=("ghcr.io/acme/checkout", "ghcr.io/acme/checkout", "3.2.0"))}),
    ], hours=0.5)
    b.commit("dave", "Add the on-call contact to the README", {
        "README.md": "# fleet\n\nOne Argo CD drives every cluster: `platform/` goes everywhere, `teams/` to workload "
        "clusters.\n\nOn call: #platform-oncall.\n"}, hours=26)
    b.pr("alice", "self-service", "Self-service team onboarding", [
        ("Backstage template", {"platform/templates/team.yaml": "apiVersion: scaffolder.backstage.io/v1beta3\n"
                                "kind: Template\nmetadata:\n  name: new-team-app\n  title: New team application\n"
                                "spec:\n  owner: platform\n  type: service\n  steps:\n    - id: publish\n"
                                "      action: publish:github:pull-request\n      input:\n"
                                "        repoUrl: github.com?owner=acme&repo=fleet\n"}),
    ])
    export(b, "stage4-fleet", """
stage: 4
title: Multi-cloud fleet with Argo CD ApplicationSets
description: |
  24 Cluster API clusters on AWS, GCP and Azure; ApplicationSets with cluster generators deliver Gatekeeper
  constraints to every cluster and team apps to workload clusters; Backstage templates for self-service.
""")


def record_github(name: str, stage: int) -> None:
    """Record the GitHub evidence of a sample, collected by the real collector from the local fake server."""
    import json
    import sys
    from dataclasses import replace

    sys.path.insert(0, str(HERE.parent))
    from assess.collectors.github.api import GitHubApi, WaitBudget
    from assess.collectors.github.repo import collect_github
    from assess.collectors.samples import get_sample, materialise
    from assess.model.codec import to_plain
    from assess.model.provenance import Provenance, Source
    from tests.fakes.github_fixture import PROFILES, build_fixture
    from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub

    sample = get_sample(name)
    repo = materialise(sample, Path(tempfile.mkdtemp(prefix="record-")) / name)
    full = f"acme/{name}"
    with FakeGitHub({full: build_fixture(repo, full, PROFILES[stage])}) as gh:
        api = GitHubApi(gh.base_url, ADMIN_TOKEN, None, WaitBudget(10))
        evidence = collect_github(api, full, None, None, [], sample.as_of or datetime.now(timezone.utc))
    evidence = replace(evidence, api_url="https://api.github.com", provenance=Provenance(
        Source.GITHUB, "recorded from the GitHub REST API (sample data)", evidence.provenance.obtained_at))
    (HERE / name / "github.json").write_text(json.dumps(to_plain(evidence), indent=1, sort_keys=True) + "\n")


GITLAB_VARIANTS = {"gitlab-argocd": ("stage2-argocd", """
stage: 2
variant_of: stage2-argocd
forge: gitlab
title: Application GitOps with Argo CD, on GitLab
description: |
  The stage-2 estate hosted on GitLab: main is a protected branch nobody pushes to, one approval with code owners,
  approvals reset on push, the pipeline must succeed; merge requests, their approvals and the default-branch
  pipelines are replayed from recorded GitLab API answers.
""")}


def record_gitlab(name: str) -> None:
    """Record the GitLab API answers for a variant: the real collector reading the local GitLab-compatible server
    (whole history, every apparent direct push looked up), saved as the sample's replayable gitlab-api.json."""
    import sys

    sys.path.insert(0, str(HERE.parent))
    from assess.collectors.gitlab.replay import RECORDING
    from assess.collectors.samples import get_sample, materialise
    from tests.fakes.gitlab_recording import record_sample, write

    base, meta = GITLAB_VARIANTS[name]
    out = HERE / name
    out.mkdir(exist_ok=True)
    as_of = get_sample(base).as_of
    (out / "sample.yaml").write_text(meta.strip() + f"\nas_of: '{as_of.isoformat() if as_of else ''}'\n")
    repo = materialise(get_sample(base), Path(tempfile.mkdtemp(prefix="record-")) / name)
    recording, _ = record_sample(repo, f"acme/{base}", as_of or datetime.now(timezone.utc))
    write(recording, out / RECORDING)


def record_cluster(name: str) -> None:
    """Record cluster snapshots of a sample: the real collector reading the local fake Kubernetes API."""
    import sys

    sys.path.insert(0, str(HERE.parent))
    from assess.collectors.cluster.live import collect_cluster
    from assess.collectors.cluster.snapshot import dump_snapshot
    from tests.fakes.cluster_fixture import stage2_objects, stage3_clusters, stage4_objects
    from tests.fakes.k8s_server import FakeKubernetes

    when = {"stage2-argocd": "2026-01-22T12:00:00+00:00", "stage3-platform": "2025-12-30T12:00:00+00:00",
            "stage4-fleet": "2025-10-20T12:00:00+00:00"}[name]
    per_context = {"stage2-argocd": {"prod-eu-1": stage2_objects()}, "stage3-platform": {
        f"{env}-eu-1": objects for env, objects in stage3_clusters().items()},
        "stage4-fleet": {"fleet-hub": stage4_objects()}}[name]
    taken = []
    for context, objects in per_context.items():
        with FakeKubernetes(objects) as k8s:
            config = k8s.kubeconfig(Path(tempfile.mkdtemp(prefix="kube-")) / "config", (context,))
            taken.append(collect_cluster(str(config), context, datetime.fromisoformat(when)))
    (HERE / name / "cluster.yaml").write_text(dump_snapshot(taken))


def main() -> None:
    """Rebuild every sample, then record its GitHub evidence and cluster snapshots, and the GitLab variants' API
    answers."""
    for build in (stage0, stage1, stage2, stage3, stage4):
        build()
        print(f"built {build.__name__}")
    for stage, name in enumerate(("stage0-scripts", "stage1-pushed", "stage2-argocd", "stage3-platform",
                                  "stage4-fleet")):
        record_github(name, stage)
        print(f"recorded GitHub evidence for {name}")
        if stage >= 2:
            record_cluster(name)
            print(f"recorded cluster snapshot for {name}")
    for name in GITLAB_VARIANTS:
        record_gitlab(name)
        print(f"recorded GitLab API answers for {name}")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--gitlab"]:  # only the GitLab variants' recordings, from the committed histories
        for variant in GITLAB_VARIANTS:
            record_gitlab(variant)
    else:
        main()
