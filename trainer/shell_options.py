"""How the course's programs read their arguments: which options take a value, which long names are the
same as a short one, and (kubectl) which operand words name the same resource.

An option is keyed by one canonical name (the short letter where there is one), so ``-l``,
``--selector`` and ``--selector=x`` are one option, and ``-dl`` is ``-d -l``. A program this table does
not know is read as POSIX utilities are: clustered one-letter flags, ``--name[=value]`` long ones.

    >>> spec_for("kubectl").parse(["get", "po", "--selector=app=web", "-n", "dev"])
    ({'l': 'app=web', 'n': 'dev'}, ['get', 'pods'], [])
    >>> spec_for("chmod").parse(["-R", "go-w", "dir"])
    ({'R': None}, ['go-w', 'dir'], [])
    >>> spec_for("head").parse(["-3", "f"])
    ({'n': '3'}, ['f'], [])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from trainer.kube_paths import resource_named  # the resource names are the cluster's

#: A chmod mode that starts with ``-`` (``-w``, ``-x,u+r``) is its operand, not an option.
_CHMOD_MODE = re.compile(r"[-+=][rwxXstugo]*([,][ugoa]*[-+=][rwxXstugo]*)*")


@dataclass(frozen=True)
class OptionSpec:
    """One program's option syntax."""

    #: long name -> canonical name (a long option missing here is its own canonical name)
    long: Mapping[str, str] = field(default_factory=dict)
    #: canonical names of options that take a value (``-n dev``, ``-ndev``, ``--namespace=dev``)
    valued: frozenset[str] = frozenset()
    #: ``-NUM`` means the option named here with value NUM (``head -3`` is ``head -n 3``)
    number_option: str | None = None
    #: words that look like options but are operands (chmod's ``-w``)
    operand_like: re.Pattern[str] | None = None
    #: what follows ``--`` is another command's (kubectl exec), not operands
    rest_after_dashdash: bool = False
    #: canonical operands (kubectl's resource names)
    operands: Callable[[list[str]], list[str]] | None = None

    def canonical(self, name: str) -> str:
        return self.long.get(name, name)

    def parse(self, words: Sequence[str]) -> tuple[dict[str, str | None], list[str], list[str]]:
        """(options, operands, words after ``--``), options anywhere before ``--``."""
        options: dict[str, str | None] = {}
        operands: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            i += 1
            if word == "--":
                (rest if self.rest_after_dashdash else operands).extend(words[i:])
                break
            if word == "-" or not word.startswith("-") or (self.operand_like and self.operand_like.fullmatch(word)):
                operands.append(word)
                continue
            if word.startswith("--"):
                name, eq, value = word[2:].partition("=")
                key = self.canonical(name)
                if eq:
                    options[key] = value
                elif key in self.valued and i < len(words):
                    options[key] = words[i]
                    i += 1
                else:
                    options[key] = None
                continue
            if self.number_option and word[1:].isdigit():
                options[self.number_option] = word[1:]
                continue
            letters = word[1:]
            for at, letter in enumerate(letters):
                key = self.canonical(letter)
                if key in self.valued:
                    value = letters[at + 1:].removeprefix("=")
                    if not value and i < len(words):
                        value = words[i]
                        i += 1
                    options[key] = value
                    break
                options[key] = None
        if self.operands is not None:
            operands = self.operands(operands)
        return options, operands, rest


# -- kubectl ---------------------------------------------------------------------------------------

#: Verbs whose next operand is a sub-verb (``rollout status``, ``create deployment``, ``set image``).
_SUBVERBS = {"rollout", "create", "set", "config", "top", "auth", "certificate", "apply"}
#: Verbs followed by resource operands: a type (``po``), ``type/name``, or names.
_RESOURCE_VERBS = {"get", "describe", "delete", "scale", "label", "annotate", "edit", "patch", "expose",
                   "autoscale", "explain", "wait", "rollout", "set", "top", "logs", "cordon", "drain"}
#: Sub-verbs that name a kind to create, not a resource to act on (``create deployment web``).
_CREATE_KINDS = {"deployment": "deployments", "deploy": "deployments", "service": "services",
                 "svc": "services", "secret": "secrets", "configmap": "configmaps", "cm": "configmaps",
                 "namespace": "namespaces", "ns": "namespaces", "job": "jobs", "cronjob": "cronjobs",
                 "cj": "cronjobs", "serviceaccount": "serviceaccounts", "sa": "serviceaccounts",
                 "ingress": "ingresses", "ing": "ingresses", "role": "roles", "rolebinding": "rolebindings",
                 "quota": "resourcequotas", "quotas": "resourcequotas"}


