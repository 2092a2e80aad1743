"""Start a program in the foreground of its terminal, inside a container's sandbox (run on its own there).

Under bubblewrap the terminal's foreground process group is the sandbox's outside, which a shell in the
container's pid namespace cannot name: ``sh`` would complain on exit ("Cannot set tty process group")
and exit with 2. This puts the program in a process group of its own and makes that the terminal's
foreground first: ``python3 foreground.py sh``.
"""

import os
import signal
import sys


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not set the foreground otherwise
    try:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpgrp())
    except OSError:
        pass
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    try:
        os.execvp(argv[1], argv[1:])
    except (OSError, IndexError) as exc:
        print(f"{argv[1:2]}: {exc}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv))
