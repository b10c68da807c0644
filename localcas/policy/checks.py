"""Small field checkers shared by the session validators.

Each checker takes the raw value and its path inside the document, returns the value in
normalised form, and raises :class:`~localcas.errors.PolicyError` (with that path) when
the value is unusable. Messages say what is wrong and, where possible, how to fix it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

from localcas.errors import PolicyError

Path = tuple[str | int, ...]

SEGMENT_RE = re.compile(r"[A-Za-z0-9_\-.~]{1,128}")
SEGMENT_RULE = "1 to 128 characters from A-Z, a-z, 0-9, '_', '-', '.' and '~'"
_HEX_RE = re.compile(r"[0-9a-fA-F]*")


def fail(message: str, path: Path) -> NoReturn:
    """Raises a PolicyError for ``path``."""
    raise PolicyError(message, path=path)


def kind_of(value: object) -> str:
    """A short phrase naming the JSON type of ``value`` for error messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def as_mapping(value: object, path: Path) -> Mapping[str, Any]:
    """Requires a mapping with string keys."""
    if not isinstance(value, Mapping):
        fail(f"must be a mapping (key: value entries), not {kind_of(value)}", path)
    for key in value:
        if not isinstance(key, str):
            fail(f"keys must be strings, not {kind_of(key)}", path)
    return value


def check_keys(
    mapping: Mapping[str, Any], allowed: Sequence[str], path: Path, *, required: Iterable[str] = ()
) -> None:
    """Rejects keys outside ``allowed`` (suggesting a close match) and missing required keys."""
    for key in mapping:
        if key not in allowed:
            message = f"unknown key '{key}'; allowed keys: {', '.join(allowed)}"
            close = difflib.get_close_matches(key, allowed, n=1)
            if close:
                message += f"; did you mean '{close[0]}'?"
            fail(message, (*path, key))
    for key in required:
        if key not in mapping:
            fail(f"missing required key '{key}'", path)


def as_list(value: object, path: Path, *, example: str = "") -> list[Any]:
    """Requires a list (a YAML block or flow sequence)."""
    if not isinstance(value, list | tuple):
        hint = f", e.g. {example}" if example else ""
        fail(f"must be a list{hint}, not {kind_of(value)}", path)
    return list(value)


def as_str(value: object, path: Path, *, allow_empty: bool = True) -> str:
    """Requires a string; booleans and nulls get a hint about quoting."""
    if isinstance(value, bool):
        fail(
            f"must be a string, but YAML read {kind_of(value)}; "
            "put the value in quotes if you mean text",
            path,
        )
    if value is None:
        fail(
            "has no value; write a value (or remove the key), and check that template "
            "variables used here are set",
            path,
        )
    if not isinstance(value, str):
        fail(f"must be a string, not {kind_of(value)}", path)
    if not allow_empty and not value.strip():
        fail("must not be empty", path)
    return value


def as_bool(value: object, path: Path) -> bool:
    """Requires true or false."""
    if not isinstance(value, bool):
        fail(f"must be true or false (without quotes), not {kind_of(value)}", path)
    return value


def as_int(value: object, path: Path, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Requires a whole number, given as an int (JSON) or as decimal digits (YAML text)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        fail(f"must be a whole number, not {kind_of(value)}", path)
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            fail(f"must be a whole number written in decimal digits, not {value!r}", path)
        value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        fail(f"must be at least {minimum}{upper}, not {value}", path)
    return value


def as_hex(value: object, path: Path, *, digits: int, what: str) -> str:
    """Requires exactly ``digits`` hex digits; returns them in lower case."""
    text = as_str(value, path).strip()
    if len(text) != digits or not _HEX_RE.fullmatch(text):
        fail(f"{what} must be {digits} hexadecimal digits, not {text!r}", path)
    return text.lower()


def as_segment(value: object, path: Path, *, what: str) -> str:
    """Requires a single name segment (no '/') such as a secret, service or volume name."""
    text = as_str(value, path)
    if not SEGMENT_RE.fullmatch(text):
        fail(f"invalid {what} {text!r}: use {SEGMENT_RULE} (no '/')", path)
    return text


def as_str_list(value: object, path: Path, *, example: str = "") -> list[str]:
    """Requires a list of strings."""
    items = as_list(value, path, example=example)
    return [as_str(item, (*path, index)) for index, item in enumerate(items)]


def as_session_ref(value: object, path: Path) -> str:
    """Requires a session name as used by exports and imports (relative forms allowed)."""
    text = as_str(value, path, allow_empty=False).strip()
    if any(not SEGMENT_RE.fullmatch(part) for part in text.split("/")):
        fail(f"invalid session name {text!r}: each '/'-separated part must be {SEGMENT_RULE}", path)
    return text


def check_unique(names: Iterable[tuple[str, Path]], what: str) -> None:
    """Rejects the second occurrence of a name."""
    seen: set[str] = set()
    for name, path in names:
        if name in seen:
            fail(f"duplicate {what} name {name!r}; names must be unique", path)
        seen.add(name)


def plain(value: object, path: Path) -> Any:
    """A deep copy made of dict/list/str/bool/None; numbers become their decimal text.

    Numbers are turned into text because that is what the YAML reader produces for them,
    so the copy survives a round trip through the read form unchanged.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return {key: plain(item, (*path, key)) for key, item in as_mapping(value, path).items()}
    if isinstance(value, list | tuple):
        return [plain(item, (*path, index)) for index, item in enumerate(value)]
    fail(f"unsupported value of type {type(value).__name__}", path)
