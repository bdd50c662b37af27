"""Read a live cluster with the official kubernetes client: discovery once, then paginated GET list calls."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.config.config_exception import ConfigException

from assess.collectors.cluster.resources import CONSTRAINTS_GROUP, METADATA_ONLY, WANTED, Wanted, sanitize
from assess.model.cluster import AccessStatus, ClusterEvidence, ResourceAccess
from assess.model.provenance import Provenance, Source
from assess.model.wording import plural

PAGE_SIZE = 500
IN_CLUSTER = "in-cluster"
SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
TIMEOUT = (5.0, 30.0)
CHUNK = 1 << 16


@dataclass(frozen=True)
class ClusterLimits:
    """What one cluster may cost: a server that pages forever or answers with giants is read only this far."""

    pages_per_resource: int = 200
    objects_per_resource: int = 50_000
    objects: int = 200_000
    response_bytes: int = 64 * 2**20
    total_bytes: int = 1024 * 2**20


class _Capped(Exception):
    """A cap was reached while reading; what was read so far is kept and the resource is partially observed."""


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
    """GET requests through the generated client's own request path (auth, TLS, proxies as configured), each body
    read in chunks up to the limits, and the bytes and objects of the whole cluster counted."""

    def __init__(self, api: client.ApiClient, limits: ClusterLimits) -> None:
        self.api = api
        self.limits = limits
        self.bytes = 0
        self.objects = 0

    def get(self, path: str, query: list[tuple[str, Any]] | None = None, accept: str = "application/json"
            ) -> dict[str, Any]:
        """One GET through the client's configuration (auth, TLS), its JSON answer within the budgets."""
        method, url, headers, _body, _post = self.api.param_serialize(
            "GET", path, query_params=query or [], header_params={"Accept": accept}, auth_settings=["BearerToken"])
        try:
            response = self.api.call_api(method, url, header_params=headers, _request_timeout=TIMEOUT)
            try:
                raw = self._body(response.response)
            finally:
                response.response.release_conn()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ClusterUnreachableError(f"API server unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status >= 400:
            raise _Refused(response.status, _status_message(raw))
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise _Refused(response.status, f"the answer is not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise _Refused(response.status, f"the answer is a JSON {type(data).__name__}, not an object")
        return data

    def _body(self, raw: urllib3.BaseHTTPResponse) -> bytes:
        """The body, never more than the per-response cap nor what is left of the cluster's byte cap."""
        cap = min(self.limits.response_bytes, self.limits.total_bytes - self.bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.stream(CHUNK):
            size += len(chunk)
            if size > cap:
                self.bytes += size
                which = "per-response" if cap == self.limits.response_bytes else "per-cluster"
                raise _Capped(f"an answer exceeded the {which} cap of {cap // 2**20} MiB")
            chunks.append(chunk)
        self.bytes += size
        return b"".join(chunks)

    def pages(self, path: str, selector: str | None, accept: str) -> Iterator[dict[str, Any]]:
        """Every item of a list, page by page; raises _Capped when a cap is reached or the server repeats itself."""
        token: str | None = None
        seen: set[str] = set()
        for _ in range(self.limits.pages_per_resource):
            query: list[tuple[str, Any]] = [("limit", PAGE_SIZE)]
            if token:
                query.append(("continue", token))
            if selector:
                query.append(("labelSelector", selector))
            page = self.get(path, query, accept)
            items = page.get("items")
            yield from (i for i in (items if isinstance(items, list) else []) if isinstance(i, dict))
            metadata = page.get("metadata")
            token = metadata.get("continue") if isinstance(metadata, dict) else None
            if not token:
                return
            if not isinstance(token, str) or token in seen:
                raise _Capped(f"the server repeated a continue token after {plural(len(seen) + 1, 'page')}")
            seen.add(token)
        raise _Capped(f"more than {self.limits.pages_per_resource} pages")


def in_cluster() -> bool:
    """Whether the process runs in a pod with a service account (and so needs no kubeconfig)."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(SERVICE_ACCOUNT_TOKEN)


def collect_cluster(kubeconfig: str | None, context: str | None, now: datetime,
                    limits: ClusterLimits | None = None) -> ClusterEvidence:
    """Discovery once, then every wanted resource type listed in pages; refusals become access records, and a
    resource read only up to one of the `limits` is recorded as partially observed."""
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
    reader = _Reader(api, limits or ClusterLimits())
    try:
        try:
            version = reader.get("/version").get("gitVersion")
            groups = _discover(reader)
        except _Refused as exc:
            raise ClusterUnreachableError(f"API server refused discovery ({exc.status}): {exc.message}") from exc
        except _Capped as exc:
            raise ClusterUnreachableError(f"API server discovery not usable: {exc}") from exc
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
        except (_Refused, _Capped):
            resources = []
        wanted += [Wanted(CONSTRAINTS_GROUP, str(r["name"]), str(r.get("kind") or r["name"]))
                   for r in (resources if isinstance(resources, list) else [])
                   if isinstance(r, dict) and r.get("name") and "/" not in str(r["name"])]
    return wanted


def _read(reader: _Reader, wanted: Wanted, groups: dict[str, str], into: list[dict[str, Any]]) -> ResourceAccess:
    version = groups.get(wanted.group)
    if version is None:
        return ResourceAccess(wanted.key, AccessStatus.NOT_INSTALLED, message=f"API group {wanted.group} not served")
    path = f"/api/v1/{wanted.plural}" if wanted.group == "" else f"/apis/{wanted.group}/{version}/{wanted.plural}"
    accept = METADATA_ONLY if wanted.metadata_only else "application/json"
    count = 0
    limits = reader.limits
    try:
        if reader.objects >= limits.objects:
            raise _Capped(f"not read: the cluster's cap of {limits.objects:,} objects was reached before it")
        for item in reader.pages(path, wanted.label_selector, accept):
            if count >= limits.objects_per_resource:
                raise _Capped(f"more than {limits.objects_per_resource:,} objects")
            if reader.objects >= limits.objects:
                raise _Capped(f"the cluster's cap of {limits.objects:,} objects was reached")
            item.setdefault("apiVersion", f"{wanted.group}/{version}" if wanted.group else "v1")
            item.setdefault("kind", wanted.kind)
            into.append(sanitize(item))
            count += 1
            reader.objects += 1
    except _Capped as exc:
        return ResourceAccess(wanted.key, AccessStatus.PARTIAL, count, message=f"partially observed: {exc}",
                              fix="check the API server; what was read is kept, absence of an object is not shown")
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
