"""Provides the exception tree of localcas.

Every error that localcas raises on purpose derives from :class:`LocalCasError`; the
edges (the `scone` CLI, the server's HTTP layer) translate them into user messages::

    LocalCasError
    ├── PolicyError          a session description is malformed or invalid
    ├── CasRequestError      the CAS refused a request (carries an HTTP status)
    │   ├── NotFound         404: no such session, version or value
    │   ├── PermissionDenied 403: the client's key is not allowed to do that
    │   ├── Conflict         409: name exists, or the predecessor is not current
    │   └── RequestTooLarge  413: body over the limit
    ├── StoreError           the database cannot be opened or is inconsistent
    ├── ConfigError          the CLI configuration file is unusable
    └── CliError             a `scone` command failed (the CLI prints it)
"""

from __future__ import annotations


class LocalCasError(Exception):
    """Base of every deliberate localcas error; ``str(err)`` is a user-facing sentence."""


class PolicyError(LocalCasError):
    """A session description (or template) is malformed or violates the session language.

    Attributes:
        message: what is wrong, without position.
        path: the location inside the document, e.g. ``("secrets", 0, "kind")``.
        line: 1-based line in the source file, when known.
        column: 1-based column in the source file, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: tuple[str | int, ...] = (),
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(self.describe())

    @property
    def dotted_path(self) -> str:
        """The path as ``secrets[0].kind`` (empty for the document itself)."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def describe(self) -> str:
        """One line: ``path: message at line L column C``."""
        text = f"{self.dotted_path}: {self.message}" if self.path else self.message
        if self.line is not None:
            text += f" at line {self.line} column {self.column}"
        return text

    def located(self, line: int, column: int) -> PolicyError:
        """A copy of this error with a source position attached."""
        return PolicyError(self.message, path=self.path, line=line, column=column)


class CasRequestError(LocalCasError):
    """The CAS refused a request; ``status`` is the HTTP status it answers with."""

    status = 400

    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(messages))


class NotFound(CasRequestError):
    """No such session, session version or public value."""

    status = 404


class PermissionDenied(CasRequestError):
    """The client's key does not satisfy the access policy."""

    status = 403


class Conflict(CasRequestError):
    """A create hit an existing name, or an update named a predecessor that is not current."""

    status = 409


class RequestTooLarge(CasRequestError):
    """The request body exceeds the CAS limit."""

    status = 413


class StoreError(LocalCasError):
    """The database cannot be opened, or holds something it must not."""


class ConfigError(LocalCasError):
    """The CLI configuration file cannot be read or written."""


class CliError(LocalCasError):
    """A `scone` command failed; printed as ``Error: <first>`` and ``Caused by: <rest>``."""

    def __init__(self, message: str, *causes: str, exit_code: int = 1) -> None:
        self.message = message
        self.causes = list(causes)
        self.exit_code = exit_code
        super().__init__(message)
