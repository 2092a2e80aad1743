"""Grading a class at once: `trainer check --batch DIR` with --jobs, CSV and JUnit, --shard and --merge."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import PACKS, needs
from trainer.batch import Submission, shard
from trainer.cli import main
from trainer.loader import instantiate, load_library

LIBRARY = load_library(PACKS)
STUDENTS = [f"s{n:02d}" for n in range(30)]


def right(exercise: str, seed: int = 0) -> str:
    question = instantiate(LIBRARY.template(exercise), seed).question
    assert question is not None
    return question.correct_answer()


def classroom(top: Path, shell: bool = False) -> Path:
    """30 students' answers to two questions: the even ones right, the odd ones wrong on the second."""
    for n, student in enumerate(STUDENTS):
        folder = top / student
        folder.mkdir(parents=True)
        (folder / "concept-spi-model.answer").write_text("SPI 모델\n" if n % 3 else "spi\n", encoding="utf-8")
        (folder / "concept-spi-iaas.answer").write_text(right("concept-spi-iaas") if n % 2 == 0 else "zz")
    if shell:
        name = instantiate(LIBRARY.template("chmod-owner-exec"), 3).params["name"]
        (top / "s00" / "chmod-owner-exec@3.keys").write_text(f"chmod u+x {name}.sh<CR>\n")
        (top / "s01" / "chmod-owner-exec.keys").write_text("chmod 777 nothing<CR>\n")
    return top


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@needs("ksh93")
def test_a_class_is_graded_in_one_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = classroom(tmp_path / "class", shell=True)
    report, junit = tmp_path / "grades.csv", tmp_path / "grades.xml"
    code = main(["check", "--batch", str(top), "--jobs", "2", "--csv", str(report), "--junit", str(junit)],
                env={}, out=io.StringIO())
    assert code == 1  # some failed, none broken
    rows = rows_of(report)
    assert len(rows) == 62 and [r["student"] for r in rows[:3]] == ["s00", "s00", "s00"]
    by = {(r["student"], r["exercise"]): r for r in rows}
    assert by[("s00", "chmod-owner-exec")]["result"] == "pass" and by[("s00", "chmod-owner-exec")]["seed"] == "3"
    assert by[("s01", "chmod-owner-exec")]["result"] == "fail"
    assert all(by[(s, "concept-spi-model")]["result"] == "pass" for s in STUDENTS)  # SPI, spi, SPI 모델
    assert [by[(s, "concept-spi-iaas")]["result"] for s in STUDENTS[:4]] == ["pass", "fail", "pass", "fail"]
    assert by[("s01", "concept-spi-iaas")]["failed_checks"] == "answer"
    suites = ElementTree.fromstring(junit.read_text(encoding="utf-8"))
    assert len(suites) == 30 and suites.get("tests") == "62" and suites.get("failures") == "16"
    assert "check: 62 submissions, 46 passed, 16 failed, 0 errors" in capsys.readouterr().err


def test_files_that_are_not_submissions_are_named_and_the_rest_graded(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    top = tmp_path / "class"
    (top / "kim").mkdir(parents=True)
    (top / "kim" / "concept-spi-model.answer").write_text("SPI")
    (top / "kim" / "notes.txt").write_text("hello")
    (top / "kim" / "no-such-drill.keys").write_text("x")
    (top / "kim" / "concept-spi-iaas.answer").mkdir()  # a directory where an answer should be
    (top / "stray.keys").write_text("x")
    (top / "lee").mkdir()
    (top / "lee" / "concept-spi-model.answer").symlink_to("/etc/passwd")  # a link is not followed
    os.mkfifo(top / "lee" / "concept-spi-iaas.answer")  # nor is a FIFO read
    out = io.StringIO()
    assert main(["check", "--batch", str(top)], env={}, out=out) == 2
    err = capsys.readouterr().err
    assert f"trainer: {top / 'kim' / 'notes.txt'}: not a submission" in err
    assert f"trainer: {top / 'kim' / 'no-such-drill.keys'}: no exercise 'no-such-drill'" in err
    assert f"trainer: {top / 'stray.keys'}: not a student's folder" in err
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    got = [(r["student"], r["exercise"], r["result"]) for r in rows]
    assert got == [("kim", "concept-spi-iaas", "error"), ("kim", "concept-spi-model", "pass"),
                   ("lee", "concept-spi-iaas", "error"), ("lee", "concept-spi-model", "error")]
    assert "it is a directory" in rows[0]["error"] and "symbolic link" in rows[3]["error"]
    assert "root:" not in out.getvalue()


def test_shards_split_the_class_and_merge_back(tmp_path: Path) -> None:
    top = classroom(tmp_path / "class")
    parts = []
    for k in (1, 2, 3):
        part = tmp_path / f"part{k}.csv"
        main(["check", "--batch", str(top), "--shard", f"{k}/3", "--csv", str(part)], env={}, out=io.StringIO())
        parts.append(part)
    shares = [{(r["student"], r["exercise"]) for r in rows_of(p)} for p in parts]
    assert all(shares) and not (shares[0] & shares[1] or shares[0] & shares[2] or shares[1] & shares[2])
    assert len(shares[0] | shares[1] | shares[2]) == 60
    whole, merged = tmp_path / "whole.csv", tmp_path / "merged.csv"
    main(["check", "--batch", str(top), "--csv", str(whole)], env={}, out=io.StringIO())
    junit = tmp_path / "merged.xml"
    assert main(["check", "--merge", *map(str, parts), "--csv", str(merged), "--junit", str(junit)],
                env={}, out=io.StringIO()) == 1
    assert merged.read_text() == whole.read_text()
    assert main(["check", "--merge", str(parts[0]), str(parts[0])], env={}, out=io.StringIO()) == 2
    s = Submission("kim", "vi-dd", 0, Path("kim/vi-dd.keys"))
    assert shard([s], 1, 2) + shard([s], 2, 2) == [s]  # one share, always the same


def test_bad_arguments_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", "--batch", str(tmp_path), "--shard", "3/2"], env={}, out=io.StringIO()) == 2
    assert "--shard 3/2: want K/N with 1 <= K <= N" in capsys.readouterr().err
    assert main(["check", "concept-spi-model"], env={}, out=io.StringIO()) == 2
    assert "check needs an exercise ID and --keys FILE or --answer TEXT" in capsys.readouterr().err
    bad = tmp_path / "x.csv"
    bad.write_text("name,score\nkim,3\n")
    assert main(["check", "--merge", str(bad)], env={}, out=io.StringIO()) == 2
    assert f"{bad}: not a grading report" in capsys.readouterr().err
