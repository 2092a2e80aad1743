"""Entry point of ``trainer`` and ``python -m trainer``: the only place that reads the real world.

SIGTERM and SIGHUP (a closed terminal) end the trainer as Ctrl-C does: the running drill is torn down
(its processes killed, its sandbox removed) on the way out; the sandboxes still open are closed last.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from sandbox.isolation import close_all
from trainer import cli

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop(signum: int, frame: FrameType | None) -> None:
    for s in STOP_SIGNALS:  # the teardown itself must not be cut short by a second signal
        signal.signal(s, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def main() -> None:
    for s in STOP_SIGNALS:
        signal.signal(s, _stop)
    try:
        code = cli.main(sys.argv[1:], os.environ, sys.stdout)
    except KeyboardInterrupt:
        print("trainer: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 0
    finally:
        close_all()
    sys.exit(code)


if __name__ == "__main__":
    main()
