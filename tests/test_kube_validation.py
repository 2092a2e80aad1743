"""Object validation: decoding checks and the apiserver's semantic rules, each with its exact wording."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from practice_cluster import cron
from practice_cluster.errors import ApiError
from practice_cluster.schema import validation
from practice_cluster.schema.validation_formats import go_label_selector, go_value

DEPLOY = "io.k8s.api.apps.v1.Deployment"
LABEL_REGEX = "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1123_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character " + LABEL_REGEX
)
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
    "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')"
)
KEY_NAME = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation "
    "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def container(**extra: Any) -> dict[str, Any]:
    return {"name": "web", "image": "nginx", **extra}


def template(labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "web"} if labels is None else labels},
            "spec": {"containers": [container()], **spec}}


def deployment(**spec: Any) -> dict[str, Any]:
    body = {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": template(), **spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": body}


def errors(kind: str, obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    return validation.validate(kind, obj, old)


# --------------------------------------------------------------------------------------- decoding


def test_unknown_fields_are_dotted_paths_with_indexes() -> None:
    obj = deployment(replicasx=2)
    obj["spec"]["template"]["spec"]["containers"][0]["imagex"] = "x"
    obj["metadata"]["labelz"] = {}
    obj["spec"]["template"]["metadata"]["labels"]["any.key/is-fine"] = "ok"
    # In the order the fields come in the body, as the decoder meets them.
    assert validation.unknown_fields(obj, DEPLOY) == [
        "metadata.labelz", "spec.template.spec.containers[0].imagex", "spec.replicasx"]
    assert validation.unknown_fields(deployment(), DEPLOY) == []
    assert validation.unknown_fields({"status": {"bogus": 1}}, DEPLOY) == ["status.bogus"]
    assert validation.unknown_fields({"spec": "not an object"}, DEPLOY) == []
    assert validation.unknown_fields({}, "io.k8s.nothing") == []


def test_strict_and_warning_texts() -> None:
    text = validation.strict_message(["spec.replicasx", "spec.template.spec.containers[0].imagex"])
    assert text == ('strict decoding error: unknown field "spec.replicasx", '
                    'unknown field "spec.template.spec.containers[0].imagex"')
    assert validation.warning_text("spec.replicasx") == 'unknown field "spec.replicasx"'
    assert validation.decode_failure("Deployment", "v1", text).startswith(
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ')


def test_type_mismatches_in_go_wording() -> None:
    obj = deployment(replicas="3")
    assert validation.decode_errors(obj, DEPLOY) == [
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"]
    obj = deployment()
    obj["spec"]["template"]["metadata"]["labels"]["version"] = 1.0
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = 5
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = {"containerPort": 80}
    obj["spec"]["replicas"] = 1.5
    assert validation.decode_errors(obj, DEPLOY) == [
        "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
        "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string",
        "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type "
        "string",
        "json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.ports of type "
        "[]v1.ContainerPort",
    ]
    strategy = deployment(strategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}})
    assert validation.decode_errors(strategy, DEPLOY) == []
    assert validation.decode_errors(deployment(selector="app=web"), DEPLOY) == [
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector"]


def test_secret_data_must_be_base64() -> None:
    secret = "io.k8s.api.core.v1.Secret"
    assert validation.decode_errors({"data": {"a": "aGVsbG8=", "b": "YQ==\n"}}, secret) == []
    assert validation.decode_errors({"data": {"a": "hello world"}}, secret) == [
        "illegal base64 data at input byte 5"]
    assert validation.decode_errors({"data": {"a": "aGVsbG8"}}, secret) == ["illegal base64 data at input byte 4"]


# ----------------------------------------------------------------------------------------- metadata


def test_names() -> None:
    assert errors("Deployment", deployment()) == []
    bad = deployment()
    bad["metadata"]["name"] = "Web_1"
    assert errors("Deployment", bad) == [("metadata.name", f'Invalid value: "Web_1": {SUBDOMAIN}')]
    bad["metadata"] = {}
    assert errors("Deployment", bad) == [("metadata.name", "Required value: name or generateName is required")]
    bad["metadata"] = {"generateName": "web-"}
    assert errors("Deployment", bad) == []
    long_name = "a" * 254
    bad["metadata"] = {"name": long_name}
    assert errors("Deployment", bad) == [("metadata.name", f'Invalid value: "{long_name}": must be no more than '
                                          "253 characters")]
    svc = {"metadata": {"name": "1web"}, "spec": {"ports": [{"port": 80}]}}
    assert errors("Service", svc) == [("metadata.name", f'Invalid value: "1web": {DNS1035}')]
    assert errors("Namespace", {"metadata": {"name": "a.b"}}) == [
        ("metadata.name", 'Invalid value: "a.b": must not contain dots')]
    assert errors("Namespace", {"metadata": {"name": "Dev"}}) == [
        ("metadata.name", f'Invalid value: "Dev": {DNS1123_LABEL}')]
    assert errors("ConfigMap", {"metadata": {"name": "my.config"}}) == []


def test_labels_and_annotations() -> None:
    obj = {"metadata": {"name": "c", "labels": {"app": "bad value", "x/y/z": "v", "-k": "", "ok": "a" * 64}}}
    assert errors("ConfigMap", obj) == [
        ("metadata.labels", f'Invalid value: "bad value": {LABEL_VALUE}'),
        ("metadata.labels", 'Invalid value: "x/y/z": a valid label key must consist of alphanumeric characters, '
         "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
         "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
         "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
        ("metadata.labels", f'Invalid value: "-k": {KEY_NAME}'),
        ("metadata.labels", f'Invalid value: "{"a" * 64}": must be no more than 63 bytes'),
    ]
    prefixed = {"metadata": {"name": "c", "labels": {"Example.com/app": "x", "/app": "y"}}}
    assert errors("ConfigMap", prefixed) == [
        ("metadata.labels", 'Invalid value: "Example.com/app": prefix part ' + SUBDOMAIN),
        ("metadata.labels", 'Invalid value: "/app": prefix part must be non-empty'),
    ]
    assert errors("ConfigMap", {"metadata": {"name": "c", "labels": {"example.com/App.v1": "", "a": "B-2"}}}) == []
    huge = {"metadata": {"name": "c", "annotations": {"Note": "x" * (256 * 1024)}}}
    assert errors("ConfigMap", huge) == [("metadata.annotations", "Too long: must have at most 262144 bytes")]


# ---------------------------------------------------------------------------------------- workloads


def test_deployment_selector_rules() -> None:
    no_selector = deployment()
    del no_selector["spec"]["selector"]
    assert errors("Deployment", no_selector) == [
        ("spec.selector", "Required value"),
        ("spec.template.metadata.labels",
         'Invalid value: {"app":"web"}: `selector` does not match template `labels`'),
    ]
    mismatch = deployment(selector={"matchLabels": {"app": "api"}})
    assert errors("Deployment", mismatch) == [
        ("spec.template.metadata.labels",
         'Invalid value: {"app":"web"}: `selector` does not match template `labels`')]
    empty = deployment(selector={})
    assert errors("Deployment", empty) == [
        ("spec.selector", "Invalid value: {}: empty selector is invalid for deployment")]
    expressions = deployment(selector={"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})
    assert errors("Deployment", expressions) == []
    bad_op = deployment(selector={"matchLabels": {"app": "web"},
                                  "matchExpressions": [{"key": "app", "operator": "Is"},
                                                       {"key": "tier", "operator": "In"}]})
    assert errors("Deployment", bad_op) == [
        ("spec.selector.matchExpressions[0].operator", 'Invalid value: "Is": not a valid selector operator'),
        ("spec.selector.matchExpressions[1].values",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        ("spec.template.metadata.labels",
         'Invalid value: {"app":"web"}: `selector` does not match template `labels`'),
    ]


def test_deployment_numbers_strategy_and_restart_policy() -> None:
    obj = deployment(replicas=-1, strategy={"type": "Recreate", "rollingUpdate": {}})
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert errors("Deployment", obj) == [
        ("spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.template.spec.restartPolicy", 'Unsupported value: "Never": supported values: "Always"'),
        ("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'"),
    ]
    zero = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}})
    assert errors("Deployment", zero) == [
        ("spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 0%: may not be 0 when `maxSurge` is 0")]
    odd = deployment(strategy={"type": "BlueGreen"})
    assert errors("Deployment", odd) == [
        ("spec.strategy", 'Unsupported value: {"Type":"BlueGreen","RollingUpdate":null}: supported values: '
         '"Recreate", "RollingUpdate"')]
    percent = deployment(strategy={"rollingUpdate": {"maxSurge": "ten"}})
    assert errors("Deployment", percent) == [
        ("spec.strategy.rollingUpdate.maxSurge", "Invalid value: \"ten\": a valid percent string must be a numeric "
         "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]


def test_replicaset_daemonset_statefulset() -> None:
    for kind, what in (("ReplicaSet", "deployment"), ("DaemonSet", "daemonset"), ("StatefulSet", "statefulset")):
        obj = deployment()
        obj["spec"].pop("replicas")
        assert errors(kind, obj) == []
        obj["spec"]["selector"] = {"matchLabels": {}}
        assert errors(kind, obj)[0][1].endswith(f"empty selector is invalid for {what}")
    ds = deployment(updateStrategy={"type": "Always"})
    assert errors("DaemonSet", ds) == [
        ("spec.updateStrategy", 'Unsupported value: {"Type":"Always","RollingUpdate":null}: supported values: '
         '"RollingUpdate", "OnDelete"')]
    sts = deployment(podManagementPolicy="Serial")
    assert errors("StatefulSet", sts) == [
        ("spec.podManagementPolicy", "Invalid value: \"Serial\": must be 'OrderedReady' or 'Parallel'")]


def test_pod_containers_and_ports() -> None:
    pod: dict[str, Any] = {"metadata": {"name": "p"}, "spec": {"containers": []}}
    assert errors("Pod", pod) == [("spec.containers", "Required value")]
    pod["spec"]["containers"] = [
        {"name": "Web"},
        container(ports=[{"containerPort": 70000, "name": "http_port"}, {"containerPort": 0, "protocol": "tcp"}]),
        container(),
    ]
    assert errors("Pod", pod) == [
        ("spec.containers[0].name", f'Invalid value: "Web": {DNS1123_LABEL}'),
        ("spec.containers[0].image", "Required value"),
        ("spec.containers[1].ports[0].name",
         'Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
        ("spec.containers[1].ports[0].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("spec.containers[1].ports[1].containerPort", "Required value"),
        ("spec.containers[1].ports[1].protocol", 'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"'),
        ("spec.containers[2].name", 'Duplicate value: "web"'),
    ]


def test_pod_policies_volumes_and_env() -> None:
    pod = {"metadata": {"name": "p"}, "spec": {
        "restartPolicy": "Sometimes", "dnsPolicy": "Google",
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "conf"}],
        "containers": [container(imagePullPolicy="Maybe", env=[{"name": "A=B"}, {"value": "x"}],
                                 volumeMounts=[{"name": "data", "mountPath": "/d"}, {"name": "cache"}])]}}
    assert errors("Pod", pod) == [
        ("spec.volumes[1]", "Required value: must specify a volume type"),
        ("spec.containers[0].env[0].name", 'Invalid value: "A=B": a valid environment variable name must consist '
         "only of printable ASCII characters other than '='"),
        ("spec.containers[0].env[1].name", "Required value"),
        ("spec.containers[0].volumeMounts[1].name", 'Not found: "cache"'),
        ("spec.containers[0].volumeMounts[1].mountPath", "Required value"),
        ("spec.containers[0].imagePullPolicy",
         'Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"'),
        ("spec.restartPolicy", 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
        ("spec.dnsPolicy", 'Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", '
         '"ClusterFirst", "Default", "None"'),
    ]


def job(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "pi"}, "spec": {"template": template(restartPolicy="Never"), **spec}}


def test_jobs_and_cronjobs() -> None:
    assert errors("Job", job()) == []
    always = job(backoffLimit=-1)
    del always["spec"]["template"]["spec"]["restartPolicy"]
    assert errors("Job", always) == [
        ("spec.backoffLimit", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"'),
    ]
    cronjob: dict[str, Any] = {"metadata": {"name": "tick"},
               "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": job()["spec"]}}}
    assert errors("CronJob", cronjob) == []
    cronjob["spec"]["schedule"] = "every minute"
    cronjob["spec"]["concurrencyPolicy"] = "Never"
    assert errors("CronJob", cronjob) == [
        ("spec.schedule", 'Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]'),
        ("spec.concurrencyPolicy", 'Unsupported value: "Never": supported values: "Allow", "Forbid", "Replace"'),
    ]
    cronjob["spec"] = {"jobTemplate": {"spec": job()["spec"]}}
    cronjob["metadata"]["name"] = "c" * 53
    assert errors("CronJob", cronjob) == [
        ("metadata.name", f'Invalid value: "{"c" * 53}": must be no more than 52 characters'),
        ("spec.schedule", "Required value"),
    ]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ],
)
def test_cron_errors(schedule: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        cron.parse(schedule)


def test_cron_valid_schedules() -> None:
    assert cron.parse("0 9 * jan,JUL mon-fri")["month"] == {1, 7}
    assert cron.parse("@hourly")["minute"] == {0}
    assert cron.parse("@every 1h30m")["hour"] == set(range(24))
    assert cron.parse("30 */6 1 * ?")["hour"] == {0, 6, 12, 18}


# --------------------------------------------------------------------------------- services and others


def service(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}}


def test_services() -> None:
    assert errors("Service", service()) == []
    assert errors("Service", service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}])) == []
    assert errors("Service", service(ports=[])) == [("spec.ports", "Required value")]
    assert errors("Service", service(clusterIP="None", ports=[])) == []
    bad = service(type="NodePort", ports=[{"port": 0, "targetPort": 70000, "nodePort": 80},
                                          {"name": "b", "port": 80, "targetPort": "HTTP"}])
    assert errors("Service", bad) == [
        ("spec.ports[0].name", "Required value"),
        ("spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("spec.ports[1].targetPort",
         'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
        ("spec.ports[1].targetPort", 'Invalid value: "HTTP": must contain at least one letter (a-z)'),
        ("spec.ports[0].nodePort", "Invalid value: 80: provided port is not in the valid range. "
         "The range of valid ports is 30000-32767"),
    ]
    assert errors("Service", service(type="Cluster")) == [
        ("spec.type", 'Unsupported value: "Cluster": supported values: "ClusterIP", "ExternalName", '
         '"LoadBalancer", "NodePort"')]
    assert errors("Service", service(ports=[{"port": 80, "nodePort": 30001}])) == [
        ("spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")]
    assert errors("Service", service(type="ExternalName", ports=[])) == [("spec.externalName", "Required value")]
    assert errors("Service", service(type="ExternalName", externalName="db")) == [
        ("spec.externalName", 'Invalid value: "db": should be a domain with at least two segments separated by dots')]
    assert errors("Service", service(type="ExternalName", externalName="db.example.com.")) == []
    dup = service(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80}])
    assert errors("Service", dup) == [
        ("spec.ports[1]", 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
         'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')]


def ingress(*paths: dict[str, Any], host: str = "shop.example.com") -> dict[str, Any]:
    return {"metadata": {"name": "shop"}, "spec": {"rules": [{"host": host, "http": {"paths": list(paths)}}]}}


def backend(port: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"service": {"name": "web", "port": {"number": 80} if port is None else port}}


def test_ingress() -> None:
    assert errors("Ingress", ingress({"path": "/", "pathType": "Prefix", "backend": backend()})) == []
    bad = ingress({"path": "/"}, {"path": "api", "pathType": "Prefix", "backend": backend({})},
                  {"path": "/", "pathType": "Regex", "backend": {}}, host="10.0.0.1")
    assert errors("Ingress", bad) == [
        ("spec.rules[0].host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
        ("spec.rules[0].http.paths[0].pathType", "Required value: pathType must be specified"),
        ("spec.rules[0].http.paths[1].path", 'Invalid value: "api": must be an absolute path'),
        ("spec.rules[0].http.paths[1].backend", "Required value: port name or number is required"),
        ("spec.rules[0].http.paths[2].pathType",
         'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'),
        ("spec.rules[0].http.paths[2].backend", 'Invalid value: "": resource or service backend is required'),
    ]
    assert errors("Ingress", {"metadata": {"name": "x"}, "spec": {}}) == [
        ("spec", "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified")]
    wildcard = ingress({"path": "/", "pathType": "Exact", "backend": backend()}, host="*.example.com")
    assert errors("Ingress", wildcard) == []


def test_configmap_and_secret_keys() -> None:
    cm = {"metadata": {"name": "c"}, "data": {"app.conf": "x", "bad key": "y", "..x": "z"},
          "binaryData": {"app.conf": ""}}
    # The apiserver walks Go maps, so their order is unspecified.
    assert sorted(errors("ConfigMap", cm)) == sorted([
        ("data[bad key]", 'Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '
         "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
         "'[-._a-zA-Z0-9]+')"),
        ("data[..x]", "Invalid value: \"..x\": must not start with '..'"),
        ("data[app.conf]", 'Invalid value: "app.conf": duplicate of key present in binaryData'),
        ("binaryData[app.conf]", 'Invalid value: "app.conf": duplicate of key present in data'),
    ])
    tls = {"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "eA=="}}
    assert errors("Secret", tls) == [("data[tls.key]", "Required value")]


# --------------------------------------------------------------------------------------- on update


def test_immutable_fields() -> None:
    old = deployment()
    new = deployment(selector={"matchLabels": {"app": "web", "tier": "fe"}})
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "fe"
    assert errors("Deployment", new, old) == [
        ("spec.selector", 'Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable')]
    assert errors("Deployment", deployment(replicas=3), old) == []
    svc_old = service(clusterIP="10.96.0.10")
    assert errors("Service", service(clusterIP="10.96.0.11"), svc_old) == [
        ("spec.clusterIP", 'Invalid value: "10.96.0.11": field is immutable')]
    assert errors("Service", service(), svc_old) == []
    job_new = job()
    job_new["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox"
    assert errors("Job", job_new, job()) == [
        ("spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable")]
    pod: dict[str, Any] = {"metadata": {"name": "p"}, "spec": {"containers": [container()]}}
    image_only = copy.deepcopy(pod)
    image_only["spec"]["containers"][0]["image"] = "nginx:2"
    assert errors("Pod", image_only, pod) == []
    ports = copy.deepcopy(pod)
    ports["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    [(path, text)] = errors("Pod", ports, pod)
    assert path == "spec" and text.startswith("Forbidden: pod updates may not change fields other than "
                                              "`spec.containers[*].image`,`spec.initContainers[*].image`,")
    frozen = {"metadata": {"name": "c"}, "immutable": True, "data": {"a": "1"}}
    assert errors("ConfigMap", {**frozen, "data": {"a": "2"}}, frozen) == [
        ("data", "Forbidden: field is immutable when `immutable` is set")]
    secret = {"metadata": {"name": "s"}, "type": "Opaque"}
    assert errors("Secret", {**secret, "type": "kubernetes.io/basic-auth"}, secret) == [
        ("type", 'Invalid value: "kubernetes.io/basic-auth": field is immutable')]
    sts = deployment(serviceName="web")
    assert errors("StatefulSet", deployment(serviceName="db"), sts) == [
        ("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
         "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
         "are forbidden")]


def test_causes_format_into_the_apiservers_422() -> None:
    obj = deployment(replicas=-1)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    err = ApiError.invalid("Deployment", "web", errors("Deployment", obj), "apps")
    assert err.code == 422
    assert err.message == ('Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater '
                           "than or equal to 0, spec.template.spec.containers[0].image: Required value]")


@pytest.mark.parametrize("junk", [None, 3, "x", [], {"spec": []}, {"spec": {"template": "x", "selector": 5}},
                                  {"metadata": {"labels": [1]}, "spec": {"ports": "80", "rules": {}}}])
def test_nothing_a_client_sends_raises(junk: Any) -> None:
    for kind in ("Pod", "Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "Service", "Ingress",
                 "ConfigMap", "Secret", "Namespace", "Lease"):
        assert isinstance(validation.validate(kind, junk, junk), list)
        assert isinstance(validation.unknown_fields(junk, DEPLOY), list)
        assert isinstance(validation.decode_errors(junk, DEPLOY), list)


def test_go_value_printing() -> None:
    assert go_value({"b": "2", "a": "1"}) == '{"a":"1","b":"2"}'
    assert go_value(["a", "b"]) == '["a","b"]'
    assert go_value(True) == "true" and go_value(None) == "null"
    assert go_label_selector({"matchExpressions": [{"key": "a", "operator": "Exists"}]}) == (
        '{"matchExpressions":[{"key":"a","operator":"Exists"}]}')
