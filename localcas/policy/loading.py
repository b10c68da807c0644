"""One call from template text to a normalised session, with source positions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcas.errors import PolicyError
from localcas.policy.schema import validate
from localcas.policy.template import locate, parse_template


def load_session(text: str, *, filename: str, variables: Mapping[str, str]) -> dict[str, Any]:
    """``validate(parse_template(...))``; validation errors get the line and column of
    the offending entry (or of its nearest existing ancestor) in ``text``."""
    data = parse_template(text, filename=filename, variables=variables)
    try:
        return validate(data)
    except PolicyError as err:
        position = locate(text, err.path) if err.line is None else None
        if position is None:
            raise
        raise err.located(*position) from None
