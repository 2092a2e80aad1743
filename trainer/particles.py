"""Korean particles after a word the trainer did not write itself: 을/를, 이/가, 은/는, 과/와, (으)로.

Which form follows a word depends on how the word is read aloud: a final consonant takes 을, 이, 은, 과,
으로 (but ㄹ takes 로). ``tossi`` decides that for Hangul and for numbers; this module first gives a
Latin word, a command or a letter its Korean reading, so that ``blog`` takes 를 (블로그), ``google.com`` 을
(닷컴), ``M`` 으로 (엠) and ``r*`` 로 (알). Templates ask for it as ``{{ name | 을 }}``.

>>> [attach(w, "을") for w in ("blog", "google.com", "staging", "backup", "10", "999", "파드")]
['blog를', 'google.com을', 'staging을', 'backup을', '10을', '999를', '파드를']
>>> attach("M", "로"), attach("r*", "으로"), attach("kim", "와"), attach("backup", "는")
('M으로', 'r*로', 'kim과', 'backup은')
"""

from __future__ import annotations

import re
import string
from typing import Any

import tossi

#: Every form a template may name, mapped to its pair (either form of a pair asks for the same choice).
FORMS: dict[str, tuple[str, str]] = {}
for _with, _without in (("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"),
                        ("이나", "나"), ("이라는", "라는"), ("이고", "고"), ("이면", "면")):
    FORMS[_with] = FORMS[_without] = (_with, _without)

#: How each Latin letter is read when a word is spelled out (only the last one matters).
LETTERS = {
    "a": "에이", "b": "비", "c": "씨", "d": "디", "e": "이", "f": "에프", "g": "지", "h": "에이치",
    "i": "아이", "j": "제이", "k": "케이", "l": "엘", "m": "엠", "n": "엔", "o": "오", "p": "피",
    "q": "큐", "r": "알", "s": "에스", "t": "티", "u": "유", "v": "브이", "w": "더블유", "x": "엑스",
    "y": "와이", "z": "지",
}

#: Readings of words whose spelling does not tell their ending (English is not read as it is written).
READINGS = {
    "check": "체크", "desk": "데스크", "disk": "디스크", "chart": "차트", "root": "루트",
    "boot": "부트", "test": "테스트", "script": "스크립트", "host": "호스트", "list": "리스트",
    "port": "포트", "cat": "캣", "set": "셋", "get": "겟", "bit": "빗", "edit": "에디트", "exit": "엑시트",
    "kubectl": "큐브컨트롤", "nginx": "엔진엑스", "yaml": "야믈", "json": "제이슨", "chmod": "시에이치모드",
    "grep": "그렙", "vim": "빔", "nvi": "엔브이아이", "ksh": "케이에스에이치", "bash": "배시",
    "cron": "크론", "redis": "레디스", "httpd": "에이치티티피디", "busybox": "비지박스", "com": "컴",
    "net": "넷", "org": "오알지", "io": "아이오", "kr": "케이알", "local": "로컬", "default": "디폴트",
    "kube": "큐브", "app": "앱", "web": "웹", "api": "에이피아이", "db": "디비", "ui": "유아이",
    "lee": "리", "choi": "최", "jung": "정", "kang": "강", "cho": "조", "yoon": "윤", "jang": "장",
    "lim": "임", "kim": "김", "park": "박", "mango": "망고", "melon": "멜론", "peach": "피치",
    "plum": "플럼", "pear": "페어", "apple": "애플", "banana": "바나나", "cherry": "체리", "grape": "그레이프",
    "lemon": "레몬", "ledger": "레저", "roster": "로스터", "invoice": "인보이스", "readme": "리드미",
    "agenda": "어젠다", "index": "인덱스", "summary": "서머리", "draft": "드래프트", "todo": "투두",
    "plan": "플랜", "budget": "버짓", "memo": "메모", "notes": "노츠", "report": "리포트",
    "letter": "레터", "backup": "백업", "config": "컨피그", "logs": "로그스", "build": "빌드",
    "public": "퍼블릭", "private": "프라이빗", "shared": "셰어드", "reports": "리포츠", "tools": "툴스",
    "cache": "캐시", "drafts": "드래프츠", "projects": "프로젝츠", "docs": "독스", "archive": "아카이브",
    "scripts": "스크립츠", "data": "데이터", "frontend": "프론트엔드", "backend": "백엔드",
    "staging": "스테이징", "prod": "프로드", "dev": "데브", "blog": "블로그", "shop": "숍",
    "google": "구글", "mail": "메일", "job": "잡", "pod": "파드", "node": "노드", "mode": "모드",
    "file": "파일", "line": "라인", "name": "네임", "time": "타임", "image": "이미지", "service": "서비스",
    "txt": "티엑스티", "sh": "에스에이치", "log": "로그", "conf": "콘프", "md": "엠디", "csv": "시에스브이",
    "kib": "키비바이트", "mib": "메비바이트", "gib": "기비바이트", "id": "아이디",
}

