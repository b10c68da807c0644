"""Provides the emulated SCONE runtime: run a course program as a "confidential" one.

There is no enclave here. The runtime does what the course can observe of SCONE's: it
takes the ``docker run`` subset the course uses (:mod:`~localcas.runtime.docker_args`),
asks the CAS's enclave API for the service's configuration (OTP and MRENCLAVE checked by
CAS, :mod:`~localcas.runtime.enclave_client`), gives the program only what the policy
defines, and guards the policy's volumes with an emulated file shield
(:mod:`~localcas.runtime.shield`). The course's programs (``otpqr``) are Python modules
that see the container's paths through :class:`~localcas.runtime.container.Container`.
"""

from __future__ import annotations

__all__ = ["RuntimeFailure"]


class RuntimeFailure(Exception):
    """The runtime refused to start (or finish) a program.

    Attributes:
        lines: what the runtime prints on stderr, SCONE's ``[SCONE|FATAL]`` shape.
        exit_code: the launcher's exit status (134, SIGABRT's, unless docker itself fails).
    """

    def __init__(self, lines: list[str], exit_code: int = 134) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.exit_code = exit_code
