"""Crib sheets: a topic's drills and questions summed up on one screen, in the course's order.

Each drill gives its skill (the title) and the command or keys that do it (the last step of its hint ladder,
drawn for the first variant); each question its answer, in words, and its explanation. Plain text for the
terminal, or Markdown (``fmt="md"``) ready to print.

>>> from trainer.loader import load_library
>>> from pathlib import Path
>>> sheet = summary(load_library(Path("exercises")), ["concepts-cloud"], "en", "md")
>>> sheet.splitlines()[0], "SPI" in sheet
('## Concepts of the course · Cloud and virtualisation', True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from prompt_toolkit.utils import get_cwidth

from trainer.errors import TrainerError
from trainer.loader import Library, instantiate
from trainer.model import Exercise

_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (the whole text when it has one).

    >>> first_sentence("Two. Then three."), first_sentence("하나입니다. 둘입니다."), first_sentence("no stop")
    ('Two.', '하나입니다.', 'no stop')
    """
    found = _SENTENCE.match(text.strip())
    return found.group(1) if found else text.strip()


def _line(exercise: Exercise, lang: str) -> str:
    title = exercise.title.get(lang)
    if exercise.question is not None:
        explanation = first_sentence(exercise.explanation.get(lang)) if exercise.explanation else ""
        return f"{title}: {exercise.question.correct_answer(lang)}. {explanation}".rstrip()
    return f"{title}: {exercise.hints[-1].get(lang)}"


def unknown_names(library: Library, names: Sequence[str]) -> list[str]:
    """The ``names`` that are neither a topic nor a pack of ``library``."""
    known = {t.name for p in library.packs for t in p.topics} | {p.name for p in library.packs}
    return [n for n in names if n not in known]


def summary(library: Library, topics: Sequence[str] | None, lang: str, fmt: str = "text") -> str:
    """The crib sheets of ``topics`` (topic or pack names; all when None), one block per topic."""
    unknown = unknown_names(library, topics or ())
    if unknown:
        raise TrainerError(f"no topic or pack {unknown[0]!r} (see `trainer list`)")
    blocks = []
    for pack in library.packs:
        for topic in pack.topics:
            if topics and topic.name not in topics and pack.name not in topics:
                continue
            heading = f"{pack.title.get(lang)} · {topic.title.get(lang)}"
            lines = [_line(instantiate(t, 0), lang) for t in pack.exercises if t.topic == topic.name]
            if fmt == "md":
                blocks.append("\n".join([f"## {heading}", "", *(f"- {line}" for line in lines)]))
            else:
                rule = "=" * min(get_cwidth(heading), 72)
                blocks.append("\n".join([heading, rule, *(f"- {line}" for line in lines)]))
    return "\n\n".join(blocks) + "\n"
