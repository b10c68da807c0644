"""Provides the runtime's side of the CAS enclave API (port 18765, TLS).

``POST /v1/enclave/config`` with ``{"config_id", "mrenclave"}`` answers the service's
configuration (or 403 with SCONE's "Caused by" texts); ``POST /v1/enclave/volume-tag``
moves a volume's tag. The wire format is localcas's own (SCONE does not document it).

The emulated runtime does not authenticate the CAS: a real SCONE runtime attests CAS
through the platform, which an emulation cannot do. It is written down in docs/localcas.md.
"""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any

__all__ = ["ENCLAVE_PORT", "EnclaveApiError", "post"]

ENCLAVE_PORT = 18765


class EnclaveApiError(Exception):
    """The CAS refused, or could not be reached.

    Attributes:
        status: the HTTP status, or 0 when there was no answer.
        messages: the CAS's ``msg`` list (or one line saying what failed).
    """

    def __init__(self, status: int, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = messages


def post(address: str, path: str, body: dict[str, Any], timeout: float = 20) -> dict[str, Any]:
    """POSTs ``body`` to the enclave API of the CAS at ``address``; the JSON answer.

    Raises:
        EnclaveApiError: a non-2xx answer, or no answer.
    """
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection(
        address, ENCLAVE_PORT, timeout=timeout, context=context
    )
    data = json.dumps(body).encode()
    try:
        connection.request("POST", path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as err:
        raise EnclaveApiError(
            0, [f"cannot connect to CAS at {address} (port {ENCLAVE_PORT}): {err}"]
        ) from err
    finally:
        connection.close()
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = {"msg": [raw.decode(errors="replace")]}
    if not 200 <= response.status < 300:
        messages = answer.get("msg") if isinstance(answer, dict) else None
        raise EnclaveApiError(response.status, [str(m) for m in messages or [str(answer)]])
    if not isinstance(answer, dict):
        raise EnclaveApiError(response.status, ["the CAS answered something other than an object"])
    return answer
