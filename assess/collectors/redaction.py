"""Redaction at collection time: no secret value enters the evidence, only what kind of value it was.

A value is classified before it is dropped: a literal that could be a credential, a placeholder, a reference to a
secret store (`op://`, `vault:`, `<path:…#…>`, `ref+`), a template or substitution (`{{ … }}`, `${VAR}`, `#{ … }#`),
an encrypted value (SOPS `ENC[…]`), or empty. Checks read the class; nobody can read the value."""

from __future__ import annotations

import base64
import binascii
import re
from enum import StrEnum
from typing import Any

PREFIX = "<redacted:"


class SecretValue(StrEnum):
    """What a redacted value was."""

    LITERAL = "literal"
    PLACEHOLDER = "placeholder"
    REFERENCE = "reference"
    TEMPLATE = "template"
    ENCRYPTED = "encrypted"
    EMPTY = "empty"


REFERENCE = re.compile(r"^(?:op://|vault:|<path:[^>]*>|ref\+|awssm://|gcpsm://|azurekeyvault://|arn:aws:secretsmanager:|"
                       r"projects/[^/]+/secrets/|secretsmanager:|sm://|doppler://|infisical://|bws://)", re.IGNORECASE)
TEMPLATE = re.compile(r"\{\{.*\}\}|\{%.*%\}|\$\{[^}]*\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|#\{.*\}#|#%.*%#|\[\[.*\]\]|"
                      r"%\([a-z_]+\)s|\$__(?:env|file|vault)\{[^}]*\}|^\$[A-Z_][A-Z0-9_]*$", re.DOTALL)
URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?![^/@\s]*:[^/@\s]*@)\S+$", re.IGNORECASE)  # no user:password@ inside
FILE_PATH = re.compile(r"^(?:~|\.{1,2}|\$HOME)?/[\w.@/-]+$")  # a path to a key file, not the key itself
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|x{3,}|\*{3,}|\.{3,}|-+|_+|#+|"
    r"change[-_ ]?me|change[-_ ]?it|replace[-_ ]?me|replace[-_ ]?this|to[-_ ]?do|tbd|fix[-_ ]?me|place[-_ ]?holder|"
    r"dummy|example|sample|default|secret|password|passw0rd|pass|admin|root|test|testing|foo|bar|baz|qux|"
    r"null|none|nil|n/?a|redacted|insecure|notasecret|not[-_]a[-_]secret|"
    r"(?:my|your|some|the|insert|enter|put)[-_ ]?[a-z0-9_ -]*|"
    # `prod_password`, `staging-secret`, `<env>-token`: an environment's name and the word itself
    r"(?:<[^>]*>|dev|test|qa|uat|stage|staging|non[-_]?prod|prod|production|local|demo)[-_](?:password|secret|token|pass|key))$",
    re.IGNORECASE)
# Keys whose value is a credential; keys that name one (`existingSecret`, `secretName`, `passwordSecretRef`) are not.
CREDENTIAL_KEY = re.compile(r"(?:^|[-_.])(?:pass(?:word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|"
                            r"secret[-_]?key|private[-_]?key|client[-_]?secret|credentials?|bearer|pwd|auth[-_]?key|"
                            r"dsn|connection[-_]?string)$|^(?:password|secret|token|apikey|api_key)$", re.IGNORECASE)
NAMES_A_SECRET = re.compile(r"(?:name|ref|file|path|existing|selector|mount|enabled|create|annotations?|"
                            r"(?:password|token|user(?:name)?)[-_]?keys?$|"
                            r"labels?|ttl|length|policy|type|format|header|field|env|source|provider|store|secrets$|"
                            r"url|uri|endpoint|host|audience|issuer|scopes?|expiry|expiration|duration|timeout)",
                            re.IGNORECASE)
# `TS_KUBE_SECRET: tailscale`, `secret: app-credentials`: a key ending in "secret" whose value is a resource name
# names the Secret that holds the credential.
SECRET_NAME_KEY = re.compile(r"(?:^|[-_.])secret$", re.IGNORECASE)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def classify(value: object) -> SecretValue:
    """What kind of value a secret field holds (never stored, only its class)."""
    if value is None:
        return SecretValue.EMPTY
    text = str(value).strip()
    if not text:
        return SecretValue.EMPTY
    if text.startswith("ENC[") or text.startswith("-----BEGIN PGP MESSAGE") or text.startswith("AgB"):
        return SecretValue.ENCRYPTED  # SOPS, PGP armour, SealedSecret ciphertext
    if REFERENCE.match(text) or URL.match(text) or FILE_PATH.match(text):
        return SecretValue.REFERENCE
    if TEMPLATE.search(text):
        return SecretValue.TEMPLATE
    if PLACEHOLDER.match(text):
        return SecretValue.PLACEHOLDER
    return SecretValue.LITERAL


def classify_base64(value: object) -> SecretValue:
    """A `data:` value: base64 decoded first (a template or placeholder may be encoded); undecodable is literal."""
    if not isinstance(value, str) or not value.strip():
        return classify(value)
    raw = value.strip()
    if TEMPLATE.search(raw) or raw.startswith("ENC["):
        return classify(raw)
    try:
        decoded = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return SecretValue.LITERAL
    return classify(decoded)


