"""The JSON Schema of exercise files, exported by ``trainer schema`` for editors' autocompletion.

It describes both file shapes: a pack file (``pack:`` with its topic files) and a topic file
(``topic:`` with its exercises). Check arguments come from the check table, so the schema and the
loader can never disagree about which kinds exist.

    validator = jsonschema.Draft202012Validator(pack_schema())
"""

from __future__ import annotations

from typing import Any

from trainer.checks import CHECKS
from trainer.model import KINDS

ENGINES = ("ksh93", "bash", "nvi", "vim")
SCHEMA_ID = "https://trainer.invalid/schema/exercises.json"

_TEXT: dict[str, Any] = {
    "type": "object", "required": ["en", "ko"], "additionalProperties": False,
    "properties": {"en": {"type": "string", "minLength": 1}, "ko": {"type": "string", "minLength": 1}},
    "description": "A learner-facing text in English and Korean.",
}
_OPTION: dict[str, Any] = {
    "type": "object", "required": ["id", "en", "ko"], "additionalProperties": False,
    "properties": {"id": {"type": "string", "minLength": 1}, "en": {"type": "string", "minLength": 1},
                   "ko": {"type": "string", "minLength": 1}},
}
_QUESTION: dict[str, Any] = {
    "type": "object", "required": ["type"], "additionalProperties": False,
    "description": "kind question: what is asked and what is right. Attempts answer with option ids "
                   "(choice, multi, order), left=right pairs (match), words (short) or a number (numeric).",
    "properties": {
        "type": {"enum": ["choice", "multi", "order", "match", "short", "numeric"]},
        "options": {"type": "array", "items": _OPTION, "minItems": 2},
        "answer": {"description": "choice: an option id; multi: ids; order: every id, first to last.",
                   "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "fixed": {"type": "boolean", "description": "Keep the written order (options are shuffled per seed)."},
        "left": {"type": "array", "items": _OPTION, "minItems": 2},
        "right": {"type": "array", "items": _OPTION, "minItems": 2},
        "pairs": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "match: left id -> right id."},
        "accept": {"type": "array", "items": {"type": ["string", "integer"]}, "minItems": 1,
                   "description": "short: accepted answers (compared without case, spaces, hyphens; the "
                                  "course's terms and their English count as one)."},
        "value": {"type": ["number", "string"], "description": "numeric: the right number."},
        "tolerance": {"type": ["number", "string"]},
    },
}
_EXPLANATION: dict[str, Any] = {
    "type": "object", "required": ["en", "ko"], "additionalProperties": False,
    "description": "Shown once the question is answered or its solution seen; section names the notes' part.",
    "properties": {"en": {"type": "string", "minLength": 1}, "ko": {"type": "string", "minLength": 1},
                   "section": {"type": "string", "minLength": 1}},
}
_SCALAR: dict[str, Any] = {"type": ["string", "integer", "number", "boolean"]}
#: Check arguments that are mappings (kubectl checks: field path -> value, label -> value).
_MAPPING_ARGS: dict[str, Any] = {
    "fields": {"type": "object", "description": "Field path (spec.replicas, metadata.labels[app]) -> value."},
    "labels": {"type": "object", "additionalProperties": _SCALAR},
    "where": {"type": "object", "description": "Field path -> value every counted object has."},
    "command": {"description": "A command line (ran: one or a list of example lines).",
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
    "args": {"type": "array", "items": _SCALAR, "description": "Operands the command starts with."},
    "options": {"type": "array", "items": _SCALAR, "description": "Options it has (l, selector=app=web)."},
    "without": {"type": "array", "items": _SCALAR, "description": "Options it must not have."},
    "edits": {"type": "array", "items": _SCALAR, "description": "vi commands that changed the line (x, cw, A)."},
    "verb": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
             "description": "Request verbs: get, list, watch, create, update, patch, delete."},
    "moves": {"type": "array", "items": _SCALAR, "description": "History moves used (k, j, /, n)."},
}
_KEYS: dict[str, Any] = {
    "description": "Keys in Vim notation (`dd`, `<Esc>`, `:wq<CR>`), or a mapping engine -> keys.",
    "oneOf": [{"type": "string"},
              {"type": "object", "minProperties": 1,
               "propertyNames": {"enum": ["*", *ENGINES]},
               "additionalProperties": {"type": "string"}}],
}
_ATTEMPT: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "keys": _KEYS,
        "answer": {"type": ["string", "integer"], "description": "A quiz answer."},
        "fails": {"type": "array", "items": {"type": "string"},
                  "description": "Check ids or kinds that must fail for this wrong attempt."},
        "why": {"type": "string", "description": "What this attempt shows (for authors)."},
    },
}
_PARAM: dict[str, Any] = {
    "type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
    "properties": {
        "choice": {"type": "array", "minItems": 1},
        "int": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        "word": {"enum": ["file", "dir", "user", "fruit"]},
        "sample": {"type": "object", "required": ["from", "k"],
                   "properties": {"from": {}, "k": {"type": "integer", "minimum": 1}}},
        "expr": {"type": "string"},
    },
}
_FILE: dict[str, Any] = {
    "type": "object", "required": ["path"], "additionalProperties": False,
    "properties": {
        "path": {"type": "string", "minLength": 1, "description": "Relative to HOME."},
        "type": {"enum": ["file", "dir", "symlink", "hardlink"]},
        "content": {"type": "string"},
        "mode": {"type": ["string", "integer"], "description": "Octal, e.g. \"644\"."},
        "target": {"type": "string", "description": "Symlink target or hard link source."},
    },
}
_SETUP: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "files": {"type": "array", "items": _FILE},
        "commands": {"type": "array", "items": {"type": "string"}},
        "history": {"type": "array", "items": {"type": "string"}},
        "open": {"type": "string", "description": "vi drills: the file the editor opens."},
        "mode": {"enum": ["vi", "view", "ex"], "description": "vi drills: how the editor starts."},
        "profile": {"type": "string"},
        "environment": {"type": "string"},
        "login": {"type": "boolean"},
        "objects": {"type": "array", "items": {"type": "object", "required": ["apiVersion", "kind", "metadata"]},
                    "description": "kubectl drills: objects created on the cluster before the attempt."},
    },
}


