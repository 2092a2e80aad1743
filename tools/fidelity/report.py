"""The printed report of a comparison: the figure, then each difference by class with its diff."""

from __future__ import annotations

from collections import Counter

from tools.fidelity.compare import Comparison, Known

ORDER = ("misleading", "unclassified", "not simulated", "cosmetic")
DIFF_LINES = 40


def figure(found: list[Comparison]) -> tuple[int, int]:
    """(identical, compared): the steps of the corpus that are compared and counted."""
    counted = [c for c in found if c.status in ("identical", "different")]
    return sum(1 for c in counted if c.status == "identical"), len(counted)


def summary(found: list[Comparison]) -> str:
    same, total = figure(found)
    classes = Counter(c.cls for c in found if c.status == "different")
    parts = [f"{classes[c]} {c}" for c in ORDER if classes[c]]
    limits = sum(1 for c in found if c.status == "reference")
    skipped = sum(1 for c in found if c.status == "skipped")
    line = f"{same} identical of {total}"
    if parts:
        line += f" (different: {', '.join(parts)})"
    return line + f"; {limits} beyond the reference cluster, {skipped} set-up steps not compared"


def text(found: list[Comparison], stale: list[Known] | None = None, diffs: bool = True) -> str:
    lines = [summary(found), ""]
    for cls in ORDER:
        group = [c for c in found if c.status == "different" and c.cls == cls]
        if not group:
            continue
        lines.append(f"== {cls} ({len(group)})")
        for c in group:
            lines.append(f"-- {c.key}" + ("" if c.known else "   [not in known.yaml]"))
            if c.why:
                lines.append(f"   why: {c.why.splitlines()[0]}")
            if diffs:
                body = c.diff.splitlines()
                lines.extend("   " + d for d in body[:DIFF_LINES])
                if len(body) > DIFF_LINES:
                    lines.append(f"   ... {len(body) - DIFF_LINES} more diff lines")
        lines.append("")
    limited = [c for c in found if c.status == "reference"]
    if limited:
        lines.append(f"== beyond the reference cluster ({len(limited)}, not counted)")
        lines.extend(f"-- {c.key}\n   why: {c.why}" for c in limited)
        lines.append("")
    if stale:
        lines.append(f"== known.yaml entries no longer needed ({len(stale)}): the steps agree now")
        lines.extend(f"-- {k.scenario}: {k.run or '(whole scenario)'}" for k in stale)
    return "\n".join(lines).rstrip() + "\n"