def marker(kind: SecretValue) -> str:
    """The text that stands in the evidence for a dropped value."""
    return f"{PREFIX}{kind.value}>"


def marker_class(value: object) -> SecretValue | None:
    """The class a redaction marker records (None for anything else)."""
    if isinstance(value, str) and value.startswith(PREFIX) and value.endswith(">"):
        try:
            return SecretValue(value[len(PREFIX):-1])
        except ValueError:
            return None
    return None


def is_credential_key(key: str) -> bool:
    """A key whose value is a credential itself (not the name of a Secret holding one)."""
    return bool(CREDENTIAL_KEY.search(key)) and not NAMES_A_SECRET.search(key)


def redact_secret(data: dict[str, Any]) -> dict[str, Any]:
    """A Secret with its shape and keys kept and every value replaced by its class."""
    rest: dict[str, Any] = redact_credentials({k: v for k, v in data.items() if k not in ("data", "stringData")})
    for field_name, reader in (("data", classify_base64), ("stringData", classify)):
        values = data.get(field_name)
        if isinstance(values, dict):
            rest[field_name] = {str(k): marker(reader(v)) for k, v in values.items()}
        elif values is not None:
            rest[field_name] = marker(reader(values) if isinstance(values, str) else SecretValue.LITERAL)
    return rest


def redact_credentials(node: Any) -> Any:
    """Any document with credential-looking values replaced by their class: `password:` keys, `env` entries and
    Helm parameters named like credentials, and kubectl's last-applied annotation (a copy of the whole object)."""
    if isinstance(node, dict):
        if node.get("kind") in REFERENCE_KINDS:
            return node  # an ExternalSecret embedded in Helm values (raw resources): references only
        out: dict[Any, Any] = {}
        named = node.get("name") if isinstance(node.get("name"), str) else None
        # `{secretKey: DB_PASSWORD, remoteRef: {…}}`: beside a reference, credential-named keys name fields.
        naming = not REFERENCE_SIBLINGS.isdisjoint(str(k) for k in node)
        # `{existingSecret: minecraft-rcon, secretKey: rcon-password}`: a `…Key` names a field of that Secret
        # (a `password:` beside `existingSecret` is still a value: charts take one or the other).
        in_existing = any(EXISTING_SECRET.search(str(k)) for k in node)
        for key, value in node.items():
            if naming and not isinstance(value, (dict, list)):
                out[key] = value
            elif str(key) == "permissions" and isinstance(value, dict):
                out[key] = value  # GitHub Actions token scopes (`id-token: write`), never credentials
            elif str(key) == LAST_APPLIED:
                out[key] = marker(SecretValue.LITERAL if value else SecretValue.EMPTY)
            elif key == "value" and named is not None and is_credential_key(named) and not isinstance(
                    value, (dict, list)):
                names_secret = SECRET_NAME_KEY.search(named) and isinstance(value, str) and DNS_LABEL.match(value)
                # env: [{name: DB_PASSWORD, value: …}], helm parameters
                out[key] = value if names_secret else marker(classify(value))
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and is_credential_key(str(key)):
                credential_names = isinstance(value, str) and bool(
                    (SECRET_NAME_KEY.search(str(key)) and DNS_LABEL.match(value))
                    or (in_existing and str(key).lower().endswith("key") and KEY_NAME.match(value)))
                out[key] = value if credential_names else marker(classify(value))
            else:
                out[key] = redact_credentials(value)
        return out
    if isinstance(node, list):
        return [redact_credentials(item) for item in node]
    return node


EXISTING_SECRET = re.compile(r"^existing[-_]?secret|^secret[-_]?name$", re.IGNORECASE)
KEY_NAME = re.compile(r"^[a-z0-9]([-._a-z0-9]*[a-z0-9])?$")  # how charts name a key of a Secret
REFERENCE_SIBLINGS = frozenset({"remoteRef", "secretKeyRef", "valueFrom", "secretRef", "keyRef", "sourceRef",
                                "secretStoreRef", "configMapKeyRef"})
# Objects whose every field is a reference to a secret store or ciphertext: nothing in them is a plaintext credential.
REFERENCE_KINDS = frozenset({"ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore",
                             "PushSecret", "SealedSecret", "VaultStaticSecret", "VaultDynamicSecret", "OnePasswordItem",
                             "InfisicalSecret", "DopplerSecret"})


def redact(data: Any, kind: str | None) -> Any:
    """A parsed document as it may enter the evidence: Secrets (also inside a `List`) reduced to their shape and
    value classes, credential-looking values elsewhere replaced by their class."""
    if kind == "Secret" and isinstance(data, dict):
        return redact_secret(data)
    if kind in REFERENCE_KINDS:
        return data
    if kind == "List" and isinstance(data, dict) and isinstance(data.get("items"), list):
        items = [redact(i, i.get("kind") if isinstance(i, dict) and isinstance(i.get("kind"), str) else None)
                 for i in data["items"]]
        return {**redact_credentials({k: v for k, v in data.items() if k != "items"}), "items": items}
    return redact_credentials(data)