def _check_schema(per_kind: bool = True) -> dict[str, Any]:
    """A check: its kind and common fields; ``per_kind`` adds each kind's arguments (for editors; the
    loader checks arguments against the check table itself, with clearer messages and ~3x faster)."""
    common = {"kind": {"enum": sorted(CHECKS)}, "id": {"type": "string"}, "message": _TEXT,
              "hint": {"type": "integer", "minimum": 0},
              "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
                         "description": "Its share of an exam task's score (default: 2 for a result, 1 for a "
                                        "method check)."},
              "engines": {"type": "array", "items": {"enum": list(ENGINES)},
                          "description": "Grade this check only under these engines (nvi and vim differ)."}}
    variants = []
    for kind in CHECKS.values():
        props: dict[str, Any] = dict(common)
        for arg in (*kind.required, *kind.optional, *kind.one_of):
            props[arg] = _MAPPING_ARGS.get(arg, _SCALAR)
        props["kind"] = {"const": kind.name, "description": kind.summary}
        variants.append({"if": {"properties": {"kind": {"const": kind.name}}},
                         "then": {"required": list(kind.required), "properties": props,
                                  "additionalProperties": False}})
    if not per_kind:
        return {"type": "object", "required": ["kind"], "properties": common}
    return {"type": "object", "required": ["kind"], "properties": common, "allOf": variants}


def exercise_schema(per_kind: bool = True) -> dict[str, Any]:
    return {
        "type": "object", "additionalProperties": False,
        "required": ["id", "kind", "title", "prompt", "hints", "solution", "wrong"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "kind": {"enum": list(KINDS)},
            "title": _TEXT, "prompt": _TEXT,
            "params": {"type": "object", "additionalProperties": _PARAM},
            "setup": _SETUP,
            "checks": {"type": "array", "minItems": 1, "items": _check_schema(per_kind),
                       "description": "Every kind but question (its one check is made from its question:)."},
            "question": _QUESTION,
            "explanation": _EXPLANATION,
            "covers": {"type": "array", "items": {"type": "string", "pattern": "^f[0-9]{3}$"},
                       "description": "The course facts it drills or asks (ids of exercises/course-facts.tsv)."},
            "hints": {"type": "array", "minItems": 1, "items": _TEXT},
            "solution": _ATTEMPT,
            "wrong": {"type": "array", "minItems": 2, "items": _ATTEMPT},
            "also": {"type": "array", "items": _ATTEMPT,
                     "description": "Other correct solutions a student would reasonably give: each must pass."},
            "par": {"type": ["integer", "string"], "minimum": 1,
                    "description": "The reference solution's key count (a template may compute it; "
                                   "`solution` counts the solution's keys)."},
            "engines": {"type": "array", "items": {"enum": list(ENGINES)}},
            "requires": {"type": "array", "items": {"enum": ["bwrap", "practice-cluster", "containers"]},
                         "description": "What the drill cannot do without (bwrap: the sandbox's own /etc, "
                                        "so that ls -l and id show student and staff; practice-cluster: "
                                        "cluster-scoped writes, not done on a learner's own cluster; "
                                        "containers: nodes that run containers, which exit, fail, print "
                                        "logs and fail to pull, unlike hollow (kubemark) nodes)."},
        },
    }


def pack_file_schema() -> dict[str, Any]:
    return {"type": "object", "required": ["pack", "title", "topics"], "additionalProperties": False,
            "properties": {"pack": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}, "title": _TEXT,
                           "order": {"type": "integer", "description": "Packs are offered in this order "
                                     "(lower first; default 100), then by name."},
                           "topics": {"type": "array", "minItems": 1, "items": {"type": "string"},
                                      "description": "Topic files, relative to this file, in order."}}}


def topic_file_schema(per_kind: bool = True) -> dict[str, Any]:
    return {"type": "object", "required": ["topic", "title", "exercises"], "additionalProperties": False,
            "properties": {"topic": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}, "title": _TEXT,
                           "exercises": {"type": "array", "items": exercise_schema(per_kind)}}}


def pack_schema() -> dict[str, Any]:
    """The exported schema: a file is either a pack file or a topic file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "trainer exercise file",
        "oneOf": [pack_file_schema(), topic_file_schema()],
    }
