"""Provides the CAS network front: client API (HTTPS :8081) and the MRENCLAVE page (:8080)."""
