"""Redaction at collection time: no secret value enters the evidence, only what kind of value it was.

A value is classified before it is dropped: a literal that could be a credential, a placeholder, a reference to a
secret store (`op://`, `vault:`, `<path:…#…>`, `ref+`), a template or substitution (`{{ … }}`, `${VAR}`, `#{ … }#`),
an encrypted value (SOPS `ENC[…]`), or empty. Checks read the class; nobody can read the value."""

from __future__ import annotations

import base64
import binascii
import re
from enum import StrEnum
from functools import lru_cache
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
    r"dummy|fake|mock|example|sample|default|secret|password|passw0rd|pass|admin|root|test|testing|foo|bar|baz|qux|"
    r"null|none|nil|n/?a|redacted|insecure|notasecret|not[-_]a[-_]secret|"
    r"(?:my|your|some|the|insert|enter|put)[-_ ]?[a-z0-9_ -]*|"
    # `prod_password`, `staging-secret`, `<env>-token`: an environment's name and the word itself
    r"(?:<[^>]*>|dev|test|qa|uat|stage|staging|non[-_]?prod|prod|production|local|demo)[-_](?:password|secret|token|pass|key))$",
    re.IGNORECASE)
# Keys whose value is a credential, judged word by word (`postgresPassword`, `REFRESH_TOKEN`, `api-key`): the last
# word (or the last two) names a credential. Keys that name one (`existingSecret`, `secretName`, `passwordSecretRef`,
# `tokenFile`, `passwordKey`) end in another word, or start with `existing`.
CREDENTIAL_WORDS = frozenset({"password", "passwd", "passphrase", "pass", "secret", "token", "credential",
                              "credentials", "bearer", "pwd", "dsn", "apikey", "accesskey", "secretkey",
                              "privatekey", "clientsecret", "authkey", "connectionstring"})
CREDENTIAL_PAIRS = frozenset({("api", "key"), ("access", "key"), ("secret", "key"), ("private", "key"),
                              ("auth", "key"), ("connection", "string"), ("client", "secret"), ("signing", "key"),
                              ("encryption", "key"), ("master", "key"), ("account", "key"), ("license", "key")})
NAMING_WORDS = frozenset({"existing", "from"})  # `existingSecret`, `envFromSecret`, `fromConnectionSecretKey`
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def classify(value: object) -> SecretValue:
    """What kind of value a secret field holds (never stored, only its class)."""
    if value is None:
        return SecretValue.EMPTY
    text = str(value).strip()
    if not text:
        return SecretValue.EMPTY
    already = marker_class(text)
    if already is not None:
        return already  # redacting twice keeps the first class (a marker is not a `<placeholder>`)
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
    if marker_class(raw) is not None:
        return classify(raw)
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


def key_words(key: str) -> list[str]:
    """The words of a key, lower-cased: `postgresPassword` -> postgres, password; `DB_API-KEY` -> db, api, key."""
    return list(_key_words(key))


@lru_cache(maxsize=16384)  # documents repeat the same few thousand keys
def _key_words(key: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(key))


@lru_cache(maxsize=16384)
def is_credential_key(key: str) -> bool:
    """A key whose value is a credential itself (not the name of a Secret holding one)."""
    words = _key_words(key)
    if not words or NAMING_WORDS.intersection(words):
        return False
    return words[-1] in CREDENTIAL_WORDS or tuple(words[-2:]) in CREDENTIAL_PAIRS


def names_a_secret(key: str, value: object) -> bool:
    """`envFromSecret: grafana-secrets`, `TS_KUBE_SECRET: tailscale`: a key ending in the word "secret" whose value is
    a resource name names the Secret that holds the credential."""
    words = key_words(key)
    return bool(words) and words[-1] == "secret" and isinstance(value, str) and DNS_LABEL.match(value) is not None


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
        return _redact_mapping(node)
    if isinstance(node, list):
        return [redact_credentials(item) for item in node]
    if isinstance(node, str):
        return redact_text(node)  # a script or an embedded values block: `TOKEN=…`, `password: …`, known tokens
    return node


