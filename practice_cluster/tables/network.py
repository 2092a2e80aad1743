"""Table cells of the networking kinds: Service, Endpoints, EndpointSlice, Ingress, IngressClass.

Each follows its printer in ``pkg/printers/internalversion``. The apiserver prints these with the
wide option on, so load-balancer addresses are never clipped to 16 characters.

>>> svc = {"metadata": {"name": "web", "creationTimestamp": "2024-01-01T00:00:00Z"},
...        "spec": {"type": "NodePort", "clusterIP": "10.96.0.20", "selector": {"app": "web"},
...                 "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}}
>>> service_cells(svc, 1704067200.0 + 90)
['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP', '90s', 'app=web']
"""

from __future__ import annotations

from typing import Any

from practice_cluster.tables.format import (
    NONE,
    UNKNOWN,
    as_dict,
    as_int,
    as_list,
    as_str,
    dig,
    format_labels,
    join_host_port,
    list_with_more,
    since,
)
from practice_cluster.tables.rows import Cells

_SHOWN = 3  # the printers list three addresses, then "+ N more..."


def _age(obj: dict[str, Any], now: float) -> str:
    return since(dig(obj, "metadata", "creationTimestamp"), now)


def _load_balancer(status: Any) -> str:
    """``loadBalancerStatusStringer`` with wide output: sorted, de-duplicated IPs or hostnames."""
    found: set[str] = set()
    for ingress in map(as_dict, as_list(dig(status, "loadBalancer", "ingress"))):
        value = as_str(ingress.get("ip")) or as_str(ingress.get("hostname"))
        if value:
            found.add(value)
    return ",".join(sorted(found))


def _external_ip(service: dict[str, Any], kind: str) -> str:
    spec = as_dict(service.get("spec"))
    external = [ip for ip in as_list(spec.get("externalIPs")) if isinstance(ip, str)]
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else NONE
    if kind == "LoadBalancer":
        balancer = _load_balancer(service.get("status"))
        if external:
            return ",".join([*(balancer.split(",") if balancer else []), *external])
        return balancer or "<pending>"
    if kind == "ExternalName":
        return as_str(spec.get("externalName"))
    return UNKNOWN


def _ports(ports: Any) -> str:
    pieces = []
    for port in map(as_dict, as_list(ports)):
        protocol = as_str(port.get("protocol")) or "TCP"  # the apiserver defaults an omitted protocol
        node_port = as_int(port.get("nodePort"))
        number = as_int(port.get("port"))
        pieces.append(f"{number}:{node_port}/{protocol}" if node_port > 0 else f"{number}/{protocol}")
    return ",".join(pieces)


def service_cells(service: dict[str, Any], now: float) -> Cells:
    spec = as_dict(service.get("spec"))
    # Objects reach the printers defaulted; an omitted type is the default ClusterIP.
    kind = as_str(spec.get("type")) or "ClusterIP"
    cluster_ips = [ip for ip in as_list(spec.get("clusterIPs")) if isinstance(ip, str)]
    cluster_ip = (cluster_ips[0] if cluster_ips else as_str(spec.get("clusterIP"))) or NONE
    return [
        as_str(dig(service, "metadata", "name")), kind, cluster_ip, _external_ip(service, kind),
        _ports(spec.get("ports")) or NONE, _age(service, now), format_labels(spec.get("selector")),
    ]


def _endpoints_text(subsets: Any) -> str:
    """``formatEndpoints`` for all ports: ``ip:port`` pairs, three at most, "<none>" with no subsets."""
    subsets = as_list(subsets)
    if not subsets:
        return NONE
    shown: list[str] = []
    more = False
    count = 0
    for subset in map(as_dict, subsets):
        ips = [as_str(as_dict(a).get("ip")) for a in as_list(subset.get("addresses"))]
        ports = [as_int(as_dict(p).get("port")) for p in as_list(subset.get("ports"))]
        # A headless service may have no ports: its addresses are listed bare.
        groups = [[join_host_port(ip, port) for ip in ips] for port in ports] if ports else [ips]
        for group in groups:
            count += len(group)
            for item in group:
                if len(shown) == _SHOWN:
                    more = True
                    break
                shown.append(item)
    text = ",".join(shown)
    return f"{text} + {count - _SHOWN} more..." if more else text


def endpoints_cells(obj: dict[str, Any], now: float) -> Cells:
    return [as_str(dig(obj, "metadata", "name")), _endpoints_text(obj.get("subsets")), _age(obj, now)]


def endpointslice_cells(obj: dict[str, Any], now: float) -> Cells:
    ports: list[str] = []
    count = 0
    for port in map(as_dict, as_list(obj.get("ports"))):
        if len(ports) < _SHOWN:
            number, name = port.get("port"), port.get("name")
            ports.append(str(number) if isinstance(number, int) else name if isinstance(name, str) else "*")
        count += 1
    addresses: list[str] = []
    total = 0
    for endpoint in map(as_dict, as_list(obj.get("endpoints"))):
        for address in as_list(endpoint.get("addresses")):
            if len(addresses) < _SHOWN:
                addresses.append(as_str(address))
            total += 1
    return [
        as_str(dig(obj, "metadata", "name")), as_str(obj.get("addressType")),
        list_with_more(ports, count > _SHOWN, count, _SHOWN),
        list_with_more(addresses, total > _SHOWN, total, _SHOWN), _age(obj, now),
    ]


def _hosts(rules: Any) -> str:
    """``formatHosts``: hosts of the first three rules, "*" when none names a host."""
    rules = as_list(rules)
    hosts: list[str] = []
    more = False
    for rule in map(as_dict, rules):
        if len(hosts) == _SHOWN:
            more = True
        host = as_str(rule.get("host"))
        if not more and host:
            hosts.append(host)
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - _SHOWN} more..." if more else text


def ingress_cells(obj: dict[str, Any], now: float) -> Cells:
    spec = as_dict(obj.get("spec"))
    class_name = spec.get("ingressClassName")
    return [
        as_str(dig(obj, "metadata", "name")), class_name if isinstance(class_name, str) else NONE,
        _hosts(spec.get("rules")), _load_balancer(obj.get("status")),
        "80, 443" if as_list(spec.get("tls")) else "80", _age(obj, now),
    ]


def ingressclass_cells(obj: dict[str, Any], now: float) -> Cells:
    spec = as_dict(obj.get("spec"))
    parameters = NONE
    reference = spec.get("parameters")
    if isinstance(reference, dict):
        parameters = as_str(reference.get("kind"))
        if isinstance(reference.get("apiGroup"), str):
            parameters += "." + reference["apiGroup"]
        parameters += "/" + as_str(reference.get("name"))
    return [as_str(dig(obj, "metadata", "name")), as_str(spec.get("controller")), parameters, _age(obj, now)]
