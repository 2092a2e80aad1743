"""The registry's strategy table (practice_cluster.registry.strategies): one strategy per served kind, and
no per-kind table naming a kind the practice cluster does not serve."""

from __future__ import annotations

from practice_cluster.registry import strategies
from practice_cluster.registry.defaults import DEFAULTS
from practice_cluster.schema.resources import RESOURCES


def test_every_served_kind_has_exactly_one_strategy() -> None:
    assert sorted(strategies.STRATEGIES) == sorted({r.kind for r in RESOURCES.values()})
    assert all(kind == s.kind for kind, s in strategies.STRATEGIES.items())


def test_the_strategies_of_a_few_kinds() -> None:
    table = strategies.STRATEGIES
    assert table["Service"].admit is strategies.ADMISSION["Service"] and table["ConfigMap"].admit is strategies._none
    assert (table["Deployment"].defaults, table["Deployment"].generation, table["Deployment"].status) == (
        True, True, True)
    assert (table["Service"].defaults, table["Service"].generation, table["Service"].status) == (True, False, True)
    assert (table["ConfigMap"].defaults, table["ConfigMap"].generation, table["ConfigMap"].status) == (
        False, False, False)


def test_a_table_naming_an_unserved_kind_is_reported() -> None:
    served = set(strategies.STRATEGIES)
    assert strategies.check(served, {"defaults.DEFAULTS": DEFAULTS}) == []
    assert strategies.check(served, {"ADMISSION": {**strategies.ADMISSION, "Widget": strategies._none}}) == [
        "ADMISSION names Widget, which the practice cluster does not serve"]
