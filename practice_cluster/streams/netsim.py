"""nslookup, curl and wget inside a practice container: answers from the cluster's DNS names and Services.

This file runs on its own inside the container's sandbox (the standard library only, no package), as
``python3 netsim.py nslookup|curl|wget ARGS``; the data is the JSON ``netview.network_view`` wrote
(``NETSIM_VIEW`` names it; the container's wrappers set it and ``NETSIM_CALLS``, the call log). Names
resolve as in a pod: ``/etc/resolv.conf``'s search list (``NS.svc.cluster.local svc.cluster.local
cluster.local``, ``ndots:5``) before the name itself, and
a connection to a Service's ClusterIP and port goes to one of its ready endpoints, as kube-proxy
sends it. What the practice cluster cannot know (addresses on the internet, servers it does not
simulate) is said plainly instead of faked.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import Any
from urllib.parse import urlsplit

OFFLINE = "the practice cluster does not reach the internet"
#: What the last name lookup found: the name that answered and whose it is ("service/NS/NAME",
#: "pod/NS/NAME", "externalname/NS/NAME"), written to the call record for the trainer's graders.
FOUND: dict[str, str] = {}


def load() -> dict[str, Any]:
    with open(os.environ.get("NETSIM_VIEW", "/.trainer/network.json"), encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


class Resolver:
    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view
        self.records: dict[str, dict[str, Any]] = view["records"]
        self.domain = view["domain"]

    def pod_record(self, fqdn: str) -> list[str] | None:
        """``10-244-1-5.NS.pod.cluster.local``: CoreDNS answers any such name with the IP it spells."""
        suffix = f".pod.{self.domain}"
        if not fqdn.endswith(suffix):
            return None
        parts = fqdn[: -len(suffix)].split(".")
        if len(parts) != 2:
            return None
        octets = parts[0].split("-")
        if len(octets) == 4 and all(o.isdigit() and 0 <= int(o) <= 255 for o in octets):
            return [".".join(str(int(o)) for o in octets)]
        return None

    def lookup(self, fqdn: str) -> dict[str, Any] | None:
        fqdn = fqdn.rstrip(".").lower()
        if fqdn in self.records:
            return self.records[fqdn]
        ips = self.pod_record(fqdn)
        return {"a": ips} if ips else None

    def candidates(self, name: str) -> list[str]:
        name = name.lower()
        if name.endswith("."):
            return [name.rstrip(".")]
        searched = [f"{name}.{s}" for s in self.view["search"]]
        return [*searched, name] if name.count(".") < 5 else [name, *searched]

    def resolve(self, name: str) -> tuple[str, dict[str, Any]] | None:
        """(the name that answered, its record), following the search list."""
        for fqdn in self.candidates(name):
            record = self.lookup(fqdn)
            if record is not None:
                target = record.get("target") or self.owner(record.get("a") or [])
                FOUND.update({"resolved": fqdn, "target": target})
                return fqdn, record
        return None

    def owner(self, ips: list[str]) -> str:
        """Whose one of ``ips`` is: ``pod/NS/NAME`` or the Service of a ClusterIP, else ""."""
        for ip in ips:
            if ip in self.view["pods"]:
                return f"pod/{self.view['pods'][ip]}"
            service = self.view["services"].get(ip)
            if service is not None:
                return str(self.records.get(service["name"], {}).get("target", ""))
        return ""

    def in_cluster(self, name: str) -> bool:
        return name.rstrip(".").lower().endswith(self.domain)


def is_ip(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


# ---------------------------------------------------------------------------------------------- nslookup

def nslookup(args: list[str], view: dict[str, Any]) -> int:
    names = [a for a in args if not a.startswith("-")]
    if not names:
        print("Usage: nslookup [-type=QUERY_TYPE] HOST [DNS_SERVER]", file=sys.stderr)
        return 1
    name = names[0]
    style = view["style"]
    resolver = Resolver(view)
    ns = view["nameserver"]
    if style == "busybox-old":
        print(f"Server:    {ns}\nAddress 1: {ns} kube-dns.kube-system.svc.{view['domain']}\n")
    else:
        print(f"Server:\t\t{ns}\nAddress:\t{ns}{'#' if style == 'bind' else ':'}53\n")
    if is_ip(name):
        fqdn = view["reverse"].get(name)
        if fqdn is None:
            return _not_found(name, style)
        FOUND.update({"resolved": fqdn, "target": resolver.owner([name])})
        if style == "busybox-old":
            print(f"Name:      {name}\nAddress 1: {name} {fqdn}")
        else:
            print(f"{'.'.join(reversed(name.split('.')))}.in-addr.arpa\tname = {fqdn}.")
        return 0
    found = resolver.resolve(name)
    if found is None:
        if not resolver.in_cluster(name) and "." in name:
            print(f"nslookup: {OFFLINE}: {name} is not looked up", file=sys.stderr)
            return 1
        return _not_found(name, style)
    fqdn, record = found
    if "cname" in record:
        target = record["cname"]
        if style == "busybox-old":
            print(f"Name:      {name}")
        else:
            print(f"{fqdn}\tcanonical name = {target}.")
        print(f"nslookup: {OFFLINE}: the address of {target} is not looked up", file=sys.stderr)
        return 0
    ips = record["a"]
    if not ips:
        return _not_found(name, style)
    if style == "busybox-old":
        print(f"Name:      {name}")
        for i, ip in enumerate(ips, 1):
            print(f"Address {i}: {ip} {view['reverse'].get(ip, fqdn)}")
    else:
        for ip in ips:
            print(f"Name:\t{fqdn}\nAddress: {ip}")
        print()
    return 0


def _not_found(name: str, style: str) -> int:
    if style == "busybox-old":
        print(f"nslookup: can't resolve '{name}'", file=sys.stderr)
    else:
        print(f"** server can't find {name}: NXDOMAIN\n")
    return 1


# ---------------------------------------------------------------------------------------------- connecting

class Failure(Exception):
    """A connection that did not give an answer: curl's exit code and what curl and wget say."""

    def __init__(self, code: int, curl: str, wget: str) -> None:
        super().__init__(curl)
        self.code, self.curl, self.wget = code, curl, wget


