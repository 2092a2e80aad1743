"""The review queue: every exercise attempted is a card, scheduled with FSRS (the ``fsrs`` package).

Cards are derived from the progress file, never stored: an exercise's attempts, replayed in order through the
scheduler, give its card, so the queue cannot disagree with the attempts it comes from. Each attempt is rated
from what happened: failed or solution seen -> Again, two or more hints -> Hard, passed within par -> Easy,
passed -> Good. Skipped drills and drills left without a key typed are not reviews. The steps are days (no
minute-long learning steps): a drill missed today is due tomorrow.

>>> from trainer.progress import AttemptRecord
>>> day = 86400.0
>>> missed = AttemptRecord("vi-dd", "vi", "vi-deletions", 0.0, 60.0, False, 9, 60.0, 0, False)
>>> cards = schedule([missed], {})
>>> cards["vi-dd"].due - 60.0 == day, [c.exercise for c in due(cards, now=2 * day)]
(True, ['vi-dd'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fsrs import Card, Rating, Scheduler

from trainer.progress import AttemptRecord

#: No learning steps: every rating schedules whole days, as a course's review wants.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True)
class Review:
    """One exercise's card: when it is due (epoch seconds) and how many attempts were rated."""

    exercise: str
    due: float
    reviews: int
    last: Rating


def rating(attempt: AttemptRecord, par: int | None) -> Rating | None:
    """How an attempt rates its card, or None when it is not a review (skipped, or left untouched)."""
    if attempt.skipped or (not attempt.passed and not attempt.solution_seen and attempt.keys == 0):
        return None
    if not attempt.passed or attempt.solution_seen:
        return Rating.Again
    if attempt.hints_used >= 2:
        return Rating.Hard
    if par is not None and attempt.keys <= par:
        return Rating.Easy
    return Rating.Good


def schedule(attempts: Iterable[AttemptRecord], pars: Mapping[str, int | None]) -> dict[str, Review]:
    """Every reviewed exercise's card, from ``attempts`` (any order) and the exercises' pars."""
    cards: dict[str, tuple[Card, int, Rating]] = {}
    for attempt in sorted(attempts, key=lambda a: a.ended):
        rated = rating(attempt, pars.get(attempt.exercise))
        if rated is None:
            continue
        when = dt.datetime.fromtimestamp(attempt.ended, dt.UTC)
        card, count, _ = cards.get(attempt.exercise, (Card(card_id=1, due=when), 0, rated))
        card, _log = SCHEDULER.review_card(card, rated, when)
        cards[attempt.exercise] = (card, count + 1, rated)
    return {exercise: Review(exercise, card.due.timestamp(), count, last)
            for exercise, (card, count, last) in cards.items()}


def due(cards: Mapping[str, Review], now: float) -> list[Review]:
    """The cards due at ``now``, the longest overdue first."""
    return sorted((c for c in cards.values() if c.due <= now), key=lambda c: (c.due, c.exercise))


def due_counts(cards: Mapping[str, Review], today: dt.date) -> tuple[int, int]:
    """How many cards are due by the end of ``today`` and by the end of the week starting today (local time)."""
    def end_of(day: dt.date) -> float:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).timestamp()
    return (sum(c.due < end_of(today) for c in cards.values()),
            sum(c.due < end_of(today + dt.timedelta(days=6)) for c in cards.values()))
