"""Reads session templates: safe YAML plus ``$VAR`` substitution in values.

The document is composed into a YAML node tree and turned into Python data here rather
than by a YAML constructor, so that

* numbers keep their source text (``007`` stays ``"007"``, ``0.3`` stays ``"0.3"``),
* duplicate keys are reported instead of silently overwritten,
* template variables are substituted per scalar *value* (never in keys, and never in
  comments, which YAML drops), with the scalar's position for error messages.

``$NAME`` and ``${NAME}`` are variables. Anything starting with ``$$`` is left alone, so
``$$SCONE::secret$$`` placeholders pass through untouched. There is no escape for a
literal ``$NAME`` in a value; it is always read as a variable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

import yaml

from localcas.errors import PolicyError
from localcas.policy.checks import Path

_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _MAP, _SEQ = (_TAG + t for t in ("null", "bool", "map", "seq"))
_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")
_VARIABLE_RE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
# Aliases can make a small document expand enormously; sessions are never this big.
_MAX_NODES = 100_000
_LOADERS: tuple[Any, ...] = (
    (yaml.CSafeLoader, yaml.SafeLoader) if yaml.__with_libyaml__ else (yaml.SafeLoader,)
)
_resolve_implicit = cast(
    Callable[[type[yaml.Node], str, tuple[bool, bool]], str], yaml.resolver.Resolver().resolve
)


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _error_at(message: str, path: Path, node: yaml.Node) -> PolicyError:
    line, column = _position(node)
    return PolicyError(message, path=path, line=line, column=column)


def _syntax_error(err: yaml.YAMLError, text: str) -> PolicyError:
    """A PolicyError with a plain one-line message and 1-based position."""
    if isinstance(err, yaml.MarkedYAMLError):
        problem, context = err.problem, err.context
        if problem and context:
            joined = (
                f"{context}, {problem}"
                if problem.startswith("but ")
                else (f"{problem} ({context})")
            )
        else:
            joined = problem or context or "malformed document"
        mark = err.problem_mark or err.context_mark
        if mark is None:
            return PolicyError(f"invalid YAML: {joined}")
        return PolicyError(f"invalid YAML: {joined}", line=mark.line + 1, column=mark.column + 1)
    if isinstance(err, yaml.reader.ReaderError):
        position = int(err.position)
        before = text[:position]
        line = before.count("\n") + 1
        column = position - (before.rfind("\n") + 1) + 1
        char = err.character if isinstance(err.character, int) else ord(str(err.character)[:1])
        return PolicyError(
            f"invalid YAML: unacceptable character #x{char:04x}: "
            "control characters are not allowed",
            line=line,
            column=column,
        )
    return PolicyError(f"invalid YAML: {err}")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of the single document in ``text`` (None when there is none).

    libyaml is used when present; on an error the pure-Python parser runs again so that
    messages do not depend on whether libyaml is installed.
    """
    for loader in _LOADERS:
        try:
            return yaml.compose(text, Loader=loader)
        except yaml.YAMLError as err:
            if loader is _LOADERS[-1]:
                raise _syntax_error(err, text) from None
        except RecursionError:
            raise PolicyError("invalid YAML: the document is nested too deeply") from None
    raise AssertionError("unreachable")


def _plain_value(tag: str, text: str) -> Any:
    """The Python value of a plain scalar: null, bool, or its text (numbers included)."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
    return text


class _Builder:
    """Turns a node tree into dicts, lists and scalars, substituting variables."""

    def __init__(self, substitute: Callable[[str, Path, yaml.Node], str] | None) -> None:
        self.substitute = substitute
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _error_at(
                "the document is too large (too many nodes after expanding aliases)", path, node
            )
        if id(node) in self.active:
            raise _error_at("recursive YAML alias", path, node)
        if not node.tag.startswith(_TAG):
            raise _error_at(f"unsupported YAML tag {node.tag!r}", path, node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
                return self.mapping(node, path)
            raise _error_at(f"unsupported YAML tag {node.tag!r}", path, node)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        text = str(node.value)
        plain = node.style in (None, "")
        if self.substitute is not None and "$" in text:
            replaced = self.substitute(text, path, node)
            if replaced != text and plain:
                # Re-resolve as YAML would, had the value been written there literally.
                tag = _resolve_implicit(yaml.ScalarNode, replaced, (True, False))
                return _plain_value(tag, replaced)
            text = replaced
        return _plain_value(node.tag, text) if plain else text

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _error_at("mapping keys must be plain text", path, key_node)
            if key_node.tag == _TAG + "merge":
                raise _error_at("YAML merge keys ('<<') are not supported", path, key_node)
            key = str(key_node.value)
            if key in out:
                raise _error_at(f"duplicate key '{key}'", (*path, key), key_node)
            out[key] = self.build(value_node, (*path, key))
        return out


def _substituter(variables: Mapping[str, str]) -> Callable[[str, Path, yaml.Node], str]:
    values = {name: value.rstrip() for name, value in variables.items()}

    def substitute(text: str, path: Path, node: yaml.Node) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name is None:  # "$$": the start or end of a $$SCONE::...$$ placeholder
                return match.group(0)
            if name not in values:
                raise _error_at(f"Value for variable ${name} is missing", path, node)
            return values[name]

        return _VARIABLE_RE.sub(replace, text)

    return substitute


def parse_template(text: str, *, filename: str, variables: Mapping[str, str]) -> dict[str, Any]:
    """Parses a session template and substitutes ``variables`` into its values.

    ``filename`` only names the file in messages. Trailing whitespace (including the
    "\\r" a terminal may add) is stripped from every variable value. Raises
    :class:`~localcas.errors.PolicyError` for syntax errors, duplicate keys, a
    top level that is not a mapping, and variables without a value.
    """
    root = _compose(text)
    if root is None:
        raise PolicyError(
            f"the session file '{filename}' is empty; it needs at least a `name:` line"
        )
    if not isinstance(root, yaml.MappingNode):
        raise _error_at(
            "the session description must be a mapping of keys such as `name:` at the top level",
            (),
            root,
        )
    data = _Builder(_substituter(variables)).build(root, ())
    if not isinstance(data, dict):  # pragma: no cover - a mapping node builds a dict
        raise AssertionError("top level did not build a dict")
    return data


def locate(text: str, path: tuple[str | int, ...]) -> tuple[int, int] | None:
    """The 1-based (line, column) of the entry at ``path`` in ``text``.

    Scalar values point at the value itself, other mapping entries at their key, list
    items at the item. When the path does not exist (for example a missing key), the
    position of the deepest existing ancestor is returned. None when ``text`` does not
    parse or holds no document.
    """
    try:
        node = _compose(text)
    except PolicyError:
        return None
    if node is None:
        return None
    found: yaml.Node = node
    anchor: yaml.Node = node
    for part in path:
        child: yaml.Node | None = None
        if isinstance(found, yaml.MappingNode):
            for key_node, value_node in found.value:
                if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == str(part):
                    child, anchor = value_node, key_node
                    break
        elif (
            isinstance(found, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(found.value)
        ):
            child = anchor = found.value[part]
        if child is None:
            break
        found = child
    target = found if isinstance(found, yaml.ScalarNode) else anchor
    return _position(target)
