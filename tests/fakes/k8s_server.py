"""A local fake Kubernetes API server for tests (stdlib only), following the contract of the reference notes:
/version, /apis and resource lists, pagination with limit/continue, label selectors, the metadata-only Accept
header, and 403/404 Status bodies. The real kubernetes client reaches it through a generated kubeconfig."""

from __future__ import annotations

import base64
import json
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.local_server import InjectedFault, LocalServer, QuietHandler

# kind -> (plural, namespaced) for every kind the fixtures use.
PLURALS: dict[str, tuple[str, bool]] = {
    "Application": ("applications", True), "ApplicationSet": ("applicationsets", True),
    "AppProject": ("appprojects", True), "ImageUpdater": ("imageupdaters", True),
    "GitRepository": ("gitrepositories", True), "OCIRepository": ("ocirepositories", True),
    "HelmRepository": ("helmrepositories", True), "Kustomization": ("kustomizations", True),
    "HelmRelease": ("helmreleases", True), "ImageRepository": ("imagerepositories", True),
    "ImagePolicy": ("imagepolicies", True), "ImageUpdateAutomation": ("imageupdateautomations", True),
    "ConstraintTemplate": ("constrainttemplates", False), "ClusterPolicy": ("clusterpolicies", False),
    "Policy": ("policies", True), "PolicyReport": ("policyreports", True),
    "ClusterPolicyReport": ("clusterpolicyreports", False), "Cluster": ("clusters", True),
    "Composition": ("compositions", False), "CompositeResourceDefinition": ("compositeresourcedefinitions", False),
    "Deployment": ("deployments", True), "StatefulSet": ("statefulsets", True), "DaemonSet": ("daemonsets", True),
    "CronJob": ("cronjobs", True), "Secret": ("secrets", True), "Pod": ("pods", True),
    "ConfigMap": ("configmaps", True),
}
ALWAYS = {"apps": "v1", "batch": "v1"}


@dataclass
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    accept: str
    status: int


def _group_version(obj: dict[str, Any]) -> tuple[str, str]:
    api_version = str(obj.get("apiVersion", "v1"))
    return (api_version.split("/", 1)[0], api_version.split("/", 1)[1]) if "/" in api_version else ("", api_version)


def _plural(kind: str) -> tuple[str, bool]:
    if kind in PLURALS:
        return PLURALS[kind]
    return kind.lower(), False  # Gatekeeper constraints: plural = lower-cased kind, cluster-scoped


class FakeKubernetes(LocalServer[InjectedFault, Recorded]):
    """`with FakeKubernetes(objects) as k8s:`; `k8s.kubeconfig(path)` writes a kubeconfig pointing at it."""

    def __init__(self, objects: list[dict[str, Any]], forbidden: set[str] | None = None,
                 extra_groups: dict[str, str] | None = None, version: str = "v1.31.4",
                 misbehave: dict[str, str] | None = None) -> None:
        self.objects = objects
        self.forbidden = forbidden or set()
        # `group/plural` (core: `core/plural`) -> how its list pages go wrong: "repeat" answers every page with the
        # first page and the same continue token; "endless" hands out a new token and fresh objects forever;
        # "garbage" answers 200 with a body that is not JSON.
        self.misbehave = misbehave or {}
        self.version = version
        self.groups: dict[str, str] = dict(ALWAYS)
        for obj in objects:
            group, ver = _group_version(obj)
            if group:
                self.groups.setdefault(group, ver)
        self.groups.update(extra_groups or {})
        super().__init__(_handler)

    def kubeconfig(self, path: Path, contexts: tuple[str, ...] = ("fake",), exec_command: Path | None = None) -> Path:
        """A kubeconfig with one context per name, all pointing at this server; with `exec_command`, the user's
        credentials come from that exec credential plugin instead of a token."""
        user: dict[str, Any] = {"token": "fake-reader-token"} if exec_command is None else {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(exec_command),
            "interactiveMode": "Never"}}
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": contexts[0],
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "reader", "user": user}],
            "contexts": [{"name": c, "context": {"cluster": "fake", "user": "reader"}} for c in contexts],
        }
        path.write_text(yaml.safe_dump(doc))
        return path


    def resources(self, group: str, version: str) -> list[dict[str, Any]]:
        """The APIResourceList entries of one group-version."""
        kinds = {o["kind"] for o in self.objects if _group_version(o) == (group, version)}
        if group in ("", "apps", "batch"):
            kinds |= {k for k, _ in [("Deployment", 0), ("StatefulSet", 0), ("DaemonSet", 0)]} if group == "apps" \
                else ({"CronJob"} if group == "batch" else {"Secret", "Pod", "ConfigMap"})
        out = []
        for kind in sorted(kinds):
            plural, namespaced = _plural(kind)
            out.append({"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
                        "verbs": ["get", "list", "watch"]})
            out.append({"name": f"{plural}/status", "singularName": "", "namespaced": namespaced, "kind": kind,
                        "verbs": ["get"]})
        return out


def _status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "details": details or {}, "code": code}


