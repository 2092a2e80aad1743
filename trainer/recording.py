"""Recordings: an attempt's terminal session as an asciicast v2 file, and playing one back.

An asciicast v2 file is a JSON header line (``version``, ``width``, ``height``, ``timestamp``) and then one
JSON array per event: ``[seconds, "o", text]`` for what the program wrote, ``[seconds, "i", text]`` for a
key the learner typed. The standard asciinema player plays it; ``play`` plays it in this terminal. A session
keeps at most ``OUTPUT_LOG_BYTES`` of output, and a recording cut there says so in its last event.

>>> text = cast(80, 24, 0.0, [(0.1, b"$ ")], [(0.5, "l"), (0.6, "<CR>")])
>>> header, events = parse(text, "demo.cast")
>>> header["version"], [e[1] for e in events], events[-1][2]
(2, ['o', 'i', 'i'], '\\r')
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sandbox import session as sessions
from sandbox.keys import encode_keys
from sandbox.session import Session
from trainer.errors import TrainerError

#: The longest pause ``play`` keeps (seconds of recorded time): a learner thinking is not worth watching.
MAX_IDLE_S = 2.0


def cast(columns: int, rows: int, started: float, output: Sequence[tuple[float, bytes]],
         keys: Sequence[tuple[float, str]], *, truncated: bool = False, title: str = "") -> str:
    """The asciicast v2 text of one session: ``output`` as (seconds, bytes), ``keys`` as (seconds, token)."""
    header: dict[str, Any] = {"version": 2, "width": columns, "height": rows, "timestamp": int(started)}
    if title:
        header["title"] = title
    events: list[tuple[float, str, str]] = [(t, "o", data.decode("utf-8", "replace")) for t, data in output]
    events += [(t, "i", encode_keys((key,)).decode("utf-8", "replace")) for t, key in keys]
    events.sort(key=lambda e: e[0])
    if truncated:
        end = events[-1][0] if events else 0.0
        events.append((end, "o", f"\r\n[recording stopped after {sessions.OUTPUT_LOG_BYTES} bytes of output]\r\n"))
    lines = [json.dumps(header)] + [json.dumps([round(t, 6), kind, data], ensure_ascii=False)
                                    for t, kind, data in events]
    return "\n".join(lines) + "\n"


def of_session(session: Session, title: str = "") -> str:
    """The recording of what ``session`` showed and was typed so far."""
    size = session.screen.pyte_screen
    return cast(size.columns, size.lines, time.time() - session.elapsed(), session.output_log,
                [(k.t, k.key) for k in session.keys], truncated=session.output_logged >= sessions.OUTPUT_LOG_BYTES,
                title=title)


def parse(text: str, name: str) -> tuple[dict[str, Any], list[list[Any]]]:
    """The header and events of an asciicast v2 text; anything else is a TrainerError naming ``name``."""
    lines = text.splitlines()
    try:
        header = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError as exc:
        raise TrainerError(f"{name}:1: not an asciicast header ({exc.msg})") from exc
    if not isinstance(header, dict) or header.get("version") != 2:
        raise TrainerError(f"{name}:1: not an asciicast v2 recording")
    events = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TrainerError(f"{name}:{number}: not an event ({exc.msg})") from exc
        if not (isinstance(event, list) and len(event) == 3 and isinstance(event[0], int | float)
                and event[1] in ("o", "i", "m", "r") and isinstance(event[2], str)):
            raise TrainerError(f"{name}:{number}: an event is [seconds, \"o\"|\"i\", text]")
        events.append(event)
    return header, events


def play(events: Sequence[list[Any]], out: TextIO, speed: float = 1.0,
         sleep: Callable[[float], None] = time.sleep) -> float:
    """Write the output events to ``out`` in time (``speed`` times faster, pauses cut to MAX_IDLE_S);
    return the seconds slept."""
    slept, last = 0.0, 0.0
    for t, kind, data in events:
        if kind != "o":
            continue
        pause = min(max(float(t) - last, 0.0), MAX_IDLE_S) / max(speed, 1e-6)
        last = float(t)
        if pause > 0:
            sleep(pause)
            slept += pause
        out.write(data)
        out.flush()
    return slept


def save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
