"""The GitLab token leaves the process environment once read: a child process (here a kubeconfig exec credential
plugin) does not inherit GITLAB_TOKEN or CI_JOB_TOKEN, and neither reaches an output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_repo
from tests.fakes.cluster_fixture import stage4_objects
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab, well_run
from tests.fakes.k8s_server import FakeKubernetes, env_dumping_plugin

ROOT = Path(__file__).resolve().parents[2]


def test_child_processes_do_not_inherit_the_gitlab_tokens(tmp_path: Path) -> None:
    plugin, dump = env_dumping_plugin(tmp_path)
    repo = make_repo(tmp_path / "repo", {"clusters/production/app.yaml": "apiVersion: v1\nkind: Namespace\n"
                                                                         "metadata:\n  name: app\n"})
    with FakeKubernetes(stage4_objects()) as k8s, FakeGitLab({"platform/deploy": well_run()}) as gitlab:
        k8s.kubeconfig(tmp_path / "kc", exec_command=plugin)
        env = {**os.environ, "GITLAB_TOKEN": MAINTAINER_TOKEN, "CI_JOB_TOKEN": "glcbt-canary-job",
               "KUBECONFIG": str(tmp_path / "kc"), "COLUMNS": "120"}
        out = subprocess.run([sys.executable, "-m", "assess", "scan", str(repo), "--cluster", "--gitlab",
                              "platform/deploy", "--gitlab-url", gitlab.url, "--no-history", "-q", "-f", "json"],
                             capture_output=True, text=True, env=env, cwd=ROOT)
        used = {r.token for r in gitlab.requests}
    assert out.returncode == 0, out.stderr
    assert used == {MAINTAINER_TOKEN}  # GITLAB_TOKEN wins over CI_JOB_TOKEN
    seen = dump.read_text()
    assert "PATH=" in seen, "the plugin ran"
    assert MAINTAINER_TOKEN not in seen and "glcbt-canary-job" not in seen
    assert MAINTAINER_TOKEN not in out.stdout + out.stderr
