"""The practice cluster: an offline Kubernetes API server that the real kubectl talks to.

The server keeps objects in memory (optionally a state file), answers the REST API kubectl uses
(discovery, OpenAPI v3, tables, patches, watches) and runs simulated controllers on a clock that
tests can advance. Like the rest of ``sandbox`` it never imports ``trainer``.
"""
