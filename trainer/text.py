"""A learner-facing text in every language of the course (English and Korean).

>>> Text("{n} files", "파일 {n}개").format(n=3).ko
'파일 3개'
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.particles import format_text


@dataclass(frozen=True)
class Text:
    """A learner-facing text in every language of the course."""

    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def format(self, **values: object) -> Text:
        return Text(self.en.format(**values), format_text(self.ko, **values))
