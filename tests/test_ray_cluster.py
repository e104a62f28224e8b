"""--executor ray on a simulated cluster of several nodes (ray.cluster_utils.Cluster, on this
machine): a node is added and another removed while the batch runs, and the outputs are the
bytes the local executor writes (lost tasks run again, lost actors restart elsewhere: the
doomed node holds every task and actor until the other joins)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'mtfix[ray]')")

sys.path.insert(0, str(Path(__file__).parent))
from test_ray import make_folder, translate, tree  # noqa: E402

from mtfix import ray_executor  # noqa: E402
from mtfix.engines.base import TranslateConfig  # noqa: E402


@pytest.fixture
def cluster():
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()
    # The head runs nothing: every task and actor is on the doomed node until another joins.
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    doomed = nodes.add_node(num_cpus=3)
    ray.init(address=nodes.address, include_dashboard=False, log_to_driver=False)
    yield nodes, doomed
    ray.shutdown()
    nodes.shutdown()


def test_nodes_joining_and_leaving_mid_run_change_no_byte(cluster, tmp_path, tiny_marian):
    nodes, doomed = cluster
    folder = make_folder(tmp_path)
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="flag")
    local = translate(folder, tmp_path / "local", config, None, "local")

    def churning(files, *arguments):
        """Documents prepared on the cluster, which changes as they come: a node joins after
        the second, the doomed one leaves after the fifth (a window of the batch is done)."""
        for number, prepared in enumerate(ray_executor.prepared_documents(files, *arguments)):
            if number == 2:
                nodes.add_node(num_cpus=3)
            if number == 5:
                nodes.remove_node(doomed)  # its tasks and actors are lost mid-run
            yield prepared

    remote = translate(folder, tmp_path / "ray", config, None, "ray", prepare=churning)
    assert [(r.name, r.status) for r in remote.results] == [(r.name, r.status) for r in local.results]
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")
    assert len(ray.nodes()) == 3 and sum(node["Alive"] for node in ray.nodes()) == 2


def test_a_run_whose_driver_is_killed_resumes_as_locally(tmp_path, tiny_marian):
    """The driver killed (SIGKILL, with the Ray runtime it started) after four documents are
    recorded; the next run does the rest, and the folder is the local executor's bytes."""
    import json
    import os
    import signal
    import subprocess
    import time

    if ray.is_initialized():
        ray.shutdown()
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(24):
        (folder / f"d{n:02}.txt").write_text(f"Dokumen nomor {n} membahas kerja sama riset antara dua universitas.\n\n"
                                             f"Hasilnya diumumkan pada bulan ke-{n}.\n", encoding="utf-8")
    arguments = ["--model", str(tiny_marian), "--beam-size", "1", "--max-new-tokens", "8", "--no-memory", "--window", "4",
                 "--quiet"]
    environment = {**os.environ, "RAY_DISABLE_USAGE_STATS": "1"}

    def command(out, executor):
        return [sys.executable, "-m", "mtfix.cli", "translate", str(folder), "--out", str(out), *arguments,
                "--executor", executor]

    subprocess.run(command(tmp_path / "local", "local"), check=True, env=environment, timeout=300)
    out = tmp_path / "ray"
    driver = subprocess.Popen(command(out, "ray"), start_new_session=True, env=environment)
    recorded: list = []
    deadline = time.time() + 240
    while time.time() < deadline and len(recorded) < 4 and driver.poll() is None:
        try:
            recorded = [d for d in json.loads((out / "manifest.json").read_text())["documents"].values()
                        if d["status"] == "done"]
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and the runtime it started
    driver.wait()
    assert 4 <= len(recorded) < 24
    again = subprocess.run(command(out, "ray") + ["--json"], capture_output=True, text=True, env=environment,
                           timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout)
    assert summary["skipped"] >= 4 and summary["done"] + summary["skipped"] == 24
    assert tree(out) == tree(tmp_path / "local")
