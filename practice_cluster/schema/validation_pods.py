"""The shared parts of semantic validation: object metadata, label selectors, pod templates and containers.

Each function appends to an ``Errors`` in the order the apiserver checks; ``validation.validate``
puts them together per kind.

>>> errs = Errors()
>>> pod_spec(errs, {"containers": [{"name": "Web"}]}, "spec")
>>> [path for path, _ in errs.items]
['spec.containers[0].name', 'spec.containers[0].image']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from practice_cluster.schema import validation_formats as fmt
from practice_cluster.schema.validation_formats import Errors

ANNOTATIONS_LIMIT = 256 * (1 << 10)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def metadata(errs: Errors, meta: Any, name_check: Callable[[str], list[str]], path: str = "metadata") -> None:
    meta = as_dict(meta)
    name = meta.get("name")
    generate = meta.get("generateName")
    if isinstance(name, str) and name:
        errs.invalid_each(f"{path}.name", name, name_check(name))
    elif isinstance(generate, str) and generate:
        # A generated name is the prefix plus random letters, so a trailing dash is fine.
        masked = generate[:-1] + "a" if generate.endswith("-") else generate
        errs.invalid_each(f"{path}.generateName", generate, name_check(masked))
    else:
        errs.required(f"{path}.name", "name or generateName is required")
    object_meta_common(errs, meta, path)


def object_meta_common(errs: Errors, meta: dict[str, Any], path: str) -> None:
    generation = meta.get("generation")
    if isinstance(generation, int) and generation < 0:
        errs.invalid(f"{path}.generation", generation, "must be greater than or equal to 0")
    label_map(errs, meta.get("labels"), f"{path}.labels")
    annotation_map(errs, meta.get("annotations"), f"{path}.annotations")


def label_map(errs: Errors, value: Any, path: str) -> None:
    for key, val in as_dict(value).items():
        errs.invalid_each(path, key, fmt.label_key(key))
        if isinstance(val, str):
            errs.invalid_each(path, val, fmt.label_value(val))


def annotation_map(errs: Errors, value: Any, path: str) -> None:
    value = as_dict(value)
    for key in value:
        # Annotation keys follow the label-key rules, except that case does not matter.
        errs.invalid_each(path, key, fmt.label_key(key.lower()))
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in value.items())
    if size > ANNOTATIONS_LIMIT:
        errs.too_long(path, ANNOTATIONS_LIMIT)


# ------------------------------------------------------------------------------------ label selectors

_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector(errs: Errors, selector: dict[str, Any], path: str) -> None:
    for i, expr in enumerate(as_list(selector.get("matchExpressions"))):
        expr = as_dict(expr)
        at = f"{path}.matchExpressions[{i}]"
        operator = expr.get("operator")
        values = as_list(expr.get("values"))
        if operator in ("In", "NotIn"):
            if not values:
                errs.required(f"{at}.values", "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.forbidden(f"{at}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        else:
            errs.invalid(f"{at}.operator", operator, "not a valid selector operator")
        key = expr.get("key")
        if isinstance(key, str):
            errs.invalid_each(f"{at}.key", key, fmt.label_key(key))
    label_map(errs, selector.get("matchLabels"), f"{path}.matchLabels")


def selector_matches(selector: Any, target: Any) -> bool:
    """Whether a ``LabelSelector`` selects ``target`` labels; a missing selector selects nothing."""
    if not isinstance(selector, dict):
        return False
    have = {k: str(v) for k, v in as_dict(target).items()}
    for key, value in as_dict(selector.get("matchLabels")).items():
        if have.get(key) != str(value):
            return False
    for expr in as_list(selector.get("matchExpressions")):
        expr = as_dict(expr)
        key, op = str(expr.get("key")), expr.get("operator")
        values = [str(v) for v in as_list(expr.get("values"))]
        present = key in have
        ok = {
            "In": present and have.get(key) in values,
            "NotIn": not present or have.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(str(op), False)
        if not ok:
            return False
    return True


def selector_empty(selector: dict[str, Any]) -> bool:
    return not as_dict(selector.get("matchLabels")) and not as_list(selector.get("matchExpressions"))


# ------------------------------------------------------------------------------------------ pod spec

RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]


def pod_template(errs: Errors, template: Any, path: str) -> None:
    template = as_dict(template)
    meta = as_dict(template.get("metadata"))
    label_map(errs, meta.get("labels"), f"{path}.metadata.labels")
    annotation_map(errs, meta.get("annotations"), f"{path}.metadata.annotations")
    pod_spec(errs, as_dict(template.get("spec")), f"{path}.spec")


def pod_spec(errs: Errors, spec: dict[str, Any], path: str) -> None:
    volume_names = _volumes(errs, as_list(spec.get("volumes")), f"{path}.volumes")
    containers = as_list(spec.get("containers"))
    if not containers:
        errs.required(f"{path}.containers")
    seen: set[str] = set()
    for i, container in enumerate(containers):
        _container(errs, as_dict(container), f"{path}.containers[{i}]", volume_names, seen)
    for i, container in enumerate(as_list(spec.get("initContainers"))):
        _container(errs, as_dict(container), f"{path}.initContainers[{i}]", volume_names, seen)
    policy = spec.get("restartPolicy", "Always")
    if policy == "":
        errs.required(f"{path}.restartPolicy")
    elif policy not in RESTART_POLICIES:
        errs.not_supported(f"{path}.restartPolicy", policy, RESTART_POLICIES)
    dns = spec.get("dnsPolicy", "ClusterFirst")
    if dns == "":
        errs.required(f"{path}.dnsPolicy")
    elif dns not in DNS_POLICIES:
        errs.not_supported(f"{path}.dnsPolicy", dns, DNS_POLICIES)
    label_map(errs, spec.get("nodeSelector"), f"{path}.nodeSelector")
    for field in ("activeDeadlineSeconds",):
        value = spec.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
            errs.invalid(f"{path}.{field}", value, "must be greater than or equal to 1")


def _volumes(errs: Errors, volumes: list[Any], path: str) -> set[str]:
    names: set[str] = set()
    for i, volume in enumerate(volumes):
        volume = as_dict(volume)
        at = f"{path}[{i}]"
        name = volume.get("name")
        if not isinstance(name, str) or not name:
            errs.required(f"{at}.name")
        else:
            errs.invalid_each(f"{at}.name", name, fmt.dns1123_label(name))
            if name in names:
                errs.duplicate(f"{at}.name", name)
            names.add(name)
        if not any(key != "name" for key in volume):
            errs.required(at, "must specify a volume type")
    return names


def _container(errs: Errors, ctr: dict[str, Any], path: str, volumes: set[str], seen: set[str]) -> None:
    name = ctr.get("name")
    if not isinstance(name, str) or not name:
        errs.required(f"{path}.name")
    else:
        errs.invalid_each(f"{path}.name", name, fmt.dns1123_label(name))
    image = ctr.get("image")
    if not isinstance(image, str) or not image:
        errs.required(f"{path}.image")
    elif image != image.strip():
        errs.invalid(f"{path}.image", image, "must not have leading or trailing whitespace")
    if isinstance(name, str) and name:
        if name in seen:
            errs.duplicate(f"{path}.name", name)
        seen.add(name)
    _ports(errs, as_list(ctr.get("ports")), f"{path}.ports")
    for i, env in enumerate(as_list(ctr.get("env"))):
        env_name = as_dict(env).get("name")
        if not isinstance(env_name, str) or not env_name:
            errs.required(f"{path}.env[{i}].name")
        elif "=" in env_name or not all(" " <= c <= "~" for c in env_name):
            errs.invalid(f"{path}.env[{i}].name", env_name, "a valid environment variable name must consist only "
                         "of printable ASCII characters other than '='")
    for i, mount in enumerate(as_list(ctr.get("volumeMounts"))):
        mount = as_dict(mount)
        mount_name = mount.get("name")
        if not isinstance(mount_name, str) or not mount_name:
            errs.required(f"{path}.volumeMounts[{i}].name")
        elif mount_name not in volumes:
            errs.not_found(f"{path}.volumeMounts[{i}].name", mount_name)
        if not mount.get("mountPath"):
            errs.required(f"{path}.volumeMounts[{i}].mountPath")
    pull = ctr.get("imagePullPolicy")
    if pull is not None and pull not in PULL_POLICIES:
        if pull == "":
            errs.required(f"{path}.imagePullPolicy")
        else:
            errs.not_supported(f"{path}.imagePullPolicy", pull, PULL_POLICIES)


def _ports(errs: Errors, ports: list[Any], path: str) -> None:
    names: set[str] = set()
    for i, port in enumerate(ports):
        port = as_dict(port)
        at = f"{path}[{i}]"
        name = port.get("name")
        if isinstance(name, str) and name:
            problems = fmt.port_name(name)
            if problems:
                errs.invalid_each(f"{at}.name", name, problems)
            elif name in names:
                errs.duplicate(f"{at}.name", name)
            names.add(name)
        number = port.get("containerPort")
        if not isinstance(number, int) or number == 0:
            errs.required(f"{at}.containerPort")
        else:
            errs.invalid_each(f"{at}.containerPort", number, fmt.port_num(number))
        host = port.get("hostPort")
        if isinstance(host, int) and host != 0:
            errs.invalid_each(f"{at}.hostPort", host, fmt.port_num(host))
        protocol = port.get("protocol", "TCP")
        if protocol == "":
            errs.required(f"{at}.protocol")
        elif protocol not in PROTOCOLS:
            errs.not_supported(f"{at}.protocol", protocol, PROTOCOLS)
