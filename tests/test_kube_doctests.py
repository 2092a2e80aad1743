"""The usage examples in the practice cluster's and the kubectl checks' docstrings still hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import sandbox.kube
import sandbox.kube.controllers

MODULES = sorted(
    {f"sandbox.kube.{m.name}" for m in pkgutil.iter_modules(sandbox.kube.__path__)}
    | {f"sandbox.kube.controllers.{m.name}" for m in pkgutil.iter_modules(sandbox.kube.controllers.__path__)}
    | {"trainer.kube_paths"}
)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    assert doctest.testmod(importlib.import_module(name)).failed == 0
