"""REST handlers: routing, discovery, OpenAPI, watches, logs, deletes and patches."""
