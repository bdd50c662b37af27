"""Safe, fast YAML reading: libyaml, YAML 1.2 booleans, line marks, duplicate keys, alias-bomb guard."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from assess.collectors.redaction import classify, is_credential_key, is_secret_kind, marker, redact, redact_text
from assess.model.evidence import FileProblem, Problem, YamlDoc

# Parsed trees cost several times the bytes; a node budget stops alias bombs and monsters alike. Nodes are counted
# as if every alias were expanded, because copying a document (redaction, the JSON-ready body) does expand them.
MAX_EXPANDED_NODES = 200_000  # one document of a repository file
# One file: a 4 MiB file (the byte cap) holds at most ~2M nodes without aliases, so only aliases can reach this.
MAX_FILE_NODES = 2_000_000
# One run: the nodes that exist only because an alias was expanded, summed over every file the run parses.
MAX_RUN_EXPANSION = 5_000_000
# A document read whole (a cluster snapshot, a policy file, an inline patch): its own nodes are bounded by its bytes;
# what aliases add on top is bounded here.
MAX_DOCUMENT_EXPANSION = 1_000_000


class _Loader(yaml.CSafeLoader):
    """CSafeLoader with YAML 1.2 booleans (so `on:` stays a string) and timestamps left as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor("tag:yaml.org,2002:binary", lambda loader, node: "<binary>")


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """An application tag (`!env_var`, `!ENV`, `!!python/name:…`) read as the plain value it tags, as Kubernetes
    tooling does: the tag is not ours to interpret, and executing it is out of the question."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    if INDIRECT_TAG.search(node.tag or "") and isinstance(value, str) and value:
        return f"${{{value}}}"  # `!env_var KEY`: the value comes from elsewhere, read as a substitution
    return value


INDIRECT_TAG = re.compile(r"env|secret|vault|ssm|include|file", re.IGNORECASE)
_Loader.add_constructor(None, _untagged)

# libyaml's wording, in plain words (the line is given beside it).
PLAIN_ERRORS = (
    ("mapping values are not allowed", "a `key: value` appears where a plain value was expected (check the "
     "indentation, or quote a value that contains ': ')"),
    ("that cannot start any token", "a character YAML does not allow here (a tab used for indentation, or an "
     "unquoted '@' or '`')"),
    ("expected <block end>", "the indentation does not line up with the lines above"),
    ("did not find expected key", "the indentation does not line up, or a '-' is missing in a list"),
    ("could not find expected ':'", "a line is not a `key: value` pair (a missing ':' or an unclosed quote above)"),
    ("found undefined alias", "an alias (*name) refers to an anchor that is not defined"),
    ("found unexpected end of stream", "a quoted string or a flow collection is never closed"),
    ("found unknown escape character", "an invalid escape sequence in a double-quoted string"),
    ("expected ',' or ']'", "a flow list [...] is not closed properly"),
    ("expected ',' or '}'", "a flow mapping {...} is not closed properly"),
    ("expected a comment or a line break", "text follows a value on the same line where YAML expects nothing more"),
    ("found a tab character", "a tab character where YAML needs spaces"),
    ("expected <document start>", "a second document starts without a '---' separator"),
)


def plain_error(detail: str) -> str:
    """libyaml's message in plain words, its original wording kept in parentheses."""
    for needle, plain in PLAIN_ERRORS:
        if needle in detail:
            return f"{plain} ({detail})"
    return detail


class AliasBombError(Exception):
    """A document whose alias expansion exceeds the node budget."""


class RunBudgetSpent(AliasBombError):
    """The run's budget of alias-expanded nodes is spent: the file is not parsed (it may be innocent)."""


class NodeBudget:
    """Alias-expanded nodes one run may still build, shared by every file it parses (and by worker threads)."""

    def __init__(self, nodes: int = MAX_RUN_EXPANSION) -> None:
        self.limit = nodes
        self.used = 0
        self.refused = 0
        self._lock = threading.Lock()

    def take(self, nodes: int) -> bool:
        """Reserve `nodes` expanded nodes; False (and one more refusal counted) when that would exceed the budget."""
        with self._lock:
            if self.used + nodes > self.limit:
                self.refused += 1
                return False
            self.used += nodes
            return True