def connect(view: dict[str, Any], host: str, port: int) -> tuple[str, str, dict[str, Any]]:
    """(the address connected to, the address that answered, what serves there) for ``host:port``."""
    resolver = Resolver(view)
    ip = host
    if is_ip(host):
        FOUND.update({"resolved": "", "target": resolver.owner([host])})
    else:
        found = resolver.resolve(host)
        if found is None:
            if resolver.in_cluster(host) or "." not in host:
                raise Failure(6, f"curl: (6) Could not resolve host: {host}", f"wget: bad address '{host}'")
            raise Failure(6, f"curl: {OFFLINE}: {host} is outside the cluster",
                          f"wget: {OFFLINE}: {host} is outside the cluster")
        fqdn, record = found
        if "cname" in record:
            target = record["cname"]
            text = (f"{OFFLINE}: {fqdn} is an ExternalName Service, a DNS alias (CNAME) for {target}; "
                    f"a real cluster would connect to {target} here")
            raise Failure(6, f"curl: {text}", f"wget: {text}")
        if not record["a"]:
            raise Failure(6, f"curl: (6) Could not resolve host: {host}", f"wget: bad address '{host}'")
        ip = random.choice(record["a"])
    service = view["services"].get(ip)
    if service is not None:
        targets = service["ports"].get(str(port))
        if targets is None:
            raise Failure(28, f"curl: (28) Failed to connect to {host} port {port}: Connection timed out "
                          f"(the Service has no port {port}; a real cluster waits for the timeout)",
                          f"wget: can't connect to remote host ({ip}): Connection timed out")
        if not targets:
            raise Failure(7, f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to "
                          "server (the Service has no ready endpoints)",
                          f"wget: can't connect to remote host ({ip}): Connection refused")
        address = random.choice(targets)
    else:
        address = f"{ip}:{port}"
    server = view["listeners"].get(address)
    if server is None:
        if address.rpartition(":")[0] in view["pods"] or address.rpartition(":")[0] == view.get("ip"):
            raise Failure(7, f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to "
                          f"server (nothing listens on {address})",
                          f"wget: can't connect to remote host ({ip}): Connection refused")
        raise Failure(28, f"curl: (28) Failed to connect to {host} port {port}: Connection timed out "
                      f"(no pod or Service has the address {ip})",
                      f"wget: can't connect to remote host ({ip}): Connection timed out")
    if "note" in server:
        raise Failure(7, f"curl: {server['note']}", f"wget: {server['note']}")
    return f"{ip}:{port}", address, server


def answer(server: dict[str, Any], path: str) -> tuple[int, str]:
    """(HTTP status, body) of a GET of ``path``."""
    if "any" in server:
        return 200, server["any"]
    pages = server["pages"]
    page = path.split("?", 1)[0] or "/"
    if page.endswith("/"):
        page += server["index"].lstrip("/")
    if page in pages:
        return 200, pages[page]
    return 404, server["missing"]


def _headers(server: dict[str, Any], status: int, body: str) -> list[str]:
    reason = {200: "OK", 404: "Not Found"}[status]
    lines = [f"HTTP/1.1 {status} {reason}"]
    if server.get("server"):
        lines.append(f"Server: {server['server']}")
    lines += ["Date: Thu, 01 Jan 2026 00:00:00 GMT", f"Content-Type: {server['type']}",
              f"Content-Length: {len(body.encode())}", "Connection: keep-alive"]
    return lines


def _url(text: str) -> tuple[str, int, str]:
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise Failure(1, f'curl: (1) Protocol "{parts.scheme}" not supported', f"wget: not an http or ftp url: {text}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Failure(3, "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535",
                      f"wget: bad port spec '{text}'") from None
    return parts.hostname or "", port, parts.path or "/"


# ---------------------------------------------------------------------------------------------- curl, wget

