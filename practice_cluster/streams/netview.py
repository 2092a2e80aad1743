"""What a container's network sees: the cluster's DNS names and who answers on which address and port.

The practice cluster has no packets. When a shell opens in a container, this module writes down, from
the Services, Endpoints and Pods of the moment, what a real pod would find: CoreDNS's records
(``web.default.svc.cluster.local`` to the ClusterIP, a headless Service to its ready pods, an
ExternalName Service as a CNAME, ``10-244-1-5.default.pod.cluster.local`` to its IP, a StatefulSet
pod's ``db-0.db.default.svc.cluster.local``), the ports kube-proxy forwards to which endpoints, and
what the server in a pod answers (nginx's welcome page, or the files a ConfigMap put in its html
directory, httpd's "It works!", hello-app's greeting). ``netsim.py`` reads it inside the container.

    view = network_view(cluster, pod)
    view["records"]["kubernetes.default.svc.cluster.local"]     # {"a": ["10.96.0.1"]}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.containers import image_name
from practice_cluster.controllers.environment import mounted_files

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts
    from practice_cluster.storage.store import Obj

DOMAIN = "cluster.local"
NAMESERVER = "10.96.0.10"

NGINX_VERSION = "nginx/1.27.0"
NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_404 = f"""<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>{NGINX_VERSION}</center>
</body>
</html>
"""
HTTPD_VERSION = "Apache/2.4.62 (Unix)"
HTTPD_WELCOME = "<html><body><h1>It works!</h1></body></html>\n"
HTTPD_404 = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
"""
NOT_RUN = "the practice cluster does not run real containers"


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


def dashed(ip: str) -> str:
    """``10.244.1.5`` as CoreDNS writes it in a pod's name: ``10-244-1-5``."""
    return ip.replace(".", "-").replace(":", "-")


def _arg(words: list[str], flag: str) -> str | None:
    for i, word in enumerate(words):
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
        if word == flag and i + 1 < len(words):
            return words[i + 1]
    return None


def _servers(cluster: Parts, pod: Obj) -> dict[str, dict[str, Any]]:
    """``"port"`` -> what the pod's containers serve there (images the practice cluster knows)."""
    out: dict[str, dict[str, Any]] = {}
    name = _meta(pod).get("name", "")
    for container in pod.get("spec", {}).get("containers") or []:
        image = image_name(str(container.get("image", "")))
        words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
        if image == "nginx" and not words:
            files, _ = mounted_files(cluster, pod, container)
            html = {path[len("/usr/share/nginx/html"):]: text for path, text in files.items()
                    if path.startswith("/usr/share/nginx/html/")}
            out["80"] = {"server": NGINX_VERSION, "pages": html or {"/index.html": NGINX_WELCOME},
                         "index": "/index.html", "missing": NGINX_404, "type": "text/html"}
        elif image == "httpd" and not words:
            out["80"] = {"server": HTTPD_VERSION, "pages": {"/index.html": HTTPD_WELCOME}, "index": "/index.html",
                         "missing": HTTPD_404, "type": "text/html"}
        elif image == "hello-app":
            version = str(container.get("image", "")).rpartition(":")[2] if ":" in str(container.get("image")) \
                else "1.0"
            out[str(next((e.get("value") for e in container.get("env") or [] if e.get("name") == "PORT"),
                         "8080"))] = {
                "server": "", "any": f"Hello, world!\nVersion: {version}.0\nHostname: {name}\n", "type": "text/plain"}
        elif image == "http-echo":
            listen = (_arg(words, "-listen") or ":5678").rpartition(":")[2]
            out[listen] = {"server": "", "any": (_arg(words, "-text") or "") + "\n", "type": "text/plain"}
        elif image == "agnhost" and "serve-hostname" in words:
            out[_arg(words, "--port") or "9376"] = {"server": "", "any": name, "type": "text/plain"}
        elif image in ("whoami", "echoserver"):
            out["80" if image == "whoami" else "8080"] = {
                "server": "", "any": f"Hostname: {name}\nIP: 127.0.0.1\nIP: {pod.get('status', {}).get('podIP', '')}\n",
                "type": "text/plain"}
        else:
            for port in container.get("ports") or []:
                out.setdefault(str(port.get("containerPort")), {
                    "note": f"{NOT_RUN}: what {image} would answer on port {port.get('containerPort')} is not "
                            "simulated"})
    return out