@dataclass(frozen=True)
class ParsedYaml:
    """Documents of one file, or the problem that stopped parsing part-way, and what was accepted leniently."""

    docs: tuple[YamlDoc, ...]
    problem: Problem | None
    notes: tuple[str, ...] = ()


def parse_yaml(path: str, text: str, keep_body: frozenset[str] | None = None,
               budget: NodeBudget | None = None) -> ParsedYaml:
    """Parse every document of a YAML file; keep bodies only of kinds in keep_body (None keeps all).

    Alias expansion is charged to `budget` (the run's; a fresh one when None) before anything is built.
    YAML that Kubernetes tooling accepts is accepted: a redefined anchor (later aliases refer to the latest
    definition, as in Go's YAML) is noted, not called broken."""
    budget = budget if budget is not None else NodeBudget()
    parsed = _parse(path, text, keep_body, budget)
    if parsed.problem is not None and parsed.problem.kind is FileProblem.BROKEN_YAML and \
            "duplicate anchor" in parsed.problem.detail:
        renamed = _unique_anchors(text)
        if renamed is not None:
            again = _parse(path, renamed, keep_body, budget)
            if again.problem is None:
                return ParsedYaml(again.docs, None, ("an anchor is defined twice (accepted: later aliases use the "
                                                      "later definition, as Kubernetes tooling does)",))
    return parsed


