"""Run-to-run noise out of kubectl's output, so that two runs of one cluster print the same text.

Only what changes from one run to the next is replaced: uids, resourceVersions, timestamps, ages, IP
addresses, generated name suffixes, node names, server versions, tokens and certificates (a CA bundle
counts as one certificate), client-go's log lines about restarting a watch, the width of
table columns (which follows from those), and the OpenShift extras the reference cluster documents (the
``openshift-service-ca.crt`` ConfigMap and projected-volume source). JSON and YAML documents are parsed
and printed again in one style (kubectl prints them from the same tree, so the style is kubectl's, not
the server's). Everything else is kept, so two
outputs that differ in anything a student can read still differ afterwards.

>>> normalise("web-7d9f8b6c5d-x2v4k   1/1   Running   0   12s   10.244.1.3   node-2")
'web-HASH-XXXXX  1/1  Running  0  AGE  IP  NODE'
>>> normalise("pod/web created") == normalise("pod/web configured")
False
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

#: The letters Kubernetes builds random name suffixes and pod-template hashes from (no vowels, no 0 1 3).
SAFE = "bcdfghjklmnpqrstvwxz2456789"
OPENSHIFT_CM = "openshift-service-ca.crt"

#: client-go's own log lines about a watch it restarts (``W1204 12:00:00.000000  123 reflector.go:...``):
#: they come when the connection to the server drops for a moment, on any cluster, and say nothing of it.
_KLOG_WATCH = re.compile(r"(?m)^[IWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ (reflector|watch|retrywatcher)\.go:\d+\].*\n?")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.S)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_BLOB = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{60,}={0,2}")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_RV = re.compile(r'("?resourceVersion"?:\s*)["\']?\d+["\']?|(resourceVersion=)\d+')
_RFC3339 = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_GODATE = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} [A-Z]{3,4}( m=[+-][\d.]+)?")
_HTTPDATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                       r" \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}\.){3}\d{1,3}(?![\d.])")
_SERVER = re.compile(r"\b(https?://)(127\.0\.0\.1|localhost):\d+")
_PORT_URL = re.compile(r"(?<=IP):\d{2,5}\b")
_NODEPORT = re.compile(r"(?<=\d:)3[0-2]\d{3}(?=/(TCP|UDP|SCTP))|(?<=nodePort: )3[0-2]\d{3}\b"
                       r"|(?<=\"nodePort\": )3[0-2]\d{3}\b|(?<=NodePort:)(\s+<[^>]*>\s+)3[0-2]\d{3}")
_POD_HASH = re.compile(rf"\b([a-z0-9][a-z0-9.-]*?)-[{SAFE}]{{6,10}}-[{SAFE}]{{5}}\b")
_RS_HASH = re.compile(rf"\b([a-z0-9][a-z0-9.-]*?-|pod-template-hash[=:]\s*\"?)[{SAFE}]{{6,10}}\b(?!-)")
_SUFFIX = re.compile(rf"\b([a-z0-9][a-z0-9.-]*?)-[{SAFE}]{{5}}\b(?!-)")
_CRON_JOB = re.compile(r"\b([a-z0-9][a-z0-9.-]*?)-2\d{7}\b")
_EVENT_NAME = re.compile(r"\b([a-z0-9][a-z0-9.-]*?)\.[0-9a-f]{14,20}\b")
_CONTAINER_ID = re.compile(r"\b(containerd|docker|cri-o|fakeRuntime)://[^\s\"',]+")
_CERTS = re.compile(r"CERT(\s*CERT)+")
_IMAGE_ID = re.compile(r"@sha256:[0-9a-f]{64}")
_NODE = re.compile(r"\bnode-[1-9]\b")
_VERSION = re.compile(r"\bv1\.3[5-9]\.\d+(\+[0-9a-z.-]+)?\b")
_AGE = re.compile(r"(?:(?<=\s\s)|(?<=^)|(?<=\bover ))(\d+(\.\d+)?(ms|s|m|h|d|y)(\d+(s|m|h|d))?|<unknown>|<invalid>)"
                  r"(?=\s|$|\))", re.M)
_EVENT_COUNT = re.compile(r"\(x\d+ over AGE\)")
_GAPS = re.compile(r"(?<=\S)[ \t]{2,}")
_SA_TOKEN = re.compile(r"\bkube-api-access-[a-z0-9]{5}\b")


def normalise(text: str) -> str:
    """``text`` with the run-to-run noise replaced by fixed words (see the module docstring)."""
    text = _KLOG_WATCH.sub("", text)
    text = _structured(text)
    text = _drop_openshift_lines(text)
    text = _PEM.sub("CERT", text)
    text = _CERTS.sub("CERT", text)
    text = _JWT.sub("TOKEN", text)
    text = _BLOB.sub("BLOB", text)
    text = _UUID.sub("UID", text)
    text = _RV.sub(lambda m: (m.group(1) or m.group(2)) + "RV", text)
    text = _RFC3339.sub("TIME", text)
    text = _GODATE.sub("TIME", text)
    text = _HTTPDATE.sub("TIME", text)
    text = _SERVER.sub(r"\1SERVER", text)
    text = _IPV4.sub("IP", text)
    text = _PORT_URL.sub(":PORT", text)
    text = _NODEPORT.sub(lambda m: (m.group(2) or "") + "NODEPORT", text)
    text = _CONTAINER_ID.sub(r"\1://ID", text)
    text = _IMAGE_ID.sub("@sha256:ID", text)
    text = _EVENT_NAME.sub(r"\1.EVENT", text)
    text = _CRON_JOB.sub(r"\1-SCHED", text)
    text = _SA_TOKEN.sub("kube-api-access-XXXXX", text)
    text = _POD_HASH.sub(r"\1-HASH-XXXXX", text)
    text = _RS_HASH.sub(r"\1HASH", text)
    text = _SUFFIX.sub(r"\1-XXXXX", text)
    text = _NODE.sub("NODE", text)
    text = _VERSION.sub("VERSION", text)
    text = _AGE.sub("AGE", text)
    text = _EVENT_COUNT.sub("(xN over AGE)", text)
    return "\n".join(_GAPS.sub("  ", line).rstrip() for line in text.splitlines())


# -- structured output (-o json / -o yaml): the OpenShift extras out of the object tree ---------------------


def _structured(text: str) -> str:
    """Whole JSON or YAML documents (``-o json|yaml``) parsed and printed again in one fixed style, without
    the OpenShift extras; one-line JSON (``-o jsonpath``) the same way, line by line."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return json.dumps(_without_openshift(json.loads(text)), indent=4, ensure_ascii=False) + "\n"
        except ValueError:
            pass
    elif re.match(r"(apiVersion|kind|items|metadata):", stripped):
        try:
            tree = yaml.safe_load(text)
        except yaml.YAMLError:
            tree = None
        if isinstance(tree, dict):
            return yaml.safe_dump(_without_openshift(tree), sort_keys=False, allow_unicode=True, width=10_000)
    if OPENSHIFT_CM in text:
        return "".join(_json_line(line) for line in text.splitlines(keepends=True))
    return text


