"""Provides the emulated attestation report of a localcas instance.

There is no enclave and no SGX quote: the report states the measurements a real CAS would
prove, derived from the localcas version, and marks itself as emulated. It describes a
debug-mode CAS whose TCB is GROUP_OUT_OF_DATE, like SCONE's public debug CAS, so the
course's `scone cas attest -G --only_for_testing-debug --only_for_testing-ignore-signer`
flags are needed exactly as they are there.
"""

from __future__ import annotations

import hashlib
from typing import Any

from localcas import __version__

__all__ = ["SCONTAIN_MRSIGNER", "cas_mrenclave", "report"]

# What a real CLI would demand by default: Scontain's signer. localcas is not signed by
# Scontain, so attesting it without --only_for_testing-ignore-signer fails, as it should.
SCONTAIN_MRSIGNER = hashlib.sha256(b"Scontain production signer (not available here)").hexdigest()
_LOCALCAS_MRSIGNER = hashlib.sha256(b"localcas test signer").hexdigest()


def cas_mrenclave(version: str = __version__) -> str:
    """The MRENCLAVE this localcas version reports (64 hex)."""
    return hashlib.sha256(f"localcas {version} emulated CAS enclave".encode()).hexdigest()


def report(chain_pem: str) -> dict[str, Any]:
    """The body of `GET /v1/attest`."""
    return {
        "emulated": True,
        "note": "localcas emulates attestation: no enclave runs and no SGX quote is made",
        "cas_version": f"localcas {__version__}",
        "mrenclave": cas_mrenclave(),
        "mrsigner": _LOCALCAS_MRSIGNER,
        "isvprodid": 41316,
        "isvsvn": 5,
        "debug": True,
        "tcb_status": "GROUP_OUT_OF_DATE",
        "advisory_ids": ["INTEL-SA-00334", "INTEL-SA-00615"],
        "owner_secret_access": False,
        "chain": chain_pem,
    }