def _redact_mapping(node: dict[Any, Any]) -> dict[Any, Any]:
    if node.get("kind") in REFERENCE_KINDS:
        return node  # an ExternalSecret embedded in Helm values (raw resources): references only
    out: dict[Any, Any] = {}
    named = node.get("name") if isinstance(node.get("name"), str) else None
    # `{secretKey: DB_PASSWORD, remoteRef: {…}}`: beside a reference, credential-named keys name fields.
    naming = not REFERENCE_SIBLINGS.isdisjoint(node)
    in_existing: bool | None = None  # worked out only when a credential-named key needs it
    for key, value in node.items():
        skey = key if type(key) is str else str(key)
        nested = isinstance(value, (dict, list))
        if naming and not nested:
            out[key] = value
        elif skey == "permissions" and isinstance(value, dict):
            out[key] = value  # GitHub Actions token scopes (`id-token: write`), never credentials
        elif skey == LAST_APPLIED:
            out[key] = marker(SecretValue.LITERAL if value else SecretValue.EMPTY)
        elif nested:
            out[key] = _redact_mapping(value) if isinstance(value, dict) else [redact_credentials(v) for v in value]
        elif key == "value" and named is not None and is_credential_key(named):
            # env: [{name: DB_PASSWORD, value: …}], helm parameters
            out[key] = value if names_a_secret(named, value) else marker(classify(value))
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and is_credential_key(skey):
            if in_existing is None:
                # `{existingSecret: minecraft-rcon, secretKey: rcon-password}`: a `…Key` names a field of that
                # Secret (a `password:` beside `existingSecret` is still a value: charts take one or the other).
                in_existing = any(EXISTING_SECRET.search(str(k)) for k in node if _mentions_secret(str(k)))
            credential_names = isinstance(value, str) and bool(
                names_a_secret(skey, value) or (in_existing and skey.lower().endswith("key") and KEY_NAME.match(value)))
            out[key] = value if credential_names else marker(classify(value))
        elif isinstance(value, str):
            out[key] = redact_text(value)
        else:
            out[key] = value
    return out


EXISTING_SECRET = re.compile(r"^existing[-_]?secret|^secret[-_]?name$", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _mentions_secret(key: str) -> bool:
    return "secret" in key.lower()
KEY_NAME = re.compile(r"^[a-z0-9]([-._a-z0-9]*[a-z0-9])?$")  # how charts name a key of a Secret
REFERENCE_SIBLINGS = frozenset({"remoteRef", "secretKeyRef", "valueFrom", "secretRef", "keyRef", "sourceRef",
                                "secretStoreRef", "configMapKeyRef"})
# Objects whose every field is a reference to a secret store or ciphertext: nothing in them is a plaintext credential.
REFERENCE_KINDS = frozenset({"ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore",
                             "PushSecret", "SealedSecret", "VaultStaticSecret", "VaultDynamicSecret", "OnePasswordItem",
                             "InfisicalSecret", "DopplerSecret"})


def is_secret_kind(kind: object) -> bool:
    """`Secret`, however it is written (`Secret `, `secret`): redaction errs on the side of dropping values."""
    return isinstance(kind, str) and kind.strip().lower() == "secret"


def _list_kind(kind: object) -> bool:
    return isinstance(kind, str) and kind.strip().lower().endswith("list")


def _looks_like_secret(item: dict[str, Any]) -> bool:
    """A list item without a kind that carries Secret fields (`SecretList` items, hand-written `List`s)."""
    return not isinstance(item.get("kind"), str) and ("data" in item or "stringData" in item)


def redact(data: Any, kind: str | None) -> Any:
    """A parsed document as it may enter the evidence: Secrets (also inside a `List` or `SecretList`, whatever an
    item says its kind is) reduced to their shape and value classes, credential-looking values elsewhere replaced
    by their class."""
    if is_secret_kind(kind) and isinstance(data, dict):
        return redact_secret(data)
    if kind in REFERENCE_KINDS:
        return data
    if _list_kind(kind) and isinstance(data, dict) and isinstance(data.get("items"), list):
        all_secrets = isinstance(kind, str) and kind.strip().lower() == "secretlist"
        items = [redact_secret(i) if isinstance(i, dict) and (all_secrets or _looks_like_secret(i))
                 else redact(i, i.get("kind") if isinstance(i, dict) and isinstance(i.get("kind"), str) else None)
                 for i in data["items"]]
        return {**redact_credentials({k: v for k, v in data.items() if k != "items"}), "items": items}
    return redact_credentials(data)


# Credentials recognisable by their form wherever they appear (a value, a command line, a comment).
KNOWN_TOKEN = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:sk|rk)_live_[A-Za-z0-9]{16,}|"
    r"sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36}|"
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
    re.DOTALL)
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/@\s:]+:)([^@\s/]+)(@)", re.IGNORECASE)
# `KEY=`, `KEY: `, `"key": `, `--password=`, `export KEY=`: where a value starts (the key judged by is_credential_key)
ASSIGNMENT = re.compile(r"(?<![\w.-])([\"']?)([A-Za-z_][\w.-]*)\1([ \t]*[:=][ \t]*)(?![:=/])")
QUOTED_VALUE = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'")
BARE_VALUE = re.compile(r"[^\s#;,'\"`)}\]]+")
HCL_REFERENCE = re.compile(r"^(?:var|local|module|data|each|count|path|terraform)\.|^[a-z_][a-z0-9_]*\.[a-z_]")
DOCKER_ENV = re.compile(r"^(\s*(?:ENV|ARG)[ \t]+)([A-Za-z_][\w.-]*)([ \t]+)(\S.*)$", re.IGNORECASE)
HCL_VARIABLE = re.compile(r'^\s*variable\s+"([^"]+)"')
HCL_DEFAULT = re.compile(r"^(\s*default\s*=\s*)(\"(?:[^\"\\\n]|\\.)*\")")


