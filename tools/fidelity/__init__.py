"""The fidelity harness: the course's kubectl commands against the practice cluster and a real API server.

``python -m tools.fidelity`` runs every scenario of ``corpus.yaml`` on both clusters at once, normalises
what kubectl printed (``normalise``), compares the two (``compare``) and prints ``N identical of M`` with
the differing commands and their diffs (``report``). ``docs/fidelity.md`` says how to read the result.
"""
