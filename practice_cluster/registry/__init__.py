"""Registry: what the apiserver does to an object on every write before storage (defaults, admission)."""
