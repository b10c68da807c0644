"""The SCONE session language as far as the course needs it.

Reading a session file is two steps: :func:`parse_template` turns YAML text (with
``$VAR`` substitution) into plain data, and :func:`validate` checks that data and
returns the normalised form the CAS stores. :func:`load_session` does both and attaches
source positions to validation errors (:func:`locate` finds them). From a normalised
form, :func:`session_hash` gives the session hash and :func:`read_form` the YAML that
``scone session read`` prints. All failures raise :class:`localcas.errors.PolicyError`.
"""

from localcas.policy.loading import load_session
from localcas.policy.normalise import (
    canonical_json,
    parent_name,
    session_hash,
    version_at_least_03,
)
from localcas.policy.readform import read_form
from localcas.policy.schema import check_session_name, validate
from localcas.policy.template import locate, parse_template

__all__ = [
    "canonical_json",
    "check_session_name",
    "load_session",
    "locate",
    "parent_name",
    "parse_template",
    "read_form",
    "session_hash",
    "validate",
    "version_at_least_03",
]
