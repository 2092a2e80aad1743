"""The terminal trainer for AIX shell, vi and kubectl: drills in the real programs, graded."""

__version__ = "0.1.0"
