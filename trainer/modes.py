"""Permission-mode arithmetic: octal and ``ls -l`` symbolic forms.

>>> parse_mode("rwxr-x---") == parse_mode("750") == 0o750
True
>>> symbolic(0o4755)
'rwsr-xr-x'
"""

from __future__ import annotations

import re

_TRIPLET = re.compile(r"[r-][w-][xsStT-]")


def parse_mode(text: str | int) -> int:
    """An octal string (``"750"``, ``"0750"``, ``"4755"``) or nine ``ls -l`` characters, as an int."""
    if isinstance(text, int):
        return text
    s = text.strip()
    if re.fullmatch(r"[0-7]{3,4}", s):
        return int(s, 8)
    if len(s) == 10 and s[0] in "-dlcbps":
        s = s[1:]
    if len(s) == 9 and all(_TRIPLET.fullmatch(s[i:i + 3]) for i in (0, 3, 6)):
        mode = 0
        for i, (special, bit) in enumerate(((0o4000, "sS"), (0o2000, "sS"), (0o1000, "tT"))):
            r, w, x = s[3 * i], s[3 * i + 1], s[3 * i + 2]
            shift = 6 - 3 * i
            mode |= (4 if r == "r" else 0) << shift
            mode |= (2 if w == "w" else 0) << shift
            if x in "xst":
                mode |= 1 << shift
            if x in bit:
                mode |= special
        return mode
    raise ValueError(f"not a mode: {text!r} (write 750 or rwxr-x---)")


def symbolic(mode: int) -> str:
    """The nine permission characters ``ls -l`` shows for ``mode``."""
    out = []
    for i, (special, low, high) in enumerate(((0o4000, "s", "S"), (0o2000, "s", "S"), (0o1000, "t", "T"))):
        shift = 6 - 3 * i
        out.append("r" if mode & (4 << shift) else "-")
        out.append("w" if mode & (2 << shift) else "-")
        x = bool(mode & (1 << shift))
        if mode & special:
            out.append(low if x else high)
        else:
            out.append("x" if x else "-")
    return "".join(out)


def octal(mode: int) -> str:
    return format(mode, "04o") if mode & 0o7000 else format(mode, "03o")
