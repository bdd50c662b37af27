"""Text from scanned repositories, commits, APIs and clusters made inert for each output: it can show, never act.

Terminal escapes (OSC 52 clipboard writes, OSC 8 hyperlinks, colours), control characters, bidi overrides, newlines
that start a GitHub Actions workflow command (`::error …`), spreadsheet formulas, Markdown mentions and raw HTML,
characters XML 1.0 forbids, and unencoded URIs are all neutralised here, in one place."""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar, cast

T = TypeVar("T")

# C0 controls (but tab), DEL and C1 controls; ESC starts every terminal escape sequence, so showing it as `\x1b`
# leaves the rest of the sequence as harmless text.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates (Trojan Source), and zero-width marks that hide text.
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Characters XML 1.0 does not allow at all (tab, newline and carriage return are allowed).
XML_INVALID = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
MENTION = re.compile(r"(?<![\w`])@(?=[A-Za-z0-9])")
WORKFLOW_COMMAND = re.compile(r"^(\s*)::", re.MULTILINE)
ZERO_WIDTH_SPACE = "\u200b"


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r"}.get(char, f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def line(text: object) -> str:
    """One line for a terminal or a log: controls and bidi marks shown escaped (`\\x1b`, `\\n`), so no escape
    sequence runs and no newline starts a new line; a leading `::` (a workflow command) is broken."""
    value = BIDI.sub(_visible, CONTROL.sub(_visible, str(text)))
    return " " + value if value.lstrip().startswith("::") else value


def block(text: object) -> str:
    """Several lines for a terminal or a log: like `line`, but newlines kept and no line starting with `::`."""
    return WORKFLOW_COMMAND.sub(r"\1 ::", "\n".join(line(part) for part in str(text).split("\n")))


def csv_cell(text: object) -> str:
    """A CSV cell a spreadsheet will not evaluate (a leading apostrophe before = + - @ tab CR) and that holds no
    control character."""
    raw = str(text)
    value = line(raw)
    return "'" + value if raw.startswith(FORMULA_START) else value


def markdown(text: object) -> str:
    """Inline Markdown that renders as the text itself: no HTML, no formatting, no @mention that notifies anyone,
    no bidi override, on one line."""
    value = BIDI.sub(_visible, CONTROL.sub(" ", str(text)))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = re.sub(r"([\\`*_\[\]|~])", r"\\\1", value)
    return MENTION.sub("@" + ZERO_WIDTH_SPACE, value)


def xml_text(text: object) -> str:
    """Text that XML 1.0 can hold: forbidden characters shown escaped (`\\x1b`) instead of breaking the file."""
    return XML_INVALID.sub(_visible, str(text))


def uri(path: str) -> str:
    """A repository path as a relative URI reference (RFC 3986): spaces, `#`, `%`, `?` and non-ASCII encoded."""
    return urllib.parse.quote(path, safe="/-._~!$&'()*+,;=@")


def json_text(text: str) -> str:
    """JSON text with C1 controls and bidi marks written as `\\u` escapes (json.dumps with ensure_ascii=False keeps
    them raw, and a terminal showing the JSON would act on them); only strings can hold them, so it stays valid."""
    return C1_OR_BIDI.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


C1_OR_BIDI = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def tree(value: Any, clean: Callable[[object], str]) -> Any:
    """Every string (keys included) of a JSON-like value passed through one of the functions above."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: tree(v, clean) for k, v in value.items()}
    if isinstance(value, list):
        return [tree(v, clean) for v in value]
    return value


def typed(value: T, clean: Callable[[object], str]) -> T:
    """Every string (dictionary keys included, enum members not: their values are ours) of a typed value, such as a
    report, passed through one of the functions above; the same value otherwise."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return cast(T, clean(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return cast(T, dataclasses.replace(value, **{f.name: typed(getattr(value, f.name), clean)
                                                     for f in dataclasses.fields(value) if f.init}))
    if isinstance(value, tuple):
        return cast(T, tuple(typed(v, clean) for v in value))
    if isinstance(value, list):
        return cast(T, [typed(v, clean) for v in value])
    if isinstance(value, dict):
        return cast(T, {clean(k) if isinstance(k, str) else k: typed(v, clean) for k, v in value.items()})
    return value
