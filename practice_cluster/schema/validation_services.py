"""Validation of Services, Ingresses, ConfigMaps and Secrets, in the apiserver's wording.

>>> from practice_cluster.schema.validation_formats import Errors
>>> errs = Errors()
>>> service(errs, {}, {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]})
>>> errs.items[0][0], errs.items[0][1][:35]
('spec.ports[0].nodePort', 'Invalid value: 80: provided port is')
"""

from __future__ import annotations

import ipaddress
from typing import Any

from practice_cluster.schema import validation_formats as fmt
from practice_cluster.schema.validation_formats import Errors
from practice_cluster.schema.validation_pods import as_dict, as_list, label_map

NODE_PORTS = (30000, 32767)
MAX_SECRET_SIZE = 1024 * 1024

_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def service(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    kind = spec.get("type", "ClusterIP")
    ports = as_list(spec.get("ports"))
    if not ports and spec.get("clusterIP") != "None" and kind != "ExternalName":
        errs.required("spec.ports")
    if kind == "ExternalName":
        external = spec.get("externalName")
        if not isinstance(external, str) or not external:
            errs.required("spec.externalName")
        else:
            _domain(errs, "spec.externalName", external)
    names: set[str] = set()
    for i, port in enumerate(ports):
        _service_port(errs, as_dict(port), f"spec.ports[{i}]", len(ports) > 1, names)
    label_map(errs, spec.get("selector"), "spec.selector")
    if kind == "":
        errs.required("spec.type")
    elif kind not in _SERVICE_TYPES:
        errs.not_supported("spec.type", kind, _SERVICE_TYPES)
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        port = as_dict(port)
        node_port = port.get("nodePort")
        if isinstance(node_port, int) and node_port != 0:
            if kind == "ClusterIP":
                errs.forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
            elif kind in ("NodePort", "LoadBalancer") and not NODE_PORTS[0] <= node_port <= NODE_PORTS[1]:
                errs.invalid(f"spec.ports[{i}].nodePort", node_port, "provided port is not in the valid range. "
                             f"The range of valid ports is {NODE_PORTS[0]}-{NODE_PORTS[1]}")
        key = (port.get("protocol", "TCP"), port.get("port"))
        if key in seen:
            errs.add(f"spec.ports[{i}]", "Duplicate value: core.ServicePort{Name:\"\", Protocol:"
                     f"{fmt.go_string(str(key[0]))}, AppProtocol:(*string)(nil), Port:{key[1]}, "
                     'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')
        seen.add(key)


def _domain(errs: Errors, path: str, name: str) -> None:
    name = name.removesuffix(".")
    problems = fmt.dns1123_subdomain(name)
    if problems:
        errs.invalid(path, name, ",".join(problems))
    elif len(name.split(".")) < 2:
        errs.invalid(path, name, "should be a domain with at least two segments separated by dots")


def _service_port(errs: Errors, port: dict[str, Any], path: str, need_name: bool, names: set[str]) -> None:
    name = port.get("name")
    if need_name and not name:
        errs.required(f"{path}.name")
    elif isinstance(name, str) and name:
        errs.invalid_each(f"{path}.name", name, fmt.dns1123_label(name))
        if name in names:
            errs.duplicate(f"{path}.name", name)
        names.add(name)
    number = port.get("port", 0)
    if isinstance(number, int):
        errs.invalid_each(f"{path}.port", number, fmt.port_num(number))
    protocol = port.get("protocol", "TCP")
    if protocol not in ("SCTP", "TCP", "UDP"):
        errs.not_supported(f"{path}.protocol", protocol, ["SCTP", "TCP", "UDP"])
    target = port.get("targetPort", number)
    if isinstance(target, int):
        errs.invalid_each(f"{path}.targetPort", target, fmt.port_num(target))
    elif isinstance(target, str):
        errs.invalid_each(f"{path}.targetPort", target, fmt.port_name(target))


def _keys(errs: Errors, obj: dict[str, Any], bag: str, other: str) -> int:
    size = 0
    for key, value in as_dict(obj.get(bag)).items():
        errs.invalid_each(f"{bag}[{key}]", key, fmt.config_key(key))
        if key in as_dict(obj.get(other)):
            errs.invalid(f"{bag}[{key}]", key, f"duplicate of key present in {other}")
        size += len(str(value))
    return size


def configmap(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    size = _keys(errs, obj, "data", "binaryData") + _keys(errs, obj, "binaryData", "data")
    if size > MAX_SECRET_SIZE:
        errs.too_long("", MAX_SECRET_SIZE)


_SECRET_KEYS = {"kubernetes.io/tls": ("tls.crt", "tls.key"), "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
                "kubernetes.io/basic-auth": (), "kubernetes.io/ssh-auth": ("ssh-privatekey",)}


def secret(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    data = {**as_dict(obj.get("data")), **as_dict(obj.get("stringData"))}
    size = 0
    for key, value in data.items():
        errs.invalid_each(f"data[{key}]", key, fmt.config_key(key))
        size += len(str(value))
    for key in _SECRET_KEYS.get(str(obj.get("type", "Opaque")), ()):
        if key not in data:
            errs.required(f"data[{key}]")
    if size > MAX_SECRET_SIZE:
        errs.too_long("data", MAX_SECRET_SIZE)


_PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]


def ingress(errs: Errors, obj: dict[str, Any], spec: dict[str, Any]) -> None:
    rules = as_list(spec.get("rules"))
    if not rules and not isinstance(spec.get("defaultBackend"), dict):
        errs.add("spec", "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be "
                 "specified")
    if isinstance(spec.get("defaultBackend"), dict):
        _backend(errs, spec["defaultBackend"], "spec.defaultBackend")
    for i, rule in enumerate(rules):
        rule = as_dict(rule)
        host = rule.get("host")
        if isinstance(host, str) and host:
            _ingress_host(errs, host, f"spec.rules[{i}].host")
        http = rule.get("http")
        if not isinstance(http, dict):
            continue
        paths = as_list(http.get("paths"))
        if not paths:
            errs.required(f"spec.rules[{i}].http.paths")
        for j, item in enumerate(paths):
            _ingress_path(errs, as_dict(item), f"spec.rules[{i}].http.paths[{j}]")


def _ingress_host(errs: Errors, host: str, path: str) -> None:
    try:
        ipaddress.ip_address(host)
        errs.invalid(path, host, "must be a DNS name, not an IP address")
    except ValueError:
        pass
    if "*" in host:
        errs.invalid_each(path, host, fmt.wildcard_dns1123_subdomain(host))
    else:
        errs.invalid_each(path, host, fmt.dns1123_subdomain(host))


def _ingress_path(errs: Errors, item: dict[str, Any], path: str) -> None:
    kind, text = item.get("pathType"), item.get("path", "")
    text = text if isinstance(text, str) else ""
    if kind is None:
        errs.required(f"{path}.pathType", "pathType must be specified")
        return
    if kind in ("Exact", "Prefix"):
        if not text.startswith("/"):
            errs.invalid(f"{path}.path", text, "must be an absolute path")
        for bad in ("//", "/./", "/../", "%2f", "%2F"):
            if bad in text:
                errs.invalid(f"{path}.path", text, f"must not contain '{bad}'")
        for bad in ("/..", "/."):
            if text.endswith(bad):
                errs.invalid(f"{path}.path", text, f"cannot end with '{bad}'")
    elif kind == "ImplementationSpecific":
        if text and not text.startswith("/"):
            errs.invalid(f"{path}.path", text, "must be an absolute path")
    else:
        errs.not_supported(f"{path}.pathType", kind, _PATH_TYPES)
    _backend(errs, as_dict(item.get("backend")), f"{path}.backend")


def _backend(errs: Errors, backend: dict[str, Any], path: str) -> None:
    service, resource = backend.get("service"), backend.get("resource")
    if isinstance(service, dict) and isinstance(resource, dict):
        errs.invalid(path, "", "cannot set both resource and service backends")
    elif isinstance(resource, dict):
        return
    elif isinstance(service, dict):
        name = service.get("name")
        if not isinstance(name, str) or not name:
            errs.required(f"{path}.service.name")
        else:
            errs.invalid_each(f"{path}.service.name", name, fmt.dns1035_label(name))
        port = as_dict(service.get("port"))
        port_name, number = port.get("name"), port.get("number", 0)
        if port_name and number:
            errs.invalid(path, "", "cannot set both port name & port number")
        elif isinstance(port_name, str) and port_name:
            errs.invalid_each(f"{path}.service.port.name", port_name, fmt.port_name(port_name))
        elif isinstance(number, int) and number:
            errs.invalid_each(f"{path}.service.port.number", number, fmt.port_num(number))
        else:
            errs.required(path, "port name or number is required")
    else:
        errs.invalid(path, "", "resource or service backend is required")