def _handler(k8s: FakeKubernetes) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def _send(self, status: int, body: Any, text: bool = False) -> None:
            payload = body.encode() if text else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if text else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            parsed = urllib.parse.urlsplit(self.path)
            k8s.record(Recorded(self.command, parsed.path, urllib.parse.parse_qs(parsed.query),
                                self.headers.get("Accept", ""), status))  # on record before the client has it
            self.end_headers()
            self.wfile.write(payload)

        def _refuse(self) -> None:
            self._send(405, _status(405, "MethodNotAllowed", "the assessment must only read"))

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            path, query = parsed.path.rstrip("/"), urllib.parse.parse_qs(parsed.query)
            if path == "/version":
                major, minor = k8s.version.lstrip("v").split(".")[:2]
                self._send(200, {"major": major, "minor": minor, "gitVersion": k8s.version, "gitCommit": "0" * 40,
                                 "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24",
                                 "compiler": "gc", "platform": "linux/amd64"})
                return
            if path == "/api":
                self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
                return
            if path == "/apis":
                groups = []
                for name, version in sorted(k8s.groups.items()):
                    entry = {"groupVersion": f"{name}/{version}", "version": version}
                    groups.append({"name": name, "versions": [entry], "preferredVersion": dict(entry)})
                self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
                return
            parts = path.strip("/").split("/")
            if parts[0] == "api" and len(parts) >= 2:
                group, version, rest = "", parts[1], parts[2:]
            elif parts[0] == "apis" and len(parts) >= 3:
                group, version, rest = parts[1], parts[2], parts[3:]
            else:
                self._send(404, "404 page not found", text=True)
                return
            if k8s.groups.get(group, "v1" if group == "" else None) != version:
                self._send(404, "404 page not found", text=True)
                return
            if not rest:
                self._send(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                 "groupVersion": f"{group}/{version}" if group else version,
                                 "resources": k8s.resources(group, version)})
                return
            namespace = None
            if rest[0] == "namespaces" and len(rest) >= 3:
                namespace, rest = rest[1], rest[2:]
            plural = rest[0]
            key = f"{group or 'core'}/{plural}"
            if key in k8s.forbidden:
                self._send(403, _status(403, "Forbidden", f'{plural}{"." + group if group else ""} is forbidden: User '
                                        '"system:serviceaccount:audit:reader" cannot list resource '
                                        f'"{plural}" in API group "{group}" at the cluster scope',
                                        {"group": group, "kind": plural}))
                return
            served = {r["name"] for r in k8s.resources(group, version)}
            if plural not in served:
                self._send(404, _status(404, "NotFound", "the server could not find the requested resource"))
                return
            self._list(group, version, plural, namespace, query, k8s.misbehave.get(key))

        def _list(self, group: str, version: str, plural: str, namespace: str | None,
                  query: dict[str, list[str]], misbehave: str | None = None) -> None:
            items = [o for o in k8s.objects if _group_version(o)[0] == group and _plural(o["kind"])[0] == plural
                     and (namespace is None or (o.get("metadata") or {}).get("namespace") == namespace)]
            selector = query.get("labelSelector", [""])[0]
            for term in filter(None, selector.split(",")):
                k, _, v = term.partition("=")
                items = [o for o in items if ((o.get("metadata") or {}).get("labels") or {}).get(k) == v]
            start = int(base64.b64decode(query["continue"][0]).decode()) if query.get("continue") else 0
            limit = int(query.get("limit", ["0"])[0])
            if misbehave == "garbage":
                self._send(200, '{"kind": "List", "items": [{"metadata": ', text=True)
                return
            if misbehave == "repeat":
                start = 0
            page = items[start:start + limit] if limit else items[start:]
            if misbehave == "endless" and items:
                page = [{**items[(start + i) % len(items)], "metadata": {
                    **items[(start + i) % len(items)].get("metadata", {}),
                    "name": f"{items[(start + i) % len(items)]['metadata']['name']}-{start + i}"}}
                    for i in range(limit or 1)]
            metadata: dict[str, Any] = {"resourceVersion": "12345"}
            if misbehave in ("repeat", "endless") or (limit and start + limit < len(items)):
                following = limit if misbehave == "repeat" else start + (limit or 1)
                metadata["continue"] = base64.b64encode(str(following).encode()).decode()
                metadata["remainingItemCount"] = max(len(items) - start - limit, 1)
            accept = self.headers.get("Accept", "")
            if "as=PartialObjectMetadataList" in accept:
                body = {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                        "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                   "metadata": o.get("metadata", {})} for o in page]}
            else:
                kind = page[0]["kind"] if page else plural.capitalize()
                body = {"kind": f"{kind}List", "apiVersion": f"{group}/{version}" if group else version,
                        "metadata": metadata, "items": page}
            self._send(200, body)

    return Handler


def env_dumping_plugin(directory: Path) -> tuple[Path, Path]:
    """An exec credential plugin that writes the environment it was given to a file, then hands out a token:
    (the plugin, the file it writes)."""
    dump = directory / "plugin-env.txt"
    plugin = directory / "credential-plugin"
    plugin.write_text(f"#!/bin/sh\nenv > {dump}\n"
                      'echo \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",'
                      '"status":{"token":"from-plugin"}}\'\n', encoding="utf-8")
    plugin.chmod(0o755)
    return plugin, dump