def _resource(word: str) -> str | None:
    """The plural resource ``word`` names (``po`` -> ``pods``, ``deploy.apps`` -> ``deployments``)."""
    base = word.split(".", 1)[0] if "." in word else word
    for name in (word, base):
        try:
            return resource_named(name).plural
        except KeyError:
            continue
    return None


def _kubectl_operands(operands: list[str]) -> list[str]:
    """``get po web`` and ``get pod/web`` are one request: ``get pods web``. Types in ``po,svc`` each
    become their plural; the verb and a sub-verb stay as they are."""
    if not operands:
        return operands
    out = [operands[0]]
    rest = operands[1:]
    verb = operands[0]
    if verb in _SUBVERBS and rest:
        sub = rest[0]
        if verb == "create":
            out.append(_CREATE_KINDS.get(sub, sub))
            return out + rest[1:]
        out.append(sub)
        rest = rest[1:]
    if verb not in _RESOURCE_VERBS:
        return out + rest
    typed = False
    for word in rest:
        if "/" in word and not word.startswith("/"):
            kind, _, name = word.partition("/")
            plural = _resource(kind)
            out += [plural, name] if plural else [word]
            typed = True
        elif not typed and verb != "explain":  # the type, or types (po,svc)
            plurals = [_resource(w) for w in word.split(",")]
            if all(plurals):
                out.append(",".join(p for p in plurals if p))
                typed = True
            else:
                out.append(word)
        elif verb == "explain":  # explain po.spec: the resource, then the field path
            head, _, tail = word.partition(".")
            plural = _resource(head)
            out += ([plural, tail] if tail else [plural]) if plural else [word]
        else:
            out.append(word)
    return out


KUBECTL = OptionSpec(
    long={"namespace": "n", "selector": "l", "filename": "f", "output": "o", "container": "c", "stdin": "i",
          "tty": "t", "all-namespaces": "A", "watch": "w", "recursive": "R", "label-columns": "L",
          "patch": "p", "env": "e", "help": "h"},
    valued=frozenset({"n", "l", "f", "o", "c", "L", "p", "e", "replicas", "image", "port", "target-port",
                      "type", "from-literal", "from-file", "field-selector", "sort-by", "to-revision", "timeout",
                      "context", "kubeconfig", "restart", "labels", "limits", "requests", "name", "cascade",
                      "grace-period", "schedule", "current-replicas", "min", "max", "cpu-percent", "revision",
                      "for", "protocol", "field-manager", "from", "cluster", "user", "template"}),
    rest_after_dashdash=True,
    operands=_kubectl_operands,
)

_SPECS: dict[str, OptionSpec] = {
    "kubectl": KUBECTL,
    "ls": OptionSpec(long={"all": "a", "directory": "d", "recursive": "R", "human-readable": "h",
                           "inode": "i", "reverse": "r", "classify": "F"}),
    "chmod": OptionSpec(long={"recursive": "R", "verbose": "v", "changes": "c", "silent": "f", "quiet": "f",
                              "reference": "reference"}, valued=frozenset({"reference"}),
                        operand_like=_CHMOD_MODE),
    "grep": OptionSpec(long={"count": "c", "line-number": "n", "ignore-case": "i", "invert-match": "v",
                             "word-regexp": "w", "regexp": "e", "file": "f", "max-count": "m",
                             "files-with-matches": "l", "extended-regexp": "E", "recursive": "r"},
                       valued=frozenset({"e", "f", "m", "A", "B", "C"})),
    "wc": OptionSpec(long={"lines": "l", "words": "w", "bytes": "c", "chars": "m"}),
    "head": OptionSpec(long={"lines": "n", "bytes": "c"}, valued=frozenset({"n", "c"}), number_option="n"),
    "tail": OptionSpec(long={"lines": "n", "bytes": "c", "follow": "f"}, valued=frozenset({"n", "c"}),
                       number_option="n"),
    "cal": OptionSpec(),
    "man": OptionSpec(valued=frozenset({"k", "s", "M"})),
    "set": OptionSpec(valued=frozenset({"o"})),
    "mkdir": OptionSpec(long={"parents": "p", "mode": "m"}, valued=frozenset({"m"})),
    "cp": OptionSpec(long={"recursive": "R", "force": "f", "interactive": "i", "preserve": "p"}),
    "rm": OptionSpec(long={"recursive": "r", "force": "f", "interactive": "i"}),
    "ln": OptionSpec(long={"symbolic": "s", "force": "f"}),
    # echo, banner and print print their words: none of them is an option to grade
    **dict.fromkeys(("echo", "banner", "print"), OptionSpec(operand_like=re.compile(r".*"))),
}
_PLAIN = OptionSpec()


def spec_for(program: str) -> OptionSpec:
    """How ``program`` reads its arguments (POSIX rules for one this table does not know)."""
    return _SPECS.get(program, _PLAIN)
