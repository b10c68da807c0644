"""Provides the structural diff of normalised snapshots, its text rendering and path lookup.

Paths name a place inside a normalised snapshot. The syntax:

- a mapping key is written after a dot when it is *bare*: non-empty and free of ``.``,
  ``[``, ``]``, ``"`` and whitespace (``sessions.<NS1>/private_public_values.versions``);
- any other key is written in brackets as a JSON string (``files["a2-namespace/state.env"]``);
- a list index is written in brackets as a number (``history[0].version``).

The first key of a path has no leading dot. :func:`select` accepts both spellings of a
key (``sessions.<NS1>`` and ``sessions["<NS1>"]``); :func:`diff` writes the bare one
whenever it can, so paths stay readable for a learner.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "diff", "format_path", "parse_path", "render_diff", "select"]

ChangeKind = Literal["added", "removed", "changed"]
PathPart = str | int

_BARE_KEY = re.compile(r'[^.\[\]"\s]+')
_MAX_VALUE_LINES = 12
_MAX_DIFF_LINES = 30
_MAX_TEXT = 80
_INLINE_WIDTH = 60
_RAISE: Any = object()
# Text that reads the same bare in YAML: no quote or comment character, no indicator first.
_PLAIN = re.compile(r"[^\s\"'#:{}\[\],&*!|>%@`-][^\"#]*")


@dataclass(frozen=True)
class Change:
    """One difference between two normalised snapshots.

    Attributes:
        path: where the difference is, in the syntax of this module's docstring.
        before: the old value; None when ``kind`` is ``"added"``.
        after: the new value; None when ``kind`` is ``"removed"``.
        kind: ``"added"``, ``"removed"`` or ``"changed"``.
    """

    path: str
    before: Any
    after: Any
    kind: ChangeKind


def format_path(parts: Sequence[PathPart]) -> str:
    """Writes path parts (keys and list indices) in this module's path syntax."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _BARE_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def parse_path(path: str) -> list[PathPart]:
    """Splits a path into keys (str) and list indices (int).

    Raises:
        ValueError: the path does not follow the syntax.
    """
    parts: list[PathPart] = []
    decoder = json.JSONDecoder()
    pos = 0
    while pos < len(path):
        char = path[pos]
        if char == "[":
            if path.startswith('"', pos + 1):
                try:
                    key, end = decoder.raw_decode(path, pos + 1)
                except json.JSONDecodeError as err:
                    raise ValueError(f"bad quoted key at {pos} in path {path!r}") from err
                parts.append(str(key))
            else:
                match = re.compile(r"[0-9]+").match(path, pos + 1)
                if match is None:
                    raise ValueError(f"expected an index or a quoted key at {pos} in {path!r}")
                parts.append(int(match.group()))
                end = match.end()
            if not path.startswith("]", end):
                raise ValueError(f"missing ']' at {end} in path {path!r}")
            pos = end + 1
            continue
        if char == ".":
            if not parts:
                raise ValueError(f"path {path!r} must not start with '.'")
            pos += 1
        elif parts:
            raise ValueError(f"expected '.' or '[' at {pos} in path {path!r}")
        match = _BARE_KEY.match(path, pos)
        if match is None:
            raise ValueError(f"expected a key at {pos} in path {path!r}")
        parts.append(match.group())
        pos = match.end()
    return parts


def select(normalised: Mapping[str, Any], path: str, default: Any = _RAISE) -> Any:
    """The value at ``path`` inside a normalised snapshot.

    A bare key made of digits also indexes a list, so ``history.0`` equals ``history[0]``.

    Args:
        normalised: what :func:`grader.state.normalise` returned (or any JSON-like value).
        path: e.g. ``sessions["<NS1>/private_public_values"].current.secrets[0].value``;
            the empty path selects the whole value.
        default: returned when the path does not exist; without it a KeyError is raised.

    Raises:
        KeyError: the path does not exist and no ``default`` was given.
        ValueError: the path does not follow the syntax.
    """
    value: Any = normalised
    for index, part in enumerate(parse_path(path)):
        found = _RAISE
        if isinstance(value, Mapping) and isinstance(part, str):
            found = value.get(part, _RAISE)
        elif isinstance(value, list):
            if isinstance(part, str) and part.isdigit():
                part = int(part)
            if isinstance(part, int) and part < len(value):
                found = value[part]
        if found is _RAISE:
            if default is not _RAISE:
                return default
            raise KeyError(f"{path}: nothing at {format_path(parse_path(path)[: index + 1])}")
        value = found
    return value


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, ignore: Collection[str] = ("names",)
) -> list[Change]:
    """The structural differences from ``before`` to ``after``.

    Mappings are compared key by key, recursively; lists of equal length item by item;
    lists of different lengths and values of different types are one change as a whole.

    Args:
        ignore: paths left out, with everything below them (by default the placeholder
            table ``names``, which differs between any two runs).
    """
    changes: list[Change] = []
    _walk(before, after, [], changes, {tuple(parse_path(p)) for p in ignore})
    return changes


