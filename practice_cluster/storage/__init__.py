"""Storage: the objects (one resourceVersion counter, the change log watches read), the clock, and the
records a running cluster keeps beside them (container logs, the requests it received, attached processes)."""
