"""Recordings: asciicast v2 from a session, capped; `trainer check --record`, `trainer replay`, the REPL's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from test_repl import F10, LIBRARY, Harness

from conftest import needs
from sandbox import session as session_module
from trainer import recording
from trainer.cli import main
from trainer.errors import TrainerError
from trainer.loader import instantiate
from trainer.model import Attempt
from trainer.runner import Engines, run_attempt


def test_a_cast_is_asciicast_v2_with_output_and_keys_in_time_order() -> None:
    text = recording.cast(100, 30, 1700000000.5, [(0.2, b"$ "), (1.0, "한글".encode())], [(0.5, "l"), (0.7, "<Esc>")])
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0] == {"version": 2, "width": 100, "height": 30, "timestamp": 1700000000}
    assert lines[1:] == [[0.2, "o", "$ "], [0.5, "i", "l"], [0.7, "i", "\x1b"], [1.0, "o", "한글"]]
    cut = recording.cast(80, 24, 0, [(0.1, b"x")], [], truncated=True)
    assert f"recording stopped after {1 << 20} bytes of output" in cut.splitlines()[-1]


@pytest.mark.parametrize(("text", "error"), [
    ("", "r.cast:1: not an asciicast v2 recording"),
    ("{nope\n", "r.cast:1: not an asciicast header"),
    ('{"version": 1}\n', "r.cast:1: not an asciicast v2 recording"),
    ('{"version": 2}\n[0.1, "o", "a"]\n[0.2, "x"]\n', 'r.cast:3: an event is [seconds, "o"|"i", text]'),
    ('{"version": 2}\n[0.1, "o", "a"]\nnot json\n', "r.cast:3: not an event"),
])
def test_a_broken_recording_is_named_by_file_and_line(text: str, error: str) -> None:
    with pytest.raises(TrainerError, match=error.replace("[", r"\[").replace("|", r"\|")):
        recording.parse(text, "r.cast")


def test_play_keeps_time_cuts_long_pauses_and_speeds_up() -> None:
    events = [[0.5, "o", "a"], [0.6, "i", "x"], [10.5, "o", "b"], [11.0, "o", "c"]]
    slept: list[float] = []
    out = io.StringIO()
    recording.play(events, out, speed=2.0, sleep=slept.append)
    assert out.getvalue() == "abc"
    assert slept == pytest.approx([0.25, recording.MAX_IDLE_S / 2, 0.25])


@needs("ksh93")
def test_a_session_keeps_at_most_its_cap_of_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "OUTPUT_LOG_BYTES", 2000)
    exercise = instantiate(LIBRARY.template("chmod-owner-exec"), 0)
    kept: list[str] = []
    run_attempt(exercise, Attempt(keys={"*": "seq 5000<CR>"}), Engines.detect(),
                record=lambda s: kept.append(recording.of_session(s)))
    session_bytes = sum(len(json.loads(line)[2].encode()) for line in kept[0].splitlines()[1:]
                        if json.loads(line)[1] == "o")
    assert session_bytes < 2200  # the cap, plus the line that says it was reached
    assert "recording stopped after 2000 bytes of output" in kept[0].splitlines()[-1]


@needs("ksh93")
def test_check_records_and_replay_plays_it(tmp_path: Path) -> None:
    name = instantiate(LIBRARY.template("chmod-owner-exec"), 0).params["name"]
    keys = tmp_path / "k.keys"
    keys.write_text(f"chmod u+x {name}.sh<CR>ls -l<CR>")
    cast = tmp_path / "attempt.cast"
    assert main(["check", "chmod-owner-exec", "--keys", str(keys), "--record", str(cast)], env={},
                out=io.StringIO()) == 0
    header, events = recording.parse(cast.read_text(encoding="utf-8"), str(cast))
    assert header["version"] == 2 and header["title"] == "chmod-owner-exec"
    assert "".join(e[2] for e in events if e[1] == "i") == f"chmod u+x {name}.sh\rls -l\r"
    times = [e[0] for e in events]
    assert times == sorted(times)
    out = io.StringIO()
    assert main(["replay", str(cast), "--speed", "1000"], env={}, out=out) == 0
    assert f"chmod u+x {name}.sh" in out.getvalue() and f"{name}.sh\r\n" in out.getvalue()


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_the_repl_keeps_each_attempts_recording(tmp_path: Path) -> None:
    name = instantiate(LIBRARY.template("chmod-owner-exec"), 0).params["name"]
    with create_pipe_input() as pipe:
        harness = Harness(tmp_path, pipe)

        def script(h: Harness) -> None:
            h.type("start chmod-owner-exec\r")
            h.wait_drill("chmod-owner-exec")
            h.type(f"chmod u+x {name}.sh\r")
            h.wait_passed("chmod-owner-exec")
            h.type(F10)
            h.wait_output("trainer replay")
            h.type("quit\r")

        text = harness.run(script)
        number = harness.progress.attempts("chmod-owner-exec")[0]
        harness.progress.close()
    assert number.passed and "Recorded as attempt 1: `trainer replay 1` plays it." in text
    out = io.StringIO()
    assert main(["replay", "1", "--data-dir", str(tmp_path), "--speed", "1000"], env={}, out=out) == 0
    assert f"chmod u+x {name}.sh" in out.getvalue()
    assert main(["replay", "7", "--data-dir", str(tmp_path)], env={}, out=io.StringIO()) == 2