def _walk(
    before: Any,
    after: Any,
    parts: list[PathPart],
    out: list[Change],
    ignore: set[tuple[PathPart, ...]],
) -> None:
    if tuple(parts) in ignore:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in [*before, *(k for k in after if k not in before)]:
            here = [*parts, key]
            if tuple(here) in ignore:
                continue
            if key not in after:
                out.append(Change(format_path(here), before[key], None, "removed"))
            elif key not in before:
                out.append(Change(format_path(here), None, after[key], "added"))
            else:
                _walk(before[key], after[key], here, out, ignore)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _walk(old, new, [*parts, index], out, ignore)
        return
    # The type check keeps True and 1 (equal in Python) apart.
    if type(before) is not type(after) or before != after:
        out.append(Change(format_path(parts), before, after, "changed"))


def render_diff(changes: Sequence[Change], *, limit: int = 40) -> str:
    """Text for a learner: one block per change, at most ``limit`` of them.

    Scalars are shown inline (``~ changed sessions.<NS1>.versions: 1 -> 2``), bigger
    values as indented YAML-like lines (truncated), changed multi-line texts as a
    unified diff. Returns the empty string when there are no changes.
    """
    lines: list[str] = []
    for change in changes[:limit]:
        lines.extend(_render_change(change))
    if len(changes) > limit:
        lines.append(f"… and {len(changes) - limit} more")
    return "\n".join(lines)


_SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}


def _render_change(change: Change) -> list[str]:
    head = f"{_SYMBOLS[change.kind]} {change.kind:<7} {change.path}"
    if change.kind != "changed":
        value = change.after if change.kind == "added" else change.before
        inline = _inline(value)
        if inline is not None:
            return [f"{head}: {inline}"]
        return [head, *_indent(_block(value), 4)]
    old, new = change.before, change.after
    if _is_text(old) and _is_text(new) and ("\n" in (old or "") or "\n" in (new or "")):
        return [head, *_indent(_text_diff(old, new), 4)]
    old_inline, new_inline = _inline(old), _inline(new)
    if old_inline is not None and new_inline is not None:
        return [f"{head}: {old_inline} -> {new_inline}"]
    return [
        head,
        "    before:",
        *_indent(_block(old), 6),
        "    after:",
        *_indent(_block(new), 6),
    ]


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _text_diff(old: str | None, new: str | None) -> list[str]:
    # An absent file (None) diffs like an empty one, so its creation reads as added lines.
    old_lines = [] if old is None else old.splitlines()
    new_lines = [] if new is None else new.splitlines()
    body = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=2))[2:]
    if not body:  # only line endings changed
        body = ["(the texts differ only in line endings or a final newline)"]
    body = [_truncate(line, _MAX_TEXT + 20) for line in body]
    if len(body) > _MAX_DIFF_LINES:
        body = [*body[:_MAX_DIFF_LINES], f"… ({len(body) - _MAX_DIFF_LINES} more lines)"]
    if old is None:
        body.insert(0, "(did not exist before)")
    if new is None:
        body.append("(does not exist any more)")
    return body


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    # Bare like YAML where that cannot be misread; quoted when empty, padded or keyword-like.
    if (
        not text
        or text != text.strip()
        or text in ("null", "true", "false", "~")
        or "\n" in text
        or not _PLAIN.fullmatch(text)
    ):
        text = json.dumps(text, ensure_ascii=False)
    return _truncate(text, _MAX_TEXT)


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _inline(value: Any) -> str | None:
    """A one-line form when it is short enough, else None."""
    if isinstance(value, str) and "\n" in value:
        return None
    if not isinstance(value, Mapping | list):
        return _scalar(value)
    text = _flow(value)
    return text if len(text) <= _INLINE_WIDTH else None


def _block(value: Any) -> list[str]:
    lines = _yamlish(value)
    if len(lines) > _MAX_VALUE_LINES:
        lines = [*lines[:_MAX_VALUE_LINES], f"… ({len(lines) - _MAX_VALUE_LINES} more lines)"]
    return lines


def _yamlish(value: Any) -> list[str]:
    if isinstance(value, str) and "\n" in value:
        return [_truncate(line, _MAX_TEXT) for line in value.splitlines()]
    if isinstance(value, Mapping):
        if not value:
            return ["{}"]
        lines: list[str] = []
        for key, item in value.items():
            inline = _inline(item)
            if inline is not None and (not isinstance(item, Mapping | list) or _flat(item)):
                lines.append(f"{_scalar(key)}: {inline}")
            else:
                suffix = " |" if isinstance(item, str) else ""
                lines.append(f"{_scalar(key)}:{suffix}")
                lines.extend(_indent(_yamlish(item), 2))
        return lines
    if isinstance(value, list):
        if not value:
            return ["[]"]
        lines = []
        for item in value:
            sub = _yamlish(item)
            lines.append(f"- {sub[0]}")
            lines.extend(_indent(sub[1:], 2))
        return lines
    return [_scalar(value)]


def _flat(value: Mapping[str, Any] | list[Any]) -> bool:
    """True for an empty value or a list of scalars (shown in flow style, like [CREATOR])."""
    if not value:
        return True
    return isinstance(value, list) and not any(isinstance(i, Mapping | list) for i in value)


def _indent(lines: list[str], width: int) -> list[str]:
    return [" " * width + line for line in lines]
