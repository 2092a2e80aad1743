"""Concept questions: single and multiple choice, ordering, matching, short answer and numeric.

A question is written with option ids (``answer: saas``); a seed shuffles the options and labels them
a, b, c ... for the learner, who answers with labels (``b``, ``2``, ``b d``, ``c a b``, ``1b 2a``), a word
or a number. ``Question`` holds one variant: what it shows and how an answer is judged.

>>> q = Question.parse({"type": "choice", "options": [{"id": "x", "en": "X", "ko": "엑스"},
...     {"id": "y", "en": "Y", "ko": "와이"}], "answer": "y"}, seed=3, exercise_id="q")
>>> [o.text.en for o in q.options], q.labels_for("y")
(['Y', 'X'], 'a')
>>> q.judge("A"), q.judge("1"), q.judge("(a)"), q.judge("b"), q.judge("ab")
(True, True, True, False, False)
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trainer.errors import PackError
from trainer.text import Text

TYPES = ("choice", "multi", "order", "match", "short", "numeric")
LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: Words the course writes two ways, and the English: an answer in one is an answer in all.
SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(group) for group in (
    {"레플리카세트", "레플리카셋", "replicaset", "replicasets", "rs"},
    {"데몬세트", "데몬셋", "daemonset", "daemonsets", "ds"},
    {"스테이트풀세트", "스테이트풀셋", "statefulset", "statefulsets", "sts"},
    {"디플로이먼트", "deployment", "deployments", "deploy"},
    {"파드", "포드", "pod", "pods", "po"},
    {"네임스페이스", "namespace", "namespaces", "ns"},
    {"서비스", "service", "services", "svc"},
    {"컨피그맵", "configmap", "configmaps", "cm"},
    {"시크릿", "secret", "secrets"},
    {"인그레스", "ingress", "ingresses", "ing"},
    {"크론잡", "cronjob", "cronjobs", "cj"},
    {"잡", "job", "jobs"},
    {"노드", "node", "nodes", "no"},
    {"레이블", "라벨", "label", "labels"},
    {"어노테이션", "애너테이션", "annotation", "annotations"},
    {"하이퍼바이저", "hypervisor"},
    {"컨테이너", "container", "containers"},
    {"가상머신", "가상 머신", "vm", "virtualmachine"},
))


@dataclass(frozen=True)
class Option:
    id: str
    text: Text


@dataclass(frozen=True)
class Question:
    """One variant of a question: its shown options (in shuffled order) and what is right."""

    type: str
    options: tuple[Option, ...] = ()  # choice, multi, order: the items; match: the right-hand side
    lefts: tuple[Option, ...] = ()  # match: the left-hand side, numbered 1..n (in written order)
    answer: tuple[str, ...] = ()  # option ids: the one, the set, the order; match: right ids per left
    accept: tuple[str, ...] = ()  # short: accepted answers
    value: float | None = None  # numeric
    tolerance: float = 0.0

    @classmethod
    def parse(cls, raw: Mapping[str, Any], seed: int, exercise_id: str = "") -> Question:
        """The question of a rendered exercise's ``question:`` block, its options shuffled by ``seed``
        (the same seed gives the same order; ``fixed: true`` keeps the written order)."""
        kind = raw.get("type")
        if kind not in TYPES:
            raise PackError(f"question type {kind!r}: use one of {', '.join(TYPES)}")
        rng = random.Random(f"{exercise_id}/question/{seed}")

        def options(items: Sequence[Any], where: str) -> list[Option]:
            out = []
            for item in items:
                if not isinstance(item, Mapping) or not {"id", "en", "ko"} <= set(item):
                    raise PackError(f"question {where}: each needs id, en and ko")
                out.append(Option(str(item["id"]), Text(str(item["en"]), str(item["ko"]))))
            if len({o.id for o in out}) != len(out):
                raise PackError(f"question {where}: two have the same id")
            return out

        if kind == "short":
            accept = tuple(str(a) for a in raw.get("accept", ()))
            if not accept:
                raise PackError("a short-answer question needs accept: [...]")
            return cls(kind, accept=accept)
        if kind == "numeric":
            try:
                return cls(kind, value=float(raw["value"]), tolerance=float(raw.get("tolerance", 0)))
            except (KeyError, TypeError, ValueError) as exc:
                raise PackError("a numeric question needs a number as value (and tolerance)") from exc
        if kind == "match":
            lefts = options(raw.get("left", ()), "left")
            rights = options(raw.get("right", ()), "right")
            pairs = raw.get("pairs", {})
            if not lefts or not isinstance(pairs, Mapping) or set(map(str, pairs)) != {o.id for o in lefts}:
                raise PackError("a matching question needs left, right and pairs: {left id: right id} for each left")
            answer = tuple(str(pairs[o.id]) for o in lefts)
            if not set(answer) <= {o.id for o in rights}:
                raise PackError("question pairs: a right id that is not among right")
            rng.shuffle(rights)
            return cls(kind, options=tuple(rights), lefts=tuple(lefts), answer=answer)
        shown = options(raw.get("options", ()), "options")
        if len(shown) < 2:
            raise PackError("a question needs at least two options")
        written = raw.get("answer")
        answer = tuple(str(a) for a in (written if isinstance(written, list) else str(written or "").split()))
        known = {o.id for o in shown}
        if not answer or not set(answer) <= known:
            raise PackError(f"question answer {written!r}: give option ids ({', '.join(sorted(known))})")
        if kind == "choice" and len(answer) != 1:
            raise PackError("a single-choice question has one answer")
        if kind == "order" and sorted(answer) != sorted(known):
            raise PackError("an ordering question's answer lists every option once")
        if not raw.get("fixed"):
            rng.shuffle(shown)
        return cls(kind, options=tuple(shown), answer=answer)

    # -- what the learner sees ----------------------------------------------------------------------
    def label(self, option_id: str) -> str:
        return LETTERS[[o.id for o in self.options].index(option_id)]

    def labels_for(self, ids: str) -> str:
        """Option ids as the learner types them: ``"y"`` → ``"a"``; match ``"l1=r2 l2=r1"`` → ``"1b 2a"``.
        Words that are not option ids (a wrong attempt's own answer) stay as written."""
        out = []
        for word in ids.split():
            left, eq, right = word.partition("=")
            if self.type == "match" and eq and left in [o.id for o in self.lefts]:
                number = [o.id for o in self.lefts].index(left) + 1
                out.append(f"{number}{self.label(right) if right in [o.id for o in self.options] else right}")
            elif word in [o.id for o in self.options]:
                out.append(self.label(word))
            else:
                out.append(word)
        return " ".join(out)

    def lines(self, lang: str) -> list[str]:
        """The options as the task pane shows them."""
        if self.type == "match":
            width = max(len(o.text.get(lang)) for o in self.lefts)
            rows = []
            for n in range(max(len(self.lefts), len(self.options))):
                left = f"{n + 1}. {self.lefts[n].text.get(lang)}" if n < len(self.lefts) else ""
                right = f"{LETTERS[n]}) {self.options[n].text.get(lang)}" if n < len(self.options) else ""
                rows.append(f"{left:{width + 4}}  {right}".rstrip())
            return rows
        return [f"{LETTERS[n]}) {o.text.get(lang)}" for n, o in enumerate(self.options)]

    def correct_answer(self, lang: str | None = None) -> str:
        """The right answer in the learner's labels (or words, or number); with ``lang``, in the options'
        words instead of their letters (for a crib sheet)."""
        if self.type == "short":
            return self.accept[0]
        if self.type == "numeric":
            assert self.value is not None
            return f"{self.value:g}"
        if lang is not None:
            words = {o.id: o.text.get(lang) for o in self.options}
            if self.type == "match":
                pairs = zip(self.lefts, self.answer, strict=True)
                return "; ".join(f"{left.text.get(lang)} = {words[right]}" for left, right in pairs)
            return (" → " if self.type == "order" else "; ").join(words[a] for a in self.answer)
        if self.type == "match":
            return " ".join(f"{n + 1}{self.label(r)}" for n, r in enumerate(self.answer))
        return " ".join(self.label(a) for a in self.answer)

    # -- judging -------------------------------------------------------------------------------------
    def judge(self, answer: str) -> bool:
        """Whether ``answer`` (as typed) is right."""
        if self.type == "short":
            return normalise_words(answer) in {w for a in self.accept for w in _with_synonyms(a)}
        if self.type == "numeric":
            number = first_number(answer)
            assert self.value is not None
            return number is not None and abs(number - self.value) <= self.tolerance + 1e-9
        got = self.read_labels(answer)
        if got is None:
            return False
        if self.type == "choice":
            return got == [self.label(self.answer[0])]
        if self.type == "multi":
            return sorted(got) == sorted(self.label(a) for a in self.answer) and len(set(got)) == len(got)
        if self.type == "order":
            return got == [self.label(a) for a in self.answer]
        return got == [self.label(r) for r in self.answer]  # match: the right label of each left, in order

    def read_labels(self, answer: str) -> list[str] | None:
        """The labels in ``answer``: letters or 1-based numbers, with or without separators; for matching,
        ``1b 2a`` (any order) or the letters for 1, 2, ... in order. None when it cannot be read."""
        text = unicodedata.normalize("NFKC", answer).strip().lower()
        count = len(self.options)
        if self.type == "match":
            pairs = re.findall(r"(\d+)\s*[-=:.)]?\s*([a-z])", text)
            if pairs:
                by_left = {int(n): letter for n, letter in pairs}
                if sorted(by_left) != list(range(1, len(self.lefts) + 1)) or len(pairs) != len(self.lefts):
                    return None
                return [by_left[n] for n in range(1, len(self.lefts) + 1)]
        if re.search(r"[^0-9a-z()\[\],;/·\s-]", text):
            return None  # words of another kind: not labels
        labels = []
        for token in re.findall(r"\d+|[a-z]+", text):
            if token.isdigit():
                if not 1 <= int(token) <= count:
                    return None
                labels.append(LETTERS[int(token) - 1])
            elif all(letter in LETTERS[:count] for letter in token):
                labels += list(token)  # "bd" is b and d
            else:
                return None
        return labels or None


def normalise_words(text: str) -> str:
    """An answer as compared: NFKC, lower case, no spaces, hyphens, dots or quotes, no final punctuation.

    >>> normalise_words(" Replica-Set. "), normalise_words("레플리카 세트"), normalise_words("`kube-system`")
    ('replicaset', '레플리카세트', 'kubesystem')
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-_.'\"`?!,。、]+", "", text)


def _with_synonyms(accepted: str) -> set[str]:
    word = normalise_words(accepted)
    for group in SYNONYMS:
        if word in {normalise_words(w) for w in group}:
            return {normalise_words(w) for w in group}
    return {word}


def first_number(text: str) -> float | None:
    """The number an answer gives (``"13개"``, ``"13 pods"``, ``"2.5"``), or None.

    >>> first_number("13개"), first_number("약 2.5"), first_number("many")
    (13.0, 2.5, None)
    """
    match = re.search(r"-?\d+(?:\.\d+)?", unicodedata.normalize("NFKC", text))
    return float(match.group(0)) if match else None
