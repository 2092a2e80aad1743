"""The review queue: attempts rated for FSRS, cards due by day, and `review`, `next` and `stats` in the REPL."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from fsrs import Rating
from prompt_toolkit.input import create_pipe_input
from test_repl import F10, Harness

from conftest import needs
from trainer.progress import AttemptRecord
from trainer.review import due, due_counts, rating, schedule

DAY = 86400.0
T0 = datetime.datetime(2026, 11, 25, 10, 0).timestamp()  # local time, as the REPL shows dates


def attempt(ended: float, passed: bool, keys: int = 12, hints: int = 0, seen: bool = False,
            skipped: bool = False, exercise: str = "chmod-owner-exec") -> AttemptRecord:
    return AttemptRecord(exercise, "starter", "chmod", ended - 30, ended, passed, keys, 30.0, hints, seen, skipped)


@pytest.mark.parametrize(("record", "par", "want"), [
    (attempt(T0, False), 12, Rating.Again),
    (attempt(T0, True, seen=True), 12, Rating.Again),
    (attempt(T0, True, hints=2), 12, Rating.Hard),
    (attempt(T0, True, keys=12), 12, Rating.Easy),
    (attempt(T0, True, keys=13), 12, Rating.Good),
    (attempt(T0, True, keys=13), None, Rating.Good),
    (attempt(T0, False, skipped=True), 12, None),
    (attempt(T0, False, keys=0), 12, None),  # opened and left untouched
])
def test_an_attempt_rates_its_card(record: AttemptRecord, par: int | None, want: Rating | None) -> None:
    assert rating(record, par) == want


def test_cards_come_due_in_days_by_how_the_last_attempt_went() -> None:
    pars = {"chmod-owner-exec": 12}
    missed = schedule([attempt(T0, False)], pars)["chmod-owner-exec"]
    assert missed.due == T0 + DAY and missed.reviews == 1 and missed.last is Rating.Again
    good = schedule([attempt(T0, True, keys=20)], pars)["chmod-owner-exec"]
    easy = schedule([attempt(T0, True, keys=10)], pars)["chmod-owner-exec"]
    assert T0 + DAY < good.due < easy.due
    again = schedule([attempt(T0 + 2 * DAY, False), attempt(T0, True, keys=10)], pars)["chmod-owner-exec"]
    assert again.due == T0 + 3 * DAY and again.reviews == 2  # replayed in order: the later miss counts
    assert schedule([attempt(T0, False, skipped=True)], pars) == {}


def test_due_and_the_days_counts() -> None:
    cards = schedule([attempt(T0, False), attempt(T0, True, keys=10, exercise="chmod-equals-clears")], {})
    assert due(cards, T0 + DAY / 2) == []
    assert [c.exercise for c in due(cards, T0 + DAY)] == ["chmod-owner-exec"]
    assert due_counts(cards, datetime.date(2026, 11, 25)) == (0, 2)
    assert due_counts(cards, datetime.date(2026, 11, 26)) == (1, 2)


@pytest.mark.pty
@needs("ksh93", "nvi")
def test_a_missed_drill_comes_back_the_next_day_in_review_and_next(tmp_path: Path) -> None:
    with create_pipe_input() as pipe:
        harness = Harness(tmp_path, pipe)
        harness.progress.record(attempt(T0, False))  # missed yesterday
        harness.repl.clock = lambda: T0 + DAY + 60
        harness.repl.today = lambda: datetime.date(2026, 11, 26)
        def script(h: Harness) -> None:
            h.type("stats\r")
            h.wait_output("Reviews due: 1 today, 1 this week.")
            h.type("next\r")  # a due review comes before the first unsolved drill
            h.wait_drill("chmod-owner-exec")
            h.type(F10)  # left untouched: not a review, so it stays due
            h.wait_output("Left chmod-owner-exec unsolved.")
            h.type("review\r")
            h.wait_drill("chmod-owner-exec")
            shown = h.repl.current
            assert shown is not None and shown.seed == 2  # a new variant: the seed after the two on record
            h.type(f"chmod u+x {shown.params['name']}.sh\r")
            h.wait_passed("chmod-owner-exec")
            h.type(F10)
            h.wait_output("Passed:")
            h.type("review\rstats\rquit\r")

        text = harness.run(script)
        harness.progress.close()
    assert text.count("Review (1 due): chmod-owner-exec, in a new variant.") == 2
    assert "No review is due now; the next is chmod-owner-exec, at 2026-" in text
    assert "Reviews due: 0 today, " in text.split("No review is due now")[1]


def test_nothing_to_review_at_first(harness: Harness) -> None:
    text = harness.run(lambda h: h.type("review\rstats\rquit\r"))
    assert "Nothing to review yet" in text and "Reviews due: 0 today, 0 this week." in text


@pytest.fixture
def harness(tmp_path: Path):  # type: ignore[no-untyped-def]
    with create_pipe_input() as pipe:
        h = Harness(tmp_path, pipe)
        yield h
        h.progress.close()
