"""Entry point of ``trainer`` and ``python -m trainer``: the only place that reads the real world."""

from __future__ import annotations

import os
import sys

from trainer import cli


def main() -> None:
    try:
        code = cli.main(sys.argv[1:], os.environ, sys.stdout)
    except KeyboardInterrupt:
        print("trainer: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
