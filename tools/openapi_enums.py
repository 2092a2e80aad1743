"""Write ``practice_cluster/data/openapi_enums.json``: the enum values of the Kubernetes API types' fields.

Usage: ``python tools/openapi_enums.py KUBECONFIG [OUTPUT]``

The table is read from a real kube-apiserver's ``/openapi/v3`` documents (through ``kubectl get --raw``):
for every schema component, each property that lists ``enum`` values, with the property's description
(which ends in the "Possible enum values" list `kubectl explain` prints). The practice cluster's schemas
come from a file without them; ``practice_cluster/rest/openapi.py`` lays this table over them.

Output format (JSON)::

    {"io.k8s.api.core.v1.PodSpec": {"restartPolicy": {"enum": ["Always", "Never", "OnFailure"],
                                                         "description": "Restart policy ..."}}, ...}
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "practice_cluster" / "data" / "openapi_enums.json"


def raw(kubeconfig: str, path: str) -> Any:
    done = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", "get", "--raw", path], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def enums(kubeconfig: str) -> dict[str, dict[str, dict[str, Any]]]:
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in raw(kubeconfig, "/openapi/v3")["paths"].values():
        document = raw(kubeconfig, entry["serverRelativeURL"])
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            for prop, value in (schema.get("properties") or {}).items():
                if isinstance(value, dict) and value.get("enum") and prop not in ("apiVersion", "kind"):
                    table.setdefault(name, {})[prop] = {"enum": value["enum"],
                                                        "description": value.get("description", "")}
    return dict(sorted(table.items()))


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out = Path(argv[2]) if len(argv) == 3 else OUTPUT
    out.write_text(json.dumps(enums(argv[1]), indent=0, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
