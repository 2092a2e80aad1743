"""The figures a benchmark measured, as JSON for the test suite (``--figures FILE``).

Every script prints its table for a person to read; with ``--figures FILE`` it also writes what it
measured, name -> number, so that `tests/test_bench.py` can check each figure is there and finite.

    add_figures_option(parser)
    write_figures(args.figures, {"bwrap median ms": 31.2, "ratio bwrap/bare": 2.1})
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path


def add_figures_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--figures", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")


def write_figures(path: Path | None, figures: Mapping[str, float]) -> None:
    if path is not None:
        path.write_text(json.dumps({name: float(value) for name, value in figures.items()}, indent=2) + "\n",
                        encoding="utf-8")