def _json_line(line: str) -> str:
    if not line.lstrip().startswith(("[", "{")):
        return line
    try:
        tree = json.loads(line)
    except ValueError:
        return line
    end = "\n" if line.endswith("\n") else ""
    return json.dumps(_without_openshift(tree), separators=(",", ":"), ensure_ascii=False) + end


def _is_openshift(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if node.get("kind") == "ConfigMap" and node.get("metadata", {}).get("name") == OPENSHIFT_CM:
        return True
    source = node.get("configMap")
    return isinstance(source, dict) and source.get("name") == OPENSHIFT_CM and len(node) == 1


def _without_openshift(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_openshift(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_openshift(item) for item in node if not _is_openshift(item)]
    return node


def _drop_openshift_lines(text: str) -> str:
    """Table rows naming the ConfigMap, and describe's two lines of the projected source."""
    if OPENSHIFT_CM not in text:
        return text
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skip_optional = False
    for line in lines:
        if OPENSHIFT_CM in line and not line.lstrip().startswith(("{", "[", '"')):
            skip_optional = "ConfigMapName:" in line
            continue
        if skip_optional and line.lstrip().startswith(("Optional:", "ConfigMapOptional:")):
            skip_optional = False
            continue
        skip_optional = False
        kept.append(line)
    return "".join(kept)
