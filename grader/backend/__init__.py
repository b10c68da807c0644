"""grader.backend: where a grading's CAS lives, and how the grader looks at it.

- :mod:`grader.backend.base`: the :class:`~grader.backend.base.Backend` contract the plan uses.
- :mod:`grader.backend.local`: the default, a private localcas per sandbox, read from its
  database, with faults injected by the CAS itself.
- :mod:`grader.backend.scone`: the black-box backend, which needs nothing but a `scone`
  command and the CAS's public interfaces (REST), so it can grade against a real SCONE CAS.

This module imports nothing: the `scone` shim (:mod:`grader.backend.shim`) starts once
per `scone` call and must stay quick.
"""
