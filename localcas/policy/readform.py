"""Prints a normalised session the way ``scone session read`` shows it.

Top-level keys come in the order version, name, predecessor, services, images, volumes,
secrets, access_policy, security, creator (anything else after them, sorted). Lists are
in block style, multi-line text such as the creator certificate uses ``|`` blocks, and
strings that YAML would otherwise read as numbers, booleans or null are quoted, so that
reading the output back with :func:`parse_template` and :func:`validate` gives the same
normalised session.

Caveat: values are written verbatim, so a value holding ``$NAME`` or ``${NAME}`` would be
taken for a template variable when the text is parsed again. ``$$SCONE::...$$``
placeholders are safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from localcas.policy.schema import validate

READ_ORDER = (
    "version",
    "name",
    "predecessor",
    "services",
    "images",
    "volumes",
    "secrets",
    "access_policy",
    "security",
    "creator",
)


class _ReadFormDumper(yaml.SafeDumper):
    """SafeDumper that never writes anchors and prefers ``|`` blocks for multi-line text."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_ReadFormDumper.add_representer(str, _represent_str)


def read_form(normalised: Mapping[str, Any]) -> str:
    """The YAML text of a normalised session (validated again to fix the key order)."""
    session = validate(normalised)
    ordered = {key: session[key] for key in READ_ORDER if key in session}
    ordered.update({key: session[key] for key in sorted(session) if key not in ordered})
    return yaml.dump(
        ordered,
        Dumper=_ReadFormDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
