"""Read a live cluster with the official kubernetes client: discovery once, then paginated GET list calls."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.config.config_exception import ConfigException

from assess.collectors.cluster.resources import CONSTRAINTS_GROUP, METADATA_ONLY, WANTED, Wanted, sanitize
from assess.model.cluster import AccessStatus, ClusterEvidence, ResourceAccess
from assess.model.provenance import Provenance, Source

PAGE_SIZE = 500
IN_CLUSTER = "in-cluster"
SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
TIMEOUT = (5.0, 30.0)


class ClusterUnreachableError(Exception):
    """The API server (or the kubeconfig) cannot be used at all; the message is for the user."""


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def contexts(kubeconfig: str | None) -> tuple[list[str], str | None]:
    """All context names of a kubeconfig and the current one."""
    try:
        all_contexts, current = config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, OSError) as exc:
        raise ClusterUnreachableError(f"kubeconfig not usable: {exc}") from exc
    return [c["name"] for c in all_contexts], (current or {}).get("name")


class _Reader:
    """GET requests through the generated client's own request path (auth, TLS, proxies as configured)."""

    def __init__(self, api: client.ApiClient) -> None:
        self.api = api

    def get(self, path: str, query: list[tuple[str, Any]] | None = None, accept: str = "application/json"
            ) -> dict[str, Any]:
        method, url, headers, _body, _post = self.api.param_serialize(
            "GET", path, query_params=query or [], header_params={"Accept": accept}, auth_settings=["BearerToken"])
        try:
            response = self.api.call_api(method, url, header_params=headers, _request_timeout=TIMEOUT)
            raw = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ClusterUnreachableError(f"API server unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status >= 400:
            raise _Refused(response.status, _status_message(raw))
        data: dict[str, Any] = json.loads(raw)
        return data

    def pages(self, path: str, selector: str | None, accept: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)]
            if token:
                query.append(("continue", token))
            if selector:
                query.append(("labelSelector", selector))
            page = self.get(path, query, accept)
            yield from page.get("items") or []
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return


def in_cluster() -> bool:
    """Whether the process runs in a pod with a service account (and so needs no kubeconfig)."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(SERVICE_ACCOUNT_TOKEN)


def collect_cluster(kubeconfig: str | None, context: str | None, now: datetime) -> ClusterEvidence:
    """Discovery once, then every wanted resource type listed in pages; refusals become access records."""
    try:
        if context == IN_CLUSTER:
            configuration = client.Configuration()
            config.load_incluster_config(client_configuration=configuration)
            api = client.ApiClient(configuration)
        else:
            api = config.new_client_from_config(config_file=kubeconfig, context=context, persist_config=False)
    except (ConfigException, OSError, TypeError, ValueError) as exc:
        raise ClusterUnreachableError(f"kubeconfig not usable for context {context or '(current)'}: {exc}") from exc
    name = context or contexts(kubeconfig)[1] or "(current)"
    reader = _Reader(api)
    try:
        try:
            version = reader.get("/version").get("gitVersion")
            groups = _discover(reader)
        except _Refused as exc:
            raise ClusterUnreachableError(f"API server refused discovery ({exc.status}): {exc.message}") from exc
        objects: list[dict[str, Any]] = []
        access: list[ResourceAccess] = []
        for wanted in _with_constraints(reader, groups):
            status = _read(reader, wanted, groups, objects)
            access.append(status)
    finally:
        api.close()
    return ClusterEvidence(
        provenance=Provenance(Source.CLUSTER, f"kubernetes API, context {name}", now.isoformat()),
        name=name, server_version=version, objects=tuple(objects), access=tuple(access),
        managed_fields_present=any((o.get("metadata") or {}).get("managedFields") for o in objects
                                   if o.get("kind") != "Secret"),
    )


def _discover(reader: _Reader) -> dict[str, str]:
    listing = reader.get("/apis")
    groups = {"": "v1"}
    for group in listing.get("groups") or []:
        preferred = (group.get("preferredVersion") or {}).get("version")
        versions = [v.get("version") for v in group.get("versions") or []]
        if preferred or versions:
            groups[str(group.get("name"))] = str(preferred or versions[0])
    return groups


def _with_constraints(reader: _Reader, groups: dict[str, str]) -> list[Wanted]:
    """The wanted types, plus one per Gatekeeper constraint kind (each template serves its own resource)."""
    wanted = list(WANTED)
    version = groups.get(CONSTRAINTS_GROUP)
    if version:
        try:
            resources = reader.get(f"/apis/{CONSTRAINTS_GROUP}/{version}").get("resources") or []
        except _Refused:
            resources = []
        wanted += [Wanted(CONSTRAINTS_GROUP, str(r["name"]), str(r.get("kind") or r["name"]))
                   for r in resources if "/" not in str(r.get("name", ""))]
    return wanted


def _read(reader: _Reader, wanted: Wanted, groups: dict[str, str], into: list[dict[str, Any]]) -> ResourceAccess:
    version = groups.get(wanted.group)
    if version is None:
        return ResourceAccess(wanted.key, AccessStatus.NOT_INSTALLED, message=f"API group {wanted.group} not served")
    path = f"/api/v1/{wanted.plural}" if wanted.group == "" else f"/apis/{wanted.group}/{version}/{wanted.plural}"
    accept = METADATA_ONLY if wanted.metadata_only else "application/json"
    count = 0
    try:
        for item in reader.pages(path, wanted.label_selector, accept):
            item.setdefault("apiVersion", f"{wanted.group}/{version}" if wanted.group else "v1")
            item.setdefault("kind", wanted.kind)
            into.append(sanitize(item))
            count += 1
    except _Refused as exc:
        resource = f"{wanted.plural}.{wanted.group}" if wanted.group else wanted.plural
        if exc.status in (401, 403):
            return ResourceAccess(wanted.key, AccessStatus.FORBIDDEN, message=exc.message,
                                  fix=f"grant the verb `list` on `{resource}` (see samples/rbac/clusterrole.yaml)")
        if exc.status == 404:
            return ResourceAccess(wanted.key, AccessStatus.NOT_INSTALLED, message="resource type not installed")
        return ResourceAccess(wanted.key, AccessStatus.ERROR, message=f"HTTP {exc.status}: {exc.message}")
    return ResourceAccess(wanted.key, AccessStatus.OK, count)


def _status_message(raw: bytes) -> str:
    """The message of a Kubernetes Status body; plain-text bodies ('404 page not found') are taken as they are."""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace").strip()[:200]
    return str(data.get("message") or data.get("reason") or "")[:300] if isinstance(data, dict) else ""
