"""The fidelity harness (tools/fidelity): its normalisation, its corpus and, when the reference cluster is
there, the whole comparison of the practice cluster with a real kube-apiserver.

The full run starts one practice and one reference cluster, runs every scenario of the corpus on both
and asserts that the share of identical commands has not fallen below ``IDENTICAL_AT_LEAST`` (raise it
as fixes land) and that no difference counts as misleading unless known.yaml lists it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.fidelity import compare, corpus, masks
from tools.fidelity.corpus import Step
from tools.fidelity.normalise import normalise
from tools.fidelity.run import Output

REFERENCE = ROOT.parent / "shared" / "reference-cluster"
#: Measured: 482 identical of 501 compared commands; a margin of 6 for what a run may wobble.
IDENTICAL_AT_LEAST = 476
MIN_COMMANDS = 250

POD_RUN_1 = """NAME                   READY   STATUS    RESTARTS   AGE   IP           NODE
web-7d9f8b6c5d-x2v4k   1/1     Running   0          12s   10.244.1.3   node-2
"""
POD_RUN_2 = """NAME                   READY   STATUS    RESTARTS   AGE    IP            NODE
web-5c8d7b9f4b-q8zrt   1/1     Running   0          3m5s   10.244.2.17   node-3
"""


def test_noise_of_two_runs_normalises_to_the_same_text() -> None:
    assert normalise(POD_RUN_1) == normalise(POD_RUN_2)
    yaml_1 = 'metadata:\n  creationTimestamp: "2026-12-03T12:45:19Z"\n  resourceVersion: "468"\n' \
             '  uid: 0ad4337c-a617-454d-a54d-37749a16dc3e\n'
    yaml_2 = 'metadata:\n  creationTimestamp: "2026-12-04T01:02:03Z"\n  resourceVersion: "91"\n' \
             '  uid: 34aca575-5934-4956-9ba7-36bf3a68050c\n'
    assert normalise(yaml_1) == normalise(yaml_2)


@pytest.mark.parametrize("other", [
    POD_RUN_1.replace("1/1     Running", "0/1     Pending"),      # another status
    POD_RUN_1.replace("web-7d9f8b6c5d", "api-7d9f8b6c5d"),         # another name
    POD_RUN_1.replace("   0          12s", "   3          12s"),   # restarts
    POD_RUN_1.replace("NODE\n", "NODE   NOMINATED NODE\n"),        # a column more
])
def test_a_real_difference_survives_normalisation(other: str) -> None:
    assert normalise(POD_RUN_1) != normalise(other)


def test_the_openshift_extras_go_and_nothing_else() -> None:
    ours = "NAME               DATA   AGE\nkube-root-ca.crt   1      5s\n"
    theirs = ("NAME                       DATA   AGE\nkube-root-ca.crt           1      5s\n"
              "openshift-service-ca.crt   1      5s\n")
    assert normalise(ours) == normalise(theirs)
    assert normalise(ours) != normalise(theirs.replace("kube-root-ca.crt ", "kube-root-ca.xyz "))
    tree = {"spec": {"volumes": [{"projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}},
                                                            {"configMap": {"name": "openshift-service-ca.crt"}}]}}]}}
    kept = json.loads(normalise(json.dumps(tree)))
    assert kept["spec"]["volumes"][0]["projected"]["sources"] == [{"configMap": {"name": "kube-root-ca.crt"}}]


def test_masks_remove_only_what_the_reference_cannot_print() -> None:
    practice = ("Events:\n  Type    Reason     Age   From               Message\n"
                "  Normal  Scheduled  2s    default-scheduler  Successfully assigned x/p to node-1\n"
                "  Normal  Pulled     1s    kubelet            Container image \"nginx\" already present\n")
    reference = practice.splitlines(keepends=True)
    masked = masks.kubelet_events(normalise(practice))
    assert masked == masks.kubelet_events(normalise("".join(reference[:3])))
    assert "Scheduled" in masked and "Pulled" not in masked


def test_compare_classes_an_unlisted_exit_code_difference_as_misleading() -> None:
    scenario = corpus.Scenario("t", "", (Step("kubectl get pod web"), Step("kubectl get pods")))
    left = {"t": [Output(0, "pod ok\n", "", 0.1), Output(0, "same\n", "", 0.1)]}
    right = {"t": [Output(1, "", "Error from server (NotFound)\n", 0.1), Output(0, "same\n", "", 0.1)]}
    found = compare.compare([scenario], left, right)
    assert [c.status for c in found] == ["different", "identical"]
    assert found[0].cls == "misleading" and compare.unexpected(found) == [found[0]]
    known = [compare.Known("t", "kubectl get pod web", "misleading", "listed")]
    assert compare.unexpected(compare.compare([scenario], left, right, known=known)) == []


def test_corpus_is_big_enough_and_known_entries_name_real_steps() -> None:
    scenarios = corpus.load()
    assert corpus.counted(scenarios) >= MIN_COMMANDS
    steps = {(s.id, step.run) for s in scenarios for step in s.steps}
    for entry in compare.load_known():
        assert (entry.scenario, entry.run) in steps, f"known.yaml names no step: {entry.scenario}: {entry.run}"


@pytest.mark.kube
@needs("kubectl")
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="no reference cluster at ../shared/reference-cluster")
def test_practice_cluster_matches_the_reference_cluster(tmp_path: Path) -> None:
    report = tmp_path / "fidelity.json"
    done = subprocess.run([sys.executable, "-m", "tools.fidelity", "--no-diff", "--json", str(report)],
                          cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert report.exists(), done.stderr[-3000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["compared"] >= MIN_COMMANDS
    new = [c["key"] for c in data["comparisons"] if c["status"] == "different" and not c["known"]
           and c["class"] in ("misleading", "unclassified")]
    assert not new, "differences not in tools/fidelity/known.yaml:\n" + "\n".join(new) + "\n" + done.stdout[-6000:]
    assert data["identical"] >= IDENTICAL_AT_LEAST, done.stdout[:3000]
    assert done.returncode == 0, done.stderr[-3000:]