#: How a word made only of a sign is read: ``= 를`` reads 이퀄을.
SYMBOLS = {"+": "플러스", "-": "마이너스", "=": "이퀄", "*": "별표", "/": "슬래시", ".": "점", ":": "콜론",
           "~": "틸드", "^": "캐럿", "$": "달러", "#": "샵", "!": "느낌표", "?": "물음표", "&": "앰퍼샌드",
           "|": "파이프", "%": "퍼센트", "\\": "백슬래시"}

_TRAILING_BRACKETS = re.compile(r"(\s*\([^()]*\))+$")
_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+(?:\.[0-9]+)?|[\uac00-\ud7a3]+")
_VOWELS = set("aeiou")


_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def reading(word: str) -> str:
    """How the end of ``word`` is read in Korean: Hangul and digits as they are, Latin made Hangul.

    >>> reading("nginx:1.25"), reading("DNS"), reading("dw"), reading("apple"), reading("setup"), reading("ClusterIP")
    ('1.25', '에스', '더블유', '애플', '업', '피')
    """
    word = _TRAILING_BRACKETS.sub("", word) or word
    tokens: list[str] = _TOKEN.findall(word)
    if not tokens:
        return SYMBOLS.get(word.strip()[-1:], word)
    last = tokens[-1]
    if not last.isascii() or last[0].isdigit():
        return last
    parts = _CAMEL.findall(last)
    if len(parts) > 1 and not last.isupper():  # ClusterIP, NodePort: read the last part
        last = parts[-1]
    lower = last.lower()
    if lower in READINGS:
        return READINGS[lower]
    if (last.isupper() and len(last) > 1) or len(last) <= 2 or not _VOWELS & set(lower[:-1] or lower):
        return LETTERS[lower[-1]]
    return _english_ending(lower)


def _english_ending(word: str) -> str:
    """A Hangul syllable with the final consonant an English word of this spelling ends in."""
    before = word[-2] if len(word) > 1 else ""
    if word.endswith("ng"):
        return "잉"
    if word.endswith(("m", "me")):
        return "엠"
    if word.endswith(("n", "ne")):
        return "엔"
    if word.endswith(("l", "le")):
        return "엘"
    if word.endswith("ck") or word.endswith("ook"):
        return "엑"
    if word[-1] in "pb" and before in _VOWELS:
        return "업"
    if word[-1] == "t" and before in _VOWELS and (len(word) < 3 or word[-3] not in _VOWELS):
        return "엣"
    return "에"


def pick(word: str, particle: str) -> str:
    """The form of ``particle`` (either form of its pair) that follows ``word``.

    >>> pick("yaml", "을"), pick("Deployment", "은"), pick("web", "로"), pick("3", "이")
    ('을', '는', '으로', '이')
    """
    if particle not in FORMS:
        raise ValueError(f"not a particle with two forms: {particle!r}")
    chosen = str(tossi.pick(reading(word) or word, FORMS[particle][0]))
    return chosen if chosen in FORMS[particle] else FORMS[particle][0]


def attach(word: str, particle: str) -> str:
    """``word`` followed by the right form of ``particle``, with no space between them."""
    return f"{word}{pick(word, particle)}"


class _Formatter(string.Formatter):
    """``str.format`` where a format spec that is a particle (``{what:을}``) attaches it to the value."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in FORMS:
            return attach(str(value), format_spec)
        return str(super().format_field(value, format_spec))


_FORMATTER = _Formatter()


def format_text(template: str, /, **values: object) -> str:
    """``template.format(**values)``, with ``{name:을}`` giving the value its particle.

    >>> format_text("{what:이} 없습니다. {n:>3}", what="Service blog", n=5)
    'Service blog가 없습니다.   5'
    """
    return _FORMATTER.format(template, **values)