# What every redaction of text needs to see before anything can be redacted (a cheap first pass).
SUSPECT = re.compile(r"[=:]|-----BEGIN|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|xox[abposr]-|_live_|sk-|AIza|npm_|eyJ|"
                     r"(?i:\b(?:env|arg)[ \t])")


def scrub_tokens(text: str) -> str:
    """Text with every credential recognisable by its form (GitHub, GitLab, AWS, Slack, Stripe, private keys, JWTs,
    passwords inside URLs) replaced by a marker."""
    if not text:
        return text
    text = KNOWN_TOKEN.sub(marker(SecretValue.LITERAL), text)
    return URL_PASSWORD.sub(lambda m: m.group(1) + marker(classify(m.group(2))) + m.group(3), text)


# In text, a value that holds no secret stays as written: checks read commands (`${{ secrets.KUBECONFIG }}`).
KEPT_IN_TEXT = frozenset({SecretValue.TEMPLATE, SecretValue.REFERENCE, SecretValue.EMPTY})
SETTING_WORD = re.compile(r"^(?:true|false|yes|no|on|off|null|none|~|-?\d+(?:\.\d+)?)$", re.IGNORECASE)
SHELL_EXPANSION = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{|\()")


def _value_marker(raw: str) -> str:
    """A value as written (quoted or bare), replaced by its class; quotes kept so the line still parses."""
    quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'"
    inner = raw[1:-1] if quoted else raw
    if not raw.startswith("'") and SHELL_EXPANSION.search(inner):
        return raw  # `"$STATE/…"`, `$(cat …)`: the shell fills it in, nothing is written here
    if not quoted and SETTING_WORD.match(inner):
        return raw  # `pass_access_token = true`: a setting about tokens, not one
    kind = classify(inner)
    if kind in KEPT_IN_TEXT:
        return raw
    return raw[0] + marker(kind) + raw[0] if quoted else marker(kind)


def _redact_line(line: str, in_credential_variable: bool) -> str:
    docker = DOCKER_ENV.match(line)
    if docker and "=" not in docker.group(2) and is_credential_key(docker.group(2)) and not line.rstrip().endswith(
            "\\") and "=" not in docker.group(4).split()[0]:
        return docker.group(1) + docker.group(2) + docker.group(3) + _value_marker(docker.group(4))  # ENV KEY value
    if in_credential_variable:
        default = HCL_DEFAULT.match(line)
        if default:
            return default.group(1) + _value_marker(default.group(2)) + line[default.end():]
    out: list[str] = []
    pos = 0
    for match in ASSIGNMENT.finditer(line):
        if match.start() < pos or not is_credential_key(match.group(2)):
            continue
        start = match.end()
        value = QUOTED_VALUE.match(line, start) or BARE_VALUE.match(line, start)
        if value is None:
            continue
        raw = value.group(0)
        if not raw.startswith(("\"", "'")) and (HCL_REFERENCE.match(raw) or raw in ("|", ">", "|-", ">-", "{", "[")
                                                 or "(" in raw):
            continue  # an expression naming where the value comes from (a function call too), or a block follows
        if names_a_secret(match.group(2), raw.strip("\"'")):
            continue
        out.append(line[pos:start] + _value_marker(raw))
        pos = value.end()
    return "".join(out) + line[pos:] if out else line


# What redaction could act on once SUSPECT matched: a token by its form, a password in a URL, or a key whose last word
# is a credential word (every key is_credential_key accepts ends in one of these stems).
TOKEN_FORM = re.compile(r"-----BEGIN|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|xox[abposr]-|_live_|sk-|AIza|npm_|eyJ|"
                        r"://[^/@\s]*@")
CREDENTIAL_STEM = re.compile(r"pass|secret|token|credential|bearer|pwd|dsn|key|string", re.IGNORECASE)


def redact_text(text: str) -> str:
    """A text file or an embedded script with credential assignments (`ENV DB_PASSWORD=…`, `db_password = "…"` in
    .tfvars, `export TOKEN=…`, `password: …` in an inline values block) and recognisable tokens replaced by their
    class. Lines are kept, so line numbers still point at the place."""
    if not SUSPECT.search(text):
        return text  # no assignment and nothing shaped like a known token: most scalars of a manifest
    if not CREDENTIAL_STEM.search(text) and not TOKEN_FORM.search(text):
        return text  # `nginx:1.25`, timestamps, `app.kubernetes.io/name: web`: nothing there could be redacted
    text = scrub_tokens(text)
    if not any(c in text for c in "=: \t"):
        return text
    lines = text.split("\n")
    variable: str | None = None
    for i, line in enumerate(lines):
        declared = HCL_VARIABLE.match(line)
        if declared:
            variable = declared.group(1)
        elif line.startswith("}"):
            variable = None
        lines[i] = _redact_line(line, variable is not None and is_credential_key(variable))
    return "\n".join(lines)
