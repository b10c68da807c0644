"""Provides the CAS's session semantics, independent of HTTP.

:class:`Cas` implements what the course exercises: create (name must not exist, no
predecessor), update (predecessor must be the current hash, uploader must satisfy
``update``), read by name or hash, namespace rules, and public values. The HTTP layer in
``localcas.server`` only translates requests and errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from localcas import policy
from localcas.access import Client, is_allowed
from localcas.errors import Conflict, NotFound, PermissionDenied, PolicyError
from localcas.keyhash import key_hash_of_cert_pem
from localcas.secrets import materialise, public_value
from localcas.store import SecretValue, SessionVersion, Store

__all__ = ["Cas", "UploadResult"]

UploadMode = Literal["create", "update"]


@dataclass(frozen=True)
class UploadResult:
    """What an upload did: the new hash, and whether it created or updated the session."""

    hash: str
    action: Literal["created", "updated"]
    name: str


class Cas:
    """The CAS logic over one :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- uploads ----------------------------------------------------------------------

    def upload(self, client: Client, document: Mapping[str, Any], mode: UploadMode) -> UploadResult:
        """Creates or updates a session from a (substituted) description.

        ``mode="create"`` is `scone session create`: a description with a ``predecessor``
        updates the existing session (the course relies on this); ``mode="update"`` needs
        the session to exist.

        Raises:
            PolicyError: the description is invalid.
            PermissionDenied, NotFound, Conflict: see the messages.
        """
        if client.cert_pem is None or client.key_hash is None:
            raise PermissionDenied(
                "Uploading a session requires a client certificate (the CLI identity)"
            )
        description = policy.validate(document)
        name = description["name"]
        creator = description.get("creator")
        if creator is not None and key_hash_of_cert_pem(creator) != client.key_hash:
            raise PolicyError(
                "creator is not the uploading identity; remove the creator field"
                " (CAS sets it to the uploader)",
                path=("creator",),
            )
        description["creator"] = client.cert_pem
        predecessor = description.get("predecessor")
        current = self.store.current(name)
        if predecessor is None:
            if mode == "update":
                raise NotFound(f"Session '{name}' does not exist, so it cannot be updated")
            if current is not None:
                raise Conflict(
                    f"Session '{name}' already exists",
                    "To change it, upload a new version with 'predecessor' set to its"
                    " current hash (read it first)",
                )
            self._check_parent(client, name)
            previous_description, previous_values = None, {}
        else:
            if current is None:
                raise NotFound(
                    f"Session '{name}' does not exist but the file names a predecessor",
                    "Remove 'predecessor' to create it",
                )
            if not is_allowed(client, current.description, current.creator_key_hash, "update"):
                raise PermissionDenied(f"Not allowed to update session '{name}'")
            if predecessor != current.hash:
                raise Conflict(
                    f"Could not update session '{name}': predecessor {predecessor}"
                    f" is not its current hash {current.hash}",
                    "Someone updated the session since you read it: read it again and retry",
                )
            previous_description = current.description
            previous_values = self.store.secret_values(name)
        digest = policy.session_hash(description)
        values = materialise(description, previous_description, previous_values)
        self.store.commit_version(
            name=name,
            digest=digest,
            description=description,
            creator_key_hash=client.key_hash,
            expected_current=None if current is None or predecessor is None else current.hash,
            secrets=values,
        )
        return UploadResult(digest, "created" if predecessor is None else "updated", name)

    def _check_parent(self, client: Client, name: str) -> None:
        parent_name = policy.parent_name(name)
        if parent_name is None:
            return
        parent = self.store.current(parent_name)
        if parent is None:
            raise NotFound(
                f"Cannot create session '{name}': namespace '{parent_name}' does not exist",
                f"Create the namespace session '{parent_name}' first",
            )
        if not policy.version_at_least_03(parent.description):
            raise PermissionDenied(
                f"Cannot create session '{name}': namespace '{parent_name}' has version"
                f" {parent.description['version']}",
                "Only sessions of version 0.3 or later can act as a namespace:"
                f" upgrade '{parent_name}' to version \"0.3\" first",
            )
        if not is_allowed(client, parent.description, parent.creator_key_hash, "create_sessions"):
            raise PermissionDenied(
                f"Not allowed to create sessions in namespace '{parent_name}'",
                "Its access_policy.create_sessions does not list your identity",
            )

    # -- reads ------------------------------------------------------------------------

    def read(self, client: Client, name: str, digest: str | None = None) -> SessionVersion:
        """The current (or the ``digest``) version of a session the client may read.

        Raises:
            NotFound: no such session or version.
            PermissionDenied: the current version's ``read`` policy excludes the client.
        """
        current = self.store.current(name)
        if current is None:
            raise NotFound(f"Session '{name}' not found")
        if not is_allowed(client, current.description, current.creator_key_hash, "read"):
            who = "a public client" if client.is_public else "this identity"
            raise PermissionDenied(f"Reading session '{name}' is not permitted for {who}")
        if digest is None or digest == current.hash:
            return current
        version = self.store.version(name, digest.lower())
        if version is None:
            raise NotFound(f"Session '{name}' has no version with hash {digest}")
        return version

    def public_values(self, session: str, secret: str | None) -> dict[str, Any]:
        """The body of `GET /v1/values/session=S[,secret=X]`: only ``export_public`` values."""
        current = self.store.current(session)
        public = set()
        if current is not None:
            public = {
                s["name"] for s in current.description.get("secrets", []) if s.get("export_public")
            }
        values = self.store.secret_values(session) if public else {}
        if secret is None:
            return {"values": {n: public_value(values[n]) for n in sorted(public) if n in values}}
        if secret not in public or secret not in values:
            raise NotFound(
                f"Failed to read value '{secret}' of '/session={session}' requested by a"
                " public client",
                "Secret does not exist or is not visible for a public client",
            )
        return public_value(values[secret])

    # -- secrets for the runtime --------------------------------------------------------

    def resolve_secret(self, session: str, secret: str, _depth: int = 0) -> SecretValue:
        """The value of ``secret`` as ``session`` sees it, following ``import``.

        An import is honoured only while the exporting session's current version still
        exports the secret to the importer (by ``session``, or by a ``namespace`` that
        contains it, and, when given, only to the importer version ``session_hash``).

        Raises:
            NotFound: no such session or secret, or the export does not (or no longer) allow it.
        """
        current = self.store.current(session)
        if current is None:
            raise NotFound(f"Session '{session}' not found")
        spec = next(
            (s for s in current.description.get("secrets", []) if s["name"] == secret), None
        )
        if spec is None:
            raise NotFound(f"Session '{session}' has no secret '{secret}'")
        if "import" not in spec:
            values = self.store.secret_values(session)
            if secret not in values:
                raise NotFound(f"Secret '{secret}' of '{session}' has no value")
            return values[secret]
        if _depth >= 8:
            raise NotFound(f"Secret '{secret}' of '{session}': import chain too long")
        source, name = spec["import"]["session"], spec["import"]["secret"]
        exporter = self.store.current(source)
        exported = (
            None
            if exporter is None
            else next(
                (s for s in exporter.description.get("secrets", []) if s["name"] == name), None
            )
        )
        if exported is None or not _exports_to(exported.get("export", []), session, current.hash):
            raise NotFound(
                f"Session '{session}' imports secret '{name}' from '{source}',"
                f" but '{source}' does not export it to '{session}'"
            )
        return self.resolve_secret(source, name, _depth + 1)


def _exports_to(targets: list[dict[str, str]], session: str, session_hash: str) -> bool:
    for target in targets:
        if "session_hash" in target and target["session_hash"] != session_hash:
            continue
        if target.get("session") == session:
            return True
        namespace = target.get("namespace")
        if namespace is not None and (session == namespace or session.startswith(namespace + "/")):
            return True
    return False
