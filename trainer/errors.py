"""The trainer's exception base; ``__main__`` turns these into one-line messages and exit codes."""

from __future__ import annotations


class TrainerError(Exception):
    """Base of every error the trainer reports to a user without a traceback."""


class PackError(TrainerError):
    """An exercise pack is broken: the message names the file, line and exercise."""
