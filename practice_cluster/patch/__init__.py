"""Patches: JSON patch, JSON merge patch and strategic merge patch, with the list orders they keep."""
