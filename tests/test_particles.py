"""Korean reads right: every particle after a Latin word, a command or a number takes the form its reading
asks for, attached without a space; the packs use the course's terms.

Every Korean text of every exercise is rendered for several seeds, so a particle written after a drawn
value (``{{name}}를``) fails on the first seed that draws a word ending in a consonant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer import particles
from trainer.exam_text import EXAM
from trainer.loader import instantiate, load_library
from trainer.messages import MESSAGES
from trainer.model import Exercise
from trainer.params import render
from trainer.stats import TEXTS
from trainer.text import Text
from trainer.ui_text import HELP, UI

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
SEEDS = range(8)

#: A Latin word, a command or a number, then a particle with two forms, then no more Hangul of the word.
_AFTER_LATIN = re.compile(
    r"([A-Za-z0-9][A-Za-z0-9_.:/*'\"`<>\]\-=+]*)(을|를|이|가|은|는|과|와|으로|로)(?=[^\uac00-\ud7a3]|$|[는도서만부터])")
#: A particle standing alone after a space, as machine translation writes it.
_SPACED = re.compile(
    r"\S (을|를|은|는|과|와|으로|로|의|에|에서|에는|에게|도|을\(를\)|이\(가\)|은\(는\))(?=[\s.,:;!?)]|$)")
#: The course's names of the workload kinds, and the common ones it does not use.
COURSE_TERMS = {"레플리카셋": "레플리카세트", "데몬셋": "데몬세트", "스테이트풀셋": "스테이트풀세트"}


def korean_texts(exercise: Exercise) -> Iterator[tuple[str, str]]:
    yield "title", exercise.title.ko
    yield "prompt", exercise.prompt.ko
    for n, hint in enumerate(exercise.hints):
        yield f"hints[{n}]", hint.ko
    for check in exercise.checks:
        if check.message:
            yield f"check {check.id}", check.message.ko


def problems(text: str) -> list[str]:
    found = []
    for match in _AFTER_LATIN.finditer(text):
        word, particle = match.groups()
        if particle == "이" and text[match.end():match.end() + 1].isdigit():
            continue
        want = particles.pick(word, particle)
        if want != particle:
            found.append(f"{word}{particle} should be {word}{want}")
    found += [f"a space before {m.group(1)!r}: {text[max(0, m.start() - 12):m.end() + 2]!r}"
              for m in _SPACED.finditer(text)]
    for common, course in COURSE_TERMS.items():
        for m in re.finditer(common, text):
            if not text[:m.start()].endswith(course + "("):
                found.append(f"{common}: the course writes {course}")
    return found


def test_every_exercise_reads_right_for_every_seed() -> None:
    library = load_library(EXERCISES)
    assert not library.errors, library.errors[:5]
    assert {p.name for p in library.packs} >= {"starter", "aix", "vi", "kubectl"}
    found = []
    for template in library.templates:
        for seed in SEEDS:
            exercise = instantiate(template, seed)
            for where, text in korean_texts(exercise):
                found += [f"{template.id} seed {seed} {where}: {p}" for p in problems(text)]
    for pack in library.packs:
        found += [f"pack {pack.name}: {p}" for p in problems(pack.title.ko)]
        for topic in pack.topics:
            found += [f"topic {topic.name}: {p}" for p in problems(topic.title.ko)]
    assert not sorted(set(found)), "\n".join(sorted(set(found))[:60])


@pytest.mark.parametrize("table", ["ui", "messages", "stats", "help", "exam"])
def test_the_trainers_own_sentences_read_right(table: str) -> None:
    texts: dict[str, Text] = {"ui": UI, "messages": MESSAGES, "stats": TEXTS, "exam": EXAM,
                              "help": {name: text for name, (_, text) in HELP.items()}}[table]
    found = [f"{table}.{key}: {p}" for key, text in texts.items()
             for p in problems(re.sub(r"\{[^}]*\}", "", text.ko))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("word", "particle", "want"), [
    ("blog", "을", "를"), ("google.com", "를", "을"), ("staging", "를", "을"), ("backup", "는", "은"),
    ("kim", "와", "과"), ("lee", "과", "와"), ("web", "로", "으로"), ("file", "으로", "로"),
    ("10", "이", "이"), ("999", "이", "가"), ("M", "로", "으로"), ("r*", "으로", "로"), (":wq", "으로", "로"),
    ("nginx:1.25", "을", "를"), ("DNS", "은", "는"), ("YAML", "가", "이"), ("레플리카세트", "을", "를"),
    ("파일", "로", "로"), ("app.yaml", "을", "을"), ("Deployment", "은", "는"), ("set", "를", "을"),
])
def test_pick_follows_the_reading(word: str, particle: str, want: str) -> None:
    assert particles.pick(word, particle) == want


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-:ABCXYZ가나다람", min_size=1, max_size=12),
       st.sampled_from(sorted(particles.FORMS)))
def test_pick_always_gives_a_form_of_the_pair(word: str, particle: str) -> None:
    assert particles.pick(word, particle) in particles.FORMS[particle]


def test_a_template_attaches_the_particle_and_names_a_wrong_one() -> None:
    assert render("서비스 {{ name | 을 }} 지우세요", {"name": "blog"}) == "서비스 blog를 지우세요"
    assert render("{{ name|가 }}", {"name": "web"}) == "web이"
    assert render("{{ join('|', xs) }}", {"xs": ["a", "b"]}) == "a|b"
    with pytest.raises(Exception, match="not a particle with two forms"):
        render("{{ name | 에게 }}", {"name": "kim"})


def test_a_message_attaches_the_particle_to_its_value() -> None:
    assert MESSAGES["kube_present"].format(what="Service web").ko.startswith("Service web이 ")
    assert MESSAGES["kube_present"].format(what="Pod blog").ko.startswith("Pod blog가 ")