_CURL_VALUE = ("-o", "--output", "-m", "--max-time", "--connect-timeout", "-H", "--header", "-X", "--request",
               "-d", "--data", "-w", "--write-out", "-A", "--user-agent", "-u", "--user", "--retry")


def curl(args: list[str], view: dict[str, Any]) -> int:
    flags: set[str] = set()
    values: dict[str, str] = {}
    urls: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in _CURL_VALUE and i + 1 < len(args):
            values[a] = args[i + 1]
            i += 2
            continue
        if a.startswith("--"):
            flags.add(a)
        elif a.startswith("-") and len(a) > 1:
            flags.update(f"-{c}" for c in a[1:])
        else:
            urls.append(a)
        i += 1
    if not urls:
        print("curl: try 'curl --help' or 'curl --manual' for more information", file=sys.stderr)
        return 2
    silent = bool(flags & {"-s", "--silent"}) and not flags & {"-S", "--show-error"}
    status = 0
    for url in urls:
        try:
            host, port, path = _url(url)
            address, _, server = connect(view, host, port)
        except Failure as failure:
            if not silent:
                print(failure.curl, file=sys.stderr)
            status = failure.code
            continue
        code, body = answer(server, path)
        head = flags & {"-I", "--head"}
        lines = _headers(server, code, body)
        if flags & {"-v", "--verbose"}:
            ip, _, p = address.rpartition(":")
            print(f"*   Trying {ip}:{p}...\n* Connected to {host} ({ip}) port {port}\n"
                  f"> {'HEAD' if head else 'GET'} {path} HTTP/1.1\n> Host: {host}\n> User-Agent: curl/8.11.1\n"
                  f"> Accept: */*\n>\n" + "".join(f"< {line}\n" for line in lines) + "<", file=sys.stderr)
        text = ""
        if head or flags & {"-i", "--include"}:
            text += "\r\n".join(lines) + "\r\n\r\n"
        if not head:
            text += body
        out = values.get("-o", values.get("--output"))
        if out and out != "-":
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        form = values.get("-w", values.get("--write-out"))
        if form:
            sys.stdout.write(form.replace("%{http_code}", str(code)).replace("\\n", "\n"))
        if code >= 400 and flags & {"-f", "--fail"}:
            status = 22
    return status


def wget(args: list[str], view: dict[str, Any]) -> int:
    quiet = spider = False
    output: str | None = None
    urls: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--spider":
            spider = True
        elif a in ("--quiet",):
            quiet = True
        elif a.startswith("--output-document="):
            output = a.split("=", 1)[1]
        elif a.startswith("--"):
            continue
        elif a.startswith("-") and len(a) > 1:
            for j, flag in enumerate(a[1:], 1):
                if flag in "OTUt":  # options with a value: the rest of the word, else the next word
                    value = a[j + 1:] or (args[i] if i < len(args) else "")
                    if not a[j + 1:]:
                        i += 1
                    if flag == "O":
                        output = value
                    break
                quiet = quiet or flag == "q"
        else:
            urls.append(a)
    if not urls:
        print("BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-T SEC] URL...",
              file=sys.stderr)
        return 1
    for url in urls:
        try:
            host, port, path = _url(url)
            address, _, server = connect(view, host, port)
        except Failure as failure:
            if not quiet:
                print(f"Connecting to {url.split('://')[-1].split('/')[0]}", file=sys.stderr)
            print(failure.wget, file=sys.stderr)
            return 1
        if not quiet:
            print(f"Connecting to {host} ({address})", file=sys.stderr)
        code, body = answer(server, path)
        if code >= 400:
            print(f"wget: server returned error: HTTP/1.1 {code} Not Found", file=sys.stderr)
            return 1
        if spider:
            if not quiet:
                print("remote file exists", file=sys.stderr)
            continue
        target = output or (path.rstrip("/").rsplit("/", 1)[-1] or "index.html")
        if target == "-":
            if not quiet:
                print("writing to stdout", file=sys.stderr)
            sys.stdout.write(body)
            continue
        with open(target, "w", encoding="utf-8") as f:
            f.write(body)
        if not quiet:
            print(f"saving to '{target}'\n{target:<18}100% |********************************| "
                  f"{len(body.encode()):>5}  0:00:00 ETA\n'{target}' saved", file=sys.stderr)
    return 0


COMMANDS = {"nslookup": nslookup, "curl": curl, "wget": wget}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(f"usage: netsim.py {'|'.join(COMMANDS)} ARGS", file=sys.stderr)
        return 2
    try:
        view = load()
    except (OSError, ValueError) as exc:
        print(f"{argv[1]}: the cluster's network is not available here ({exc})", file=sys.stderr)
        return 1
    code = COMMANDS[argv[1]](argv[2:], view)
    record(argv[1:], code)
    return code


def record(argv: list[str], code: int) -> None:
    """Append this call to the container's call log (NETSIM_CALLS), which the trainer reads afterwards."""
    path = os.environ.get("NETSIM_CALLS")
    if not path:
        return
    sys.stdout.flush()
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"argv": argv, "code": code, **FOUND}) + "\n")
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