def _parse(path: str, text: str, keep_body: frozenset[str] | None, budget: NodeBudget) -> ParsedYaml:
    docs: list[YamlDoc] = []
    # without a `*` there is no alias, so nothing can expand beyond the text itself: skip the guard's walk
    may_alias = "*" in text
    file_nodes = [0]
    try:
        loader = _Loader(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                doc = _build_doc(path, index, node, loader, keep_body, may_alias, budget, file_nodes)
                if doc is not None:
                    docs.append(doc)
                index += 1
        finally:
            loader.dispose()
    except RunBudgetSpent as exc:
        return ParsedYaml(tuple(docs), Problem(FileProblem.NODE_BUDGET, str(exc)))
    except AliasBombError as exc:
        return ParsedYaml(tuple(docs), Problem(FileProblem.ALIAS_BOMB, str(exc)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        parts = [str(p).strip() for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p]
        detail = "; ".join(parts) or str(exc).strip()
        return ParsedYaml(tuple(docs), Problem(FileProblem.BROKEN_YAML, plain_error(detail), line))
    except RecursionError:
        return ParsedYaml(tuple(docs), Problem(FileProblem.BROKEN_YAML, "nesting too deep"))
    return ParsedYaml(tuple(docs), None)


def _unique_anchors(text: str) -> str | None:
    """The text with each redefinition of an anchor (and the aliases after it) given a name of its own."""
    try:
        tokens = [t for t in yaml.scan(text, Loader=yaml.CSafeLoader)
                  if isinstance(t, (yaml.AnchorToken, yaml.AliasToken))]
    except yaml.YAMLError:
        return None
    current: dict[str, str] = {}
    seen: dict[str, int] = {}
    edits: list[tuple[int, int, str]] = []
    for tok in tokens:
        name = str(tok.value)
        if isinstance(tok, yaml.AnchorToken):
            seen[name] = seen.get(name, 0) + 1
            current[name] = name if seen[name] == 1 else f"{name}__redefined{seen[name]}"
            sigil = "&"
        else:
            sigil = "*"
        if current.get(name, name) != name:
            edits.append((tok.start_mark.index, tok.end_mark.index, sigil + current[name]))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def load_documents(text: str, expansion: int = MAX_DOCUMENT_EXPANSION) -> list[Any]:
    """Plain data of every document (safe loader, YAML 1.2 booleans); raises ValueError.

    The nodes aliases add, over all documents together, may not exceed `expansion`: the text's own nodes are
    bounded by its length, and this bounds what a copy of the result can grow to."""
    loader = _Loader(text)
    out: list[Any] = []
    added = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if "*" in text:
                distinct = _count_distinct(node)
                added += _check_expansion(node, limit=distinct + expansion - added) - distinct
            out.append(loader.construct_document(node))
    except AliasBombError as exc:
        raise ValueError(f"aliases expand it by more than {expansion:,} nodes (alias bomb?)") from exc
    except RecursionError as exc:
        raise ValueError("invalid YAML: nesting too deep") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"invalid YAML: {where}{getattr(exc, 'problem', None) or exc}") from exc
    finally:
        loader.dispose()
    return out


def _is_json_patch(data: Any) -> bool:
    """A top-level list of JSON 6902 operations."""
    return isinstance(data, list) and bool(data) and all(isinstance(op, dict) and "op" in op and "path" in op
                                                         for op in data)


def _build_doc(
    path: str, index: int, node: yaml.Node, loader: _Loader, keep_body: frozenset[str] | None, may_alias: bool,
    budget: NodeBudget, file_nodes: list[int],
) -> YamlDoc | None:
    expanded = _check_expansion(node) if may_alias else 0
    lines: dict[str, int] = {}
    dupes: list[tuple[str, int]] = []
    seen: set[int] = set()
    _walk(node, "", lines, dupes, seen)
    _charge(max(expanded, len(seen)), len(seen), budget, file_nodes)
    start = node.start_mark.line + 1
    header = _header(node)
    if keep_body is not None and header is not None and header[1] is not None and header[1] not in keep_body:
        # Checks read only the header of this kind: the body is never built (CRD schemas, dashboards, …).
        api_version, kind, name, namespace = header
        return YamlDoc(path=path, index=index, line=start, api_version=api_version, kind=kind, name=name,
                       namespace=namespace, body=None, lines={}, duplicate_keys=tuple(dupes))
    data = _plain_document(node, loader)
    if data is None:  # an empty document between two `---`
        return None
    if not isinstance(data, dict):
        # A JSON 6902 patch file (a list of `{op, path}`) is kept: overlays apply it to what they build.
        keep_list = keep_body is None or _is_json_patch(data)
        return YamlDoc(path=path, index=index, line=start, body=redact(data, None) if keep_list else None,
                       lines=lines, duplicate_keys=tuple(dupes))
    api_version = data.get("apiVersion") if isinstance(data.get("apiVersion"), str) else None
    raw_kind = data.get("kind")
    kind = raw_kind.strip() if isinstance(raw_kind, str) else None
    meta_value = data.get("metadata")
    meta: dict[Any, Any] = meta_value if isinstance(meta_value, dict) else {}
    name = meta.get("name")
    namespace = meta.get("namespace")
    keep = keep_body is None or (kind is not None and kind in keep_body) or kind is None
    body = redact(data, kind) if keep else None
    return YamlDoc(
        path=path,
        index=index,
        line=start,
        api_version=api_version,
        kind=kind,
        name=str(name) if name is not None else None,
        namespace=str(namespace) if namespace is not None else None,
        body=body,
        lines=lines if keep else {},
        duplicate_keys=tuple(dupes),
    )


def _header(node: yaml.Node) -> tuple[str | None, str | None, str | None, str | None] | None:
    """(apiVersion, kind, metadata.name, metadata.namespace) read from the node tree of a mapping document whose
    header values are plain scalars; None when it is not that simple (the document is then built to read them)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found: dict[str, str | None] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value not in ("apiVersion", "kind", "metadata"):
            continue
        if key.value == "metadata":
            if not isinstance(value, yaml.MappingNode):
                continue
            for meta_key, meta_value in value.value:
                if isinstance(meta_key, yaml.ScalarNode) and meta_key.value in ("name", "namespace"):
                    if not isinstance(meta_value, yaml.ScalarNode):
                        return None
                    null = meta_value.style is None and meta_value.value in ("", "~", "null", "Null", "NULL")
                    found[meta_key.value] = None if null else meta_value.value
        elif isinstance(value, yaml.ScalarNode):
            found[key.value] = value.value
        else:
            return None
    kind = found.get("kind")
    return found.get("apiVersion"), kind.strip() if kind is not None else None, found.get("name"), \
        found.get("namespace")


def _charge(expanded: int, distinct: int, budget: NodeBudget, file_nodes: list[int]) -> None:
    """Charge one document to its file's and the run's budgets before anything is built from it."""
    file_nodes[0] += expanded
    if file_nodes[0] > MAX_FILE_NODES:
        raise AliasBombError(f"the file expands to more than {MAX_FILE_NODES:,} nodes (alias bomb?); documents from "
                             "this one on are not read")
    if expanded > distinct and not budget.take(expanded - distinct):
        raise RunBudgetSpent(f"not read: this run's budget of {budget.limit:,} alias-expanded YAML nodes is spent "
                             "(other files expand their aliases into more than that)")


def _count_distinct(root: yaml.Node) -> int:
    """Nodes of a document graph, each counted once however many aliases refer to it."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _check_expansion(root: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """Count nodes as if aliases were expanded, without expanding them; raise AliasBombError beyond `limit`."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # cycles (recursive aliases) count once
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        if total > limit:
            raise AliasBombError(f"document expands to more than {limit:,} nodes (alias bomb?)")
        sizes[id(node)] = total
        return total

    return size(root)


def _walk(
    node: yaml.Node, prefix: str, lines: dict[str, int], dupes: list[tuple[str, int]], seen: set[int]
) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            path = f"{prefix}.{key}" if prefix else key
            line = key_node.start_mark.line + 1
            if key in keys and key != "<<":
                dupes.append((path, line))
            keys.add(key)
            lines.setdefault(path, line)
            _walk(value_node, path, lines, dupes, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}.{i}" if prefix else str(i)
            lines.setdefault(path, item.start_mark.line + 1)
            _walk(item, path, lines, dupes, seen)


_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"


class _Unusual(Exception):
    """A node the fast builder leaves to PyYAML's constructor (complex keys)."""


def _plain_document(node: yaml.Node, loader: _Loader) -> Any:
    """The document as JSON-ready data (string keys, no shared references), built straight from the node tree: the
    result PyYAML's constructor followed by `_plain` gives, at a fraction of the cost. Anything unusual (an
    application tag on a collection, a complex key) falls back to that constructor."""
    try:
        return _fast(node, loader)
    except _Unusual:
        return _plain(loader.construct_document(node))


def _fast(node: yaml.Node, loader: _Loader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL and node.value in ("true", "True", "TRUE", "false", "False", "FALSE"):
            return node.value[0] in "tT"
        return _plain(loader.construct_object(node))  # ints, floats, binary, application tags
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            return _plain(loader.construct_object(node, deep=True))
        return [_fast(item, loader) for item in node.value]
    if not isinstance(node, yaml.MappingNode):
        raise _Unusual
    if node.tag != _MAP:
        return _plain(loader.construct_object(node, deep=True))
    merges: list[yaml.Node] = []
    explicit: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag == _MERGE:
            merges.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        else:
            explicit.append((key, value))
    out: dict[str, Any] = {}
    # `<<: [*a, *b]`: explicit keys win, then the first merged mapping over later ones (as PyYAML merges).
    for merged in reversed(merges):
        part = _fast(merged, loader)
        if not isinstance(part, dict):
            raise _Unusual
        out.update(part)
    for key, value in explicit:
        if not isinstance(key, yaml.ScalarNode):
            raise _Unusual
        out[str(_fast(key, loader))] = _fast(value, loader)
    return out


def _plain(value: Any) -> Any:
    """JSON-ready copy: string keys, no shared references."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


_HEADER = re.compile(r"^(apiVersion|kind|\s*name|\s*namespace)\s*:\s*['\"]?([^'\"#{}\s]+)", re.MULTILINE)
_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_.\-/]+)\s*:\s*(.*?)\s*$")


def lenient_docs(path: str, text: str) -> Iterator[YamlDoc]:
    """Read a templated file line by line: kinds and top-level intent, without claiming a parse."""
    ranged = RANGE.search(text) is not None  # a `range` (often before the first `---`) repeats what follows
    for index, chunk_start, chunk in _split_docs(text):
        api_version = kind = name = namespace = None
        lines: dict[str, int] = {}
        raw_values: dict[str, str] = {}
        stack: list[tuple[int, str]] = []
        chunk_lines = chunk.splitlines()
        item_name = ""  # `- name: DB_PASSWORD` before `value: …`: an env entry or a Helm parameter
        for offset, raw in enumerate(chunk_lines):
            if "{{" in raw and ":" not in raw.split("{{")[0]:
                continue
            listed = _ITEM_NAME.match(raw)
            if listed:
                item_name = _scalar(listed.group(1))
            match = _KEY_LINE.match(raw)
            if not match or raw.lstrip().startswith(("#", "-")):
                continue
            indent, key, value = len(match.group(1)), match.group(2), match.group(3)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            dotted = ".".join([s[1] for s in stack] + [key])
            lineno = chunk_start + offset
            lines.setdefault(dotted, lineno)
            if value and "{{" not in value:
                lines.setdefault(f"{dotted}={_safe_value(key, value, item_name)}", lineno)
            stack.append((indent, key))
            raw_values[dotted] = _block(chunk_lines, offset, indent) if BLOCK_SCALAR.match(value) else value
            clean = _scalar(value) if "{{" not in value else None
            if dotted == "apiVersion":
                api_version = clean
            elif dotted == "kind":
                kind = clean
            elif dotted == "metadata.name":
                name = clean
            elif dotted == "metadata.namespace":
                namespace = clean
        if is_secret_kind(kind):  # values of a templated Secret never enter the evidence, only their class
            lines = {k: v for k, v in lines.items() if "=" not in k}
            for dotted, value in raw_values.items():
                if dotted.startswith(("data.", "stringData.")) and value:
                    lines[f"{dotted}={marker(classify(_scalar(value)))}"] = lines.get(dotted, 0)
        if kind or api_version:
            yield YamlDoc(path=path, index=index, line=chunk_start, api_version=api_version, kind=kind,
                          name=name, namespace=namespace, lines=lines, templated=True,
                          repeated=ranged)


_ITEM_NAME = re.compile(r"^\s*-\s+name\s*:\s*(.+?)\s*$")


def _safe_value(key: str, value: str, item_name: str) -> str:
    """A value read line by line as it may enter the evidence: a credential's value replaced by its class."""
    scalar = _scalar(value)
    if is_credential_key(key) or (key == "value" and is_credential_key(item_name)):
        return marker(classify(scalar))
    return redact_text(scalar)


RANGE = re.compile(r"\{\{-?\s*range\b|\{%-?\s*for\b")
BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")


def _block(lines: list[str], start: int, indent: int) -> str:
    """The text of a block scalar (`key: |`): the following lines indented deeper than its key."""
    out: list[str] = []
    for raw in lines[start + 1:]:
        if raw.strip() and len(raw) - len(raw.lstrip()) <= indent:
            break
        out.append(raw.strip())
    return "\n".join(out).strip()


def _scalar(value: str) -> str:
    """A value written on a line: an inline comment dropped, surrounding quotes removed (`kind: Secret # note`)."""
    text = value.strip()
    if not text.startswith(("'", '"')):
        text = re.split(r"\s+#", text, maxsplit=1)[0].strip()
    return text.strip("'\"")


def _split_docs(text: str) -> Iterator[tuple[int, int, str]]:
    index, start = 0, 1
    buf: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("---"):
            if buf:
                yield index, start, "\n".join(buf)
                index += 1
            buf, start = [], lineno + 1
            continue
        buf.append(raw)
    if buf:
        yield index, start, "\n".join(buf)


def decode_text(data: bytes) -> tuple[str | None, Problem | None]:
    """Decode file bytes: BOMs, UTF-8, then Latin-1 as a last resort; NUL bytes mean binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, Problem(FileProblem.UNDECODABLE, f"invalid UTF-16: {exc.reason}")
    if b"\x00" in data[:8192]:
        return None, Problem(FileProblem.BINARY, "binary content (NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("latin-1"), None
