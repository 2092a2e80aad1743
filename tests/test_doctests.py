"""The usage examples in every module's docstrings still hold (trainer, sandbox and the practice
cluster): a docstring example that no longer runs is a broken promise to the reader."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import practice_cluster
import sandbox
import trainer

MODULES = sorted(m.name for package in (trainer, sandbox, practice_cluster)
                 for m in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
                 if m.name != "trainer.__main__")


def test_every_module_is_found() -> None:
    assert {"trainer.verify", "sandbox.session", "practice_cluster.rest.api",
            "practice_cluster.controllers.pods"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    assert doctest.testmod(importlib.import_module(name)).failed == 0