def _endpoints(cluster: Parts, svc: Obj) -> dict[str, list[str]]:
    """Service port -> the ``ip:port`` addresses kube-proxy sends it to (ready endpoints only)."""
    ns, name = _meta(svc).get("namespace", ""), _meta(svc).get("name", "")
    ep = cluster.store.peek("endpoints", ns, name) or {}
    out: dict[str, list[str]] = {}
    for port in svc.get("spec", {}).get("ports") or []:
        targets: list[str] = []
        for subset in ep.get("subsets") or []:
            ports = subset.get("ports") or []
            match = next((p for p in ports if p.get("name", "") == port.get("name", "")), None)
            if match is None and len(ports) == 1:
                match = ports[0]
            if match is None:
                continue
            targets += [f"{a.get('ip')}:{match.get('port')}" for a in subset.get("addresses") or []]
        out[str(port.get("port"))] = targets
    return out


def network_view(cluster: Parts, pod: Obj, image: str = "") -> dict[str, Any]:
    """The DNS records, service ports and servers a shell in ``pod`` sees (plain JSON data)."""
    namespace = _meta(pod).get("namespace", "default")
    records: dict[str, dict[str, Any]] = {}
    reverse: dict[str, str] = {}
    services: dict[str, dict[str, Any]] = {}
    pods = [p for p in cluster.store.list("pods")[0] if p.get("status", {}).get("podIP")
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]
    for svc in cluster.store.list("services")[0]:
        spec = svc.get("spec") or {}
        fqdn = f"{_meta(svc).get('name')}.{_meta(svc).get('namespace')}.svc.{DOMAIN}"
        target = f"{_meta(svc).get('namespace')}/{_meta(svc).get('name')}"
        if spec.get("type") == "ExternalName":
            records[fqdn] = {"cname": str(spec.get("externalName", "")).rstrip("."), "target": f"externalname/{target}"}
            continue
        endpoints = _endpoints(cluster, svc)
        ip = spec.get("clusterIP")
        if ip and ip != "None":
            records[fqdn] = {"a": [ip], "target": f"service/{target}"}
            reverse[ip] = fqdn
            services[ip] = {"name": fqdn, "ports": endpoints}
        else:  # headless: the ready pods themselves
            ips = sorted({t.rpartition(":")[0] for targets in endpoints.values() for t in targets})
            records[fqdn] = {"a": ips, "target": f"service/{target}"}
            for p in pods:
                ps = p.get("spec") or {}
                if _meta(p).get("namespace") == _meta(svc).get("namespace") and ps.get("subdomain") == \
                        _meta(svc).get("name") and ps.get("hostname"):
                    whose = f"pod/{target.split('/')[0]}/{_meta(p).get('name')}"
                    records[f"{ps['hostname']}.{fqdn}"] = {"a": [p["status"]["podIP"]], "target": whose}
    listeners: dict[str, dict[str, Any]] = {}
    pod_ips: dict[str, str] = {}
    for p in pods:
        ip = p["status"]["podIP"]
        pod_ips[ip] = f"{_meta(p).get('namespace')}/{_meta(p).get('name')}"
        for port, server in _servers(cluster, p).items():
            listeners.setdefault(f"{ip}:{port}", server)
        if ip not in reverse:
            owner = next((f"{dashed(ip)}.{name}" for svc_ip, s in services.items()
                          for name in [s["name"]] if any(t.startswith(ip + ":") for ts in s["ports"].values()
                                                         for t in ts)), None)
            reverse[ip] = owner or f"{dashed(ip)}.{_meta(p).get('namespace')}.pod.{DOMAIN}"
    tag = image.rpartition(":")[2] if ":" in image.rsplit("/", 1)[-1] else "latest"
    return {"namespace": namespace, "domain": DOMAIN, "nameserver": NAMESERVER,
            "search": [f"{namespace}.svc.{DOMAIN}", f"svc.{DOMAIN}", DOMAIN],
            "style": nslookup_style(image_name(image), tag),
            "records": records, "reverse": reverse, "services": services, "listeners": listeners,
            "pods": pod_ips, "hostname": _meta(pod).get("name", ""), "ip": pod.get("status", {}).get("podIP", "")}


def nslookup_style(image: str, tag: str) -> str:
    """Which nslookup the image has: busybox up to 1.28 prints the old format the course shows."""
    if image != "busybox":
        return "bind"
    match = re.match(r"(\d+)\.(\d+)", tag)
    if match and (int(match.group(1)), int(match.group(2))) <= (1, 28):
        return "busybox-old"
    return "busybox"

