"""What a container sees: its environment and the files of its ConfigMap, Secret, projected and downward-API
volumes.

Both resolve references the way the kubelet does (``envFrom``, ``configMapKeyRef``, ``secretKeyRef``,
``fieldRef``; volume ``items`` and ``subPath``) and say what is missing in the kubelet's words, which
the pod's status and events then carry.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from practice_cluster.controllers.common import meta
from practice_cluster.storage.store import Obj

if TYPE_CHECKING:
    from practice_cluster.storage.parts import Parts


def lookup_data(cluster: Parts, kind: str, namespace: str, name: str) -> dict[str, str] | None:
    plural = "configmaps" if kind == "configmap" else "secrets"
    obj = cluster.store.peek(plural, namespace, name)
    if obj is None:
        return None
    data = dict(obj.get("data") or {})
    if plural == "secrets":
        decoded = {}
        for key, value in data.items():
            try:
                decoded[key] = base64.b64decode(str(value)).decode("utf-8", "replace")
            except ValueError:
                decoded[key] = ""
        return decoded
    return {k: str(v) for k, v in data.items()}


def container_env(cluster: Parts, pod: Obj, container: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    """The environment a container sees, or the CreateContainerConfigError message."""
    namespace = meta(pod)["namespace"]
    env: dict[str, str] = {"HOSTNAME": meta(pod)["name"], "KUBERNETES_SERVICE_HOST": "10.96.0.1",
                           "KUBERNETES_SERVICE_PORT": "443"}
    for source in container.get("envFrom") or []:
        for kind, key in (("configmap", "configMapRef"), ("secret", "secretRef")):
            ref = source.get(key)
            if isinstance(ref, dict):
                data = lookup_data(cluster, kind, namespace, str(ref.get("name")))
                if data is None:
                    if ref.get("optional"):
                        continue
                    return env, f'{kind} "{ref.get("name")}" not found'
                prefix = str(source.get("prefix") or "")
                env.update({prefix + k: v for k, v in data.items()})
    for item in container.get("env") or []:
        name = str(item.get("name", ""))
        if "value" in item:
            env[name] = str(item["value"])
            continue
        value_from = item.get("valueFrom") or {}
        for kind, key in (("configmap", "configMapKeyRef"), ("secret", "secretKeyRef")):
            ref = value_from.get(key)
            if isinstance(ref, dict):
                data = lookup_data(cluster, kind, namespace, str(ref.get("name")))
                if data is None or str(ref.get("key")) not in data:
                    if ref.get("optional"):
                        break
                    if data is None:
                        return env, f'{kind} "{ref.get("name")}" not found'
                    return env, f"couldn't find key {ref.get('key')} in {kind.replace('map', 'Map').capitalize()} " \
                                f"{namespace}/{ref.get('name')}"
                env[name] = data[str(ref.get("key"))]
        field_ref = value_from.get("fieldRef")
        if isinstance(field_ref, dict):
            path = str(field_ref.get("fieldPath", ""))
            env[name] = field_value(pod, path)
    return env, None


def mounted_files(cluster: Parts, pod: Obj, container: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    """The files of ConfigMap and Secret volumes as the container sees them, or the FailedMount message."""
    namespace = meta(pod)["namespace"]
    volumes = {v.get("name"): v for v in pod["spec"].get("volumes") or []}
    files: dict[str, str] = {}
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name"))
        if volume is None:
            continue
        for kind, key, name_key in (("configmap", "configMap", "name"), ("secret", "secret", "secretName")):
            source = volume.get(key)
            if not isinstance(source, dict):
                continue
            if lookup_data(cluster, kind, namespace, str(source.get(name_key))) is None:
                if source.get("optional"):
                    continue
                return files, (f'MountVolume.SetUp failed for volume "{volume.get("name")}" : {kind} '
                               f'"{source.get(name_key)}" not found')
            chosen = volume_files(cluster, pod, {key: source}) or {}
            base = str(mount.get("mountPath", "")).rstrip("/")
            if mount.get("subPath"):
                files[base] = chosen.get(str(mount["subPath"]), "")
            else:
                files.update({f"{base}/{k}": v for k, v in chosen.items()})
    return files, None


def field_value(pod: Obj, field: str) -> str:
    """A ``fieldRef``'s value (an env variable's or a downward-API file's), as the kubelet resolves it."""
    meta = pod.get("metadata") or {}
    if field in ("metadata.labels", "metadata.annotations"):
        values = meta.get(field.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(values.items()))
    return str({"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
                "metadata.uid": meta.get("uid"), "spec.nodeName": pod.get("spec", {}).get("nodeName"),
                "spec.serviceAccountName": pod.get("spec", {}).get("serviceAccountName", "default"),
                "status.podIP": pod.get("status", {}).get("podIP")}.get(field) or "")


def volume_files(cluster: Parts, pod: Obj, volume: dict[str, Any]) -> dict[str, str] | None:
    """The files of a ConfigMap, Secret, projected or downward-API volume (relative paths), else None."""
    namespace = str(pod["metadata"].get("namespace", "default"))

    def keyed(kind: str, name: str, source: dict[str, Any]) -> dict[str, str]:
        data = lookup_data(cluster, kind, namespace, name) or {}
        items = source.get("items")
        return {str(i.get("path")): data.get(str(i.get("key")), "") for i in items} if items else data

    if isinstance(volume.get("configMap"), dict):
        return keyed("configmap", str(volume["configMap"].get("name")), volume["configMap"])
    if isinstance(volume.get("secret"), dict):
        return keyed("secret", str(volume["secret"].get("secretName")), volume["secret"])
    if isinstance(volume.get("downwardAPI"), dict):
        return {str(i.get("path")): field_value(pod, str((i.get("fieldRef") or {}).get("fieldPath", "")))
                for i in volume["downwardAPI"].get("items") or []}
    if isinstance(volume.get("projected"), dict):
        files: dict[str, str] = {}
        for source in volume["projected"].get("sources") or []:
            if isinstance(source.get("configMap"), dict):
                files.update(keyed("configmap", str(source["configMap"].get("name")), source["configMap"]))
            elif isinstance(source.get("secret"), dict):
                files.update(keyed("secret", str(source["secret"].get("name")), source["secret"]))
            elif isinstance(source.get("downwardAPI"), dict):
                files.update(volume_files(cluster, pod, {"downwardAPI": source["downwardAPI"]}) or {})
            elif isinstance(source.get("serviceAccountToken"), dict):
                claims = base64.urlsafe_b64encode(json.dumps(
                    {"sub": f"system:serviceaccount:{namespace}:"
                            f"{pod.get('spec', {}).get('serviceAccountName', 'default')}",
                     "practice": "a token of the practice cluster; it signs nothing"}).encode()).decode().rstrip("=")
                files[str(source["serviceAccountToken"].get("path", "token"))] = f"eyJhbGciOiJub25lIn0.{claims}."
        return files
    return None
