"""localcas: a local stand-in for the SCONE platform (CAS server, `scone` CLI, runtime).

It reproduces the observable behaviour the SCONE tutorial course exercises. It runs no
enclaves and is not a security boundary against its own host; see README.md.
"""

__version__ = "0.1.0"
