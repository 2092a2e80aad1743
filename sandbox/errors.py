class SandboxError(Exception):
    """Base of every error the sandbox raises."""
