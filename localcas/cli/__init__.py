"""Provides the `scone` CLI stand-in: ``python -m localcas.cli ARGS`` behaves as ``scone ARGS``.

Start-up cost matters (scripts call it many times), so each verb imports what it needs
when it runs: `session read` never loads YAML or ``cryptography``.
"""
