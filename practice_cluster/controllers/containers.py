"""What a simulated container does: how long it runs, how it exits, what it logs, whether its image pulls.

The practice cluster runs no real containers. A container's command is read the way a student writes
it (``sh -c 'echo hi; sleep 5'``): ``echo`` and ``printenv`` print, ``sleep N`` takes N seconds,
``exit N`` and ``false`` fail, a loop or ``sleep infinity`` runs for ever. Without a command, server
images (nginx, httpd, redis, ...) run for ever and shell images (busybox, alpine, ...) exit at once,
as they do on a real cluster.

>>> b = behaviour({"image": "busybox", "command": ["sh", "-c", "echo hello; sleep 5; exit 3"]}, {})
>>> b.seconds, b.exit_code, b.lines
(5.0, 3, ['hello'])
>>> behaviour({"image": "nginx:1.25"}, {}).seconds is None
True
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVER_IMAGES = ("nginx", "httpd", "redis", "postgres", "mysql", "mariadb", "mongo", "memcached", "rabbitmq",
                 "traefik", "caddy", "tomcat", "registry", "pause", "coredns", "haproxy", "consul", "etcd",
                 "grafana", "prometheus", "jenkins", "wordpress", "elasticsearch", "kibana", "nats", "echoserver",
                 "agnhost", "hello-app", "whoami", "http-echo", "k8s-demo")
SHELL_IMAGES = ("busybox", "alpine", "ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux",
                "bash", "python", "perl", "node", "golang", "curlimages/curl", "curl")
BAD_IMAGE = re.compile(r"doesnotexist|does-not-exist|nonexist|notexist|no-such|typo|invalid", re.IGNORECASE)
STARTUP_LINES = {
    "nginx": ["/docker-entrypoint.sh: Configuration complete; ready for start up",
              "2026/01/01 00:00:00 [notice] 1#1: nginx/1.27.0",
              "2026/01/01 00:00:00 [notice] 1#1: start worker processes"],
    "httpd": ["AH00558: httpd: Could not reliably determine the server's fully qualified domain name",
              "[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- "
              "resuming normal operations"],
    "redis": ["1:C 01 Jan 2026 00:00:00.000 * Redis version=7.4.0, bits=64, commit=00000000, modified=0, pid=1",
              "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp"],
}
FOREVER = re.compile(r"sleep\s+(infinity|inf)\b|tail\s+-f|while\s+(true|:|\[)|until\s+false|\bsleep\s+\d{4,}")


@dataclass(frozen=True)
class Behaviour:
    seconds: float | None  # None: runs until deleted
    exit_code: int = 0
    lines: list[str] = field(default_factory=list)
    pull_error: str | None = None  # ErrImagePull / InvalidImageName
    repeat: list[str] = field(default_factory=list)  # printed every few seconds while running


def image_name(image: str) -> str:
    """``docker.io/library/nginx:1.25`` to ``nginx``."""
    base = image.split("@", 1)[0]
    last = base.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def _script(container: Mapping[str, Any]) -> str | None:
    words = [str(w) for w in (container.get("command") or [])] + [str(w) for w in (container.get("args") or [])]
    if not words:
        return None
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "ksh") and words[1] in ("-c", "-ec"):
        return words[2]
    return shlex.join(words) if len(words) > 1 else words[0]


def _expand(text: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), text)


def _run_script(script: str, env: Mapping[str, str], files: Mapping[str, str]) -> Behaviour:
    lines: list[str] = []
    seconds = 0.0
    exit_code = 0
    forever = bool(FOREVER.search(script))
    repeat: list[str] = []
    for statement in re.split(r";|&&|\|\||\n", script):
        statement = statement.strip()
        if not statement:
            continue
        try:
            words = shlex.split(statement)
        except ValueError:
            words = statement.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        if command in ("while", "until", "do", "done", "for"):
            if forever and command == "do" and args:
                command, args = args[0], args[1:]
            else:
                continue
        if command == "echo":
            text = _expand(" ".join(a for a in args if a != "-n"), env)
            (repeat if forever else lines).append(text)
        elif command == "date":
            lines.append("Thu Jan  1 00:00:00 UTC 2026")
        elif command in ("printenv", "env"):
            if args:
                lines.extend(env[a] for a in args if a in env)
            else:
                lines.extend(f"{k}={v}" for k, v in env.items())
        elif command == "cat":
            for path in args:
                if path in files:
                    lines.extend(files[path].splitlines())
                else:
                    lines.append(f"cat: can't open '{path}': No such file or directory")
                    exit_code = 1
        elif command == "ls":
            for path in args or ["."]:
                prefix = path.rstrip("/") + "/"
                lines.extend(sorted({p[len(prefix):].split("/", 1)[0] for p in files if p.startswith(prefix)}))
        elif command == "sleep" and args:
            try:
                seconds += float(args[0].rstrip("s"))
            except ValueError:
                forever = forever or args[0] in ("infinity", "inf")
        elif command == "exit":
            try:
                exit_code = int(args[0]) if args else 0
            except ValueError:
                exit_code = 2
            break
        elif command == "false":
            exit_code = 1
            break
        elif command in ("true", ":", "set"):
            continue
    if forever:
        return Behaviour(None, 0, lines, repeat=repeat)
    return Behaviour(max(seconds, 1.0), exit_code, lines)


def behaviour(container: Mapping[str, Any], env: Mapping[str, str],
              files: Mapping[str, str] | None = None) -> Behaviour:
    """How ``container`` behaves given its resolved environment and mounted files (path to text)."""
    image = str(container.get("image") or "")
    if not image or image != image.strip() or any(c.isupper() for c in image.split("@")[0].rsplit("/", 1)[-1]):
        return Behaviour(None, pull_error="InvalidImageName")
    if BAD_IMAGE.search(image):
        return Behaviour(None, pull_error="ErrImagePull")
    name = image_name(image)
    shell_image = name in SHELL_IMAGES or any(image.startswith(s + ":") for s in SHELL_IMAGES)
    if not container.get("command") and not shell_image:
        # Arguments to a server image are its flags (coredns -conf ...): it still serves.
        return Behaviour(None, 0, list(STARTUP_LINES.get(name, [])))
    script = _script(container)
    if script is not None:
        return _run_script(script, env, files or {})
    if shell_image:
        return Behaviour(0.5, 0, [])
    return Behaviour(None, 0, list(STARTUP_LINES.get(name, [])))
