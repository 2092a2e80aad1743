"""Every learner-facing sentence exists in English and Korean, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from trainer.exam_paper import CHAPTER_TITLES
from trainer.exam_text import EXAM
from trainer.messages import MESSAGES
from trainer.stats import TEXTS
from trainer.text import Text
from trainer.ui_text import HELP, UI

TABLES: dict[str, dict[str, Text]] = {
    "ui": UI, "messages": MESSAGES, "stats": TEXTS, "help": {name: text for name, (_, text) in HELP.items()},
    "exam": EXAM, "chapters": {str(n): text for n, text in CHAPTER_TITLES.items()},
}


#: Entries that are the same in both languages on purpose (names, numbers).
SAME_IN_BOTH = {"ui.topic_line", "ui.bar_time", "ui.kind_vi", "exam.history_running"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("table", TABLES)
def test_both_languages_with_the_same_placeholders(table: str) -> None:
    for key, text in TABLES[table].items():
        assert text.en.strip() and text.ko.strip(), f"{table}.{key} lacks a language"
        assert fields(text.en) == fields(text.ko), f"{table}.{key}: placeholders differ"
        if f"{table}.{key}" not in SAME_IN_BOTH:
            assert any("\uac00" <= ch <= "\ud7a3" for ch in text.ko), f"{table}.{key}: the Korean text has no Hangul"
