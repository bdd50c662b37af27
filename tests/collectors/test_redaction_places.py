"""Redaction rules for the places a credential hides: keys in any casing, text files, lists, cluster objects."""

from __future__ import annotations

import pytest

from assess.collectors.cluster.resources import sanitize
from assess.collectors.redaction import is_credential_key, redact, redact_text


@pytest.mark.parametrize("key", ["postgresPassword", "REFRESH_TOKEN", "SOURCE_TOKEN", "TYPESENSE_API_KEY",
                                 "adminPassword", "client-secret", "x-api-key", "HOST_PASSWORD", "password"])
def test_credential_keys_in_any_spelling(key: str) -> None:
    assert is_credential_key(key)


@pytest.mark.parametrize("key", ["secretName", "existingSecret", "passwordSecretRef", "tokenFile", "passwordKey",
                                 "passwordLength", "tokenTTL", "secrets", "tls.key"])
def test_keys_that_name_a_credential_are_kept(key: str) -> None:
    assert not is_credential_key(key)


@pytest.mark.parametrize(("text", "kept"), [
    ("ENV DB_PASSWORD=hunter2x APP_MODE=prod", "APP_MODE=prod"),
    ("ENV API_TOKEN hunter2x", "ENV API_TOKEN"),
    ("ARG NPM_TOKEN=hunter2x", "ARG NPM_TOKEN="),
    ('db_password = "hunter2x"', 'db_password = "'),
    ('variable "db_password" {\n  default = "hunter2x"\n}', 'variable "db_password"'),
    ("helm upgrade --set auth.password=hunter2x app", "helm upgrade --set auth.password="),
    ("curl https://bot:hunter2x@example.com/x", "https://bot:"),
    ("echo ghp_hunter2xhunter2xhunter2xhunter2x", "echo "),
])
def test_text_assignments_lose_their_values_and_keep_their_lines(text: str, kept: str) -> None:
    out = redact_text(text)
    assert "hunter2x" not in out and kept in out and "<redacted:literal>" in out
    assert out.count("\n") == text.count("\n")


def test_text_keeps_what_is_not_a_secret() -> None:
    text = 'password = var.db_password\nTOKEN="${{ secrets.DEPLOY }}" make\nimage: nginx:1.25\ndefault = "x"'
    assert redact_text(text) == text
    # an HCL function call, shell expansions and a Secret's name are not values written here
    text = ('secret = base64encode(random_password.tunnel.result)\nSOPS_SECRET="$STATE/secret.yaml"\n'
            'TOKEN=$(cat /run/token)\nenvFromSecret: grafana-secrets\npass_access_token = true\n'
            'fromConnectionSecretKey: kubeconfig\n')
    assert redact_text(text) == text


def test_a_key_ending_in_secret_names_the_secret_in_any_spelling() -> None:
    from assess.collectors.redaction import redact_credentials
    kept = redact_credentials({"envFromSecret": "grafana-secrets", "TS_KUBE_SECRET": "tailscale"})
    assert kept == {"envFromSecret": "grafana-secrets", "TS_KUBE_SECRET": "tailscale"}
    assert redact_credentials({"dbSecret": "kR9$vq2!Lm"}) == {"dbSecret": "<redacted:literal>"}


@pytest.mark.parametrize("kind", ["Secret", "Secret ", "secret"])
def test_a_secret_however_its_kind_is_written(kind: str) -> None:
    doc = {"kind": kind, "data": {"tls.key": "aHVudGVyMng="}, "stringData": {"ca": "hunter2x"}}
    assert "hunter2x" not in str(redact(doc, kind)) and "aHVudGVyMng=" not in str(redact(doc, kind))


def test_list_items_are_secrets_by_their_fields_not_their_word() -> None:
    doc = {"kind": "List", "items": [{"metadata": {"name": "a"}, "stringData": {"tls.crt": "hunter2x"}},
                                     {"kind": "ConfigMap", "data": {"mode": "prod"}}]}
    typed = {"kind": "SecretList", "items": [{"kind": "Whatever", "data": {"id": "aHVudGVyMng="}}]}
    assert "hunter2x" not in str(redact(doc, "List")) and "prod" in str(redact(doc, "List"))
    assert "aHVudGVyMng=" not in str(redact(typed, "SecretList"))


def test_cluster_objects_are_redacted_like_git() -> None:
    obj = {"kind": "Deployment", "metadata": {"name": "web", "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": "hunter2x"}},
        "spec": {"template": {"spec": {"containers": [{"env": [{"name": "REFRESH_TOKEN", "value": "hunter2x"}],
                                                        "image": "nginx:1.25.3"}]}}}}
    clean = sanitize(obj)
    assert "hunter2x" not in str(clean) and "nginx:1.25.3" in str(clean)
